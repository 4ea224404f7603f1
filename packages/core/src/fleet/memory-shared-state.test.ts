import { describe, expect, it } from 'vitest'
import { isSigwireError } from '../errors/sigwire-error.js'
import { createMemorySharedState } from './memory-shared-state.js'
import { takeToken } from './token-bucket.js'
import { withLease } from './with-lease.js'

describe('createMemorySharedState', () => {
  it('writes with compare-and-set on the revision, and forgets a record after its time to live', async () => {
    let t = 1000
    const state = createMemorySharedState({ now: () => t })
    expect(await state.set('k', 'a', { expected: 'absent' })).toBe(1)
    expect(await state.set('k', 'b', { expected: 'absent' })).toBeUndefined()
    expect(await state.set('k', 'b', { expected: 2 })).toBeUndefined()
    expect(await state.set('k', 'b', { expected: 1, ttlMs: 50 })).toBe(2)
    expect(await state.get('k')).toEqual({ value: 'b', revision: 2 })
    t += 50
    expect(await state.get('k')).toBeUndefined()
  })

  it('grants a lease to one holder at a time, with increasing fencing tokens, and fences writes', async () => {
    const state = createMemorySharedState()
    const first = await state.acquire('account', { ttlMs: 60, waitMs: 1000 })
    const order: string[] = []
    const second = state.acquire('account', { ttlMs: 1000, waitMs: 1000 }).then((lease) => {
      order.push('second')
      return lease
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    order.push('first releases')
    await first.release()
    const lease = await second
    expect(order).toEqual(['first releases', 'second'])
    expect(lease.token).toBeGreaterThan(first.token)
    await expect(state.set('s', 'x', { expected: 'any', lease: first })).rejects.toMatchObject({
      code: 'LEASE_LOST',
    })
    expect(await state.set('s', 'x', { expected: 'any', lease })).toBe(1)
    expect(await first.renew()).toBe(false)
  })

  it('hands a lease whose holder died over once it expires, and times out a waiter', async () => {
    const state = createMemorySharedState()
    const dead = await state.acquire('a', { ttlMs: 40, waitMs: 10 })
    const next = await state.acquire('a', { ttlMs: 1000, waitMs: 2000 })
    expect(next.token).toBe(dead.token + 1)
    const error = await state.acquire('a', { ttlMs: 1000, waitMs: 30 }).catch((e: unknown) => e)
    expect(isSigwireError(error, 'LEASE_TIMEOUT')).toBe(true)
  })

  it('withLease renews while the task runs and releases after it throws', async () => {
    const state = createMemorySharedState()
    await expect(
      withLease(state, 'n', { ttlMs: 60, waitMs: 100 }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 150))
        throw new Error('task failed')
      }),
    ).rejects.toThrow('task failed')
    const again = await state.acquire('n', { ttlMs: 60, waitMs: 0 })
    expect(again.token).toBe(2)
  })

  it('gates: the rate of the bucket, then one probe after a throttle while the others wait', async () => {
    let t = 0
    const state = createMemorySharedState({ now: () => t })
    const gate = state.gate('cred', { ratePerSecond: 10, burst: 2 })
    const other = state.gate('cred', { ratePerSecond: 10, burst: 2 })
    expect(await gate.admit()).toEqual({ waitMs: 0, probe: false })
    expect(await other.admit()).toEqual({ waitMs: 0, probe: false })
    expect((await gate.admit()).waitMs).toBe(100)
    await other.throttled(1000)
    expect(await gate.admit()).toEqual({ waitMs: 1000, probe: false })
    t += 1000
    expect(await gate.admit()).toEqual({ waitMs: 0, probe: true })
    expect((await other.admit()).waitMs).toBeGreaterThan(0)
    await gate.recovered()
    // The bucket starts empty at the end of the pause: the others follow the probe at the rate.
    expect(await other.admit()).toEqual({ waitMs: 100, probe: false })
    t += 100
    expect(await other.admit()).toEqual({ waitMs: 0, probe: false })
    expect((await gate.admit()).waitMs).toBe(100)
  })

  it('takeToken refills at the rate up to the burst', () => {
    const first = takeToken(undefined, 0, 2, 1)
    expect(first.waitMs).toBe(0)
    expect(takeToken(first.bucket, 100, 2, 1).waitMs).toBe(400)
    expect(takeToken(first.bucket, 500, 2, 1).waitMs).toBe(0)
    expect(takeToken(first.bucket, 10_000, 2, 1).bucket.tokens).toBe(0)
  })
})
