import { describe, expect, it } from 'vitest'
import { fixedClock, SkewClock } from './clock.js'

describe('SkewClock', () => {
  it('learns a large offset from a server Date header and ignores sub-threshold noise', () => {
    const local = Date.UTC(2026, 0, 1, 12, 0, 0)
    const clock = new SkewClock({ source: () => local })
    expect(clock.observeServerDate('Thu, 01 Jan 2026 12:00:01 GMT')).toBe(1500)
    expect(clock.offsetMs).toBe(0)
    clock.observeServerDate('Thu, 01 Jan 2026 12:15:00 GMT')
    expect(clock.offsetMs).toBe(15 * 60_000 + 500)
    expect(clock.now().toISOString()).toBe('2026-01-01T12:15:00.500Z')
    expect(clock.observeServerDate('not a date')).toBeUndefined()
  })

  it('syncs to a precise server time', () => {
    const clock = new SkewClock({ source: () => 1_000 })
    clock.syncTo(4_250)
    expect(clock.nowMs()).toBe(4_250)
    expect(fixedClock('2016-08-14T14:32:20Z').now().toISOString()).toBe('2016-08-14T14:32:20.000Z')
  })
})
