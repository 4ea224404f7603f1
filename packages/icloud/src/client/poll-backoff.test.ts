import { describe, expect, it } from 'vitest'
import { nextStreak, POLL_BACKOFF, pollDelayMs } from './poll-backoff.js'

describe('webcourier poll backoff', () => {
  it('does not wait after a held poll, doubles for each answer at once, and stops at the cap', () => {
    expect(pollDelayMs(0)).toBe(0)
    const fixed = (streak: number) => [
      pollDelayMs(streak, POLL_BACKOFF, () => 0),
      pollDelayMs(streak, POLL_BACKOFF, () => 0.999999),
    ]
    expect(fixed(1)).toEqual([250, 500])
    expect(fixed(2)).toEqual([500, 1000])
    expect(fixed(4)).toEqual([2000, 4000])
    expect(fixed(7)).toEqual([15_000, 30_000])
    expect(fixed(60)).toEqual([15_000, 30_000])
  })

  it('counts only polls answered under the hold threshold with nothing', () => {
    expect(nextStreak(0, 10, 0)).toBe(1)
    expect(nextStreak(3, 10, 0)).toBe(4)
    expect(nextStreak(3, 10, 2)).toBe(0)
    expect(nextStreak(3, POLL_BACKOFF.heldMs + 1, 0)).toBe(0)
  })
})
