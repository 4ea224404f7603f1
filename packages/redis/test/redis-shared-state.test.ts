import { isSigwireError } from '@sigwire/core'
import { describeWithRedis, startRedisServer, type TestRedisServer } from '@sigwire/vitest-config/redis'
import { Redis } from 'ioredis'
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisSharedState, type RedisSharedState } from '../src/index.js'

const KEY = Buffer.alloc(32, 7).toString('base64')
const OTHER_KEY = Buffer.alloc(32, 9).toString('hex')

describeWithRedis(vitest, 'createRedisSharedState against redis-server', () => {
  let server: TestRedisServer
  const opened: RedisSharedState[] = []
  const open = (options: { key?: string; prefix?: string; url?: string } = {}) => {
    const state = createRedisSharedState({ url: server.url, key: KEY, reconnectForMs: 1500, ...options })
    opened.push(state)
    return state
  }
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()))
    await server?.stop()
  })

  it('writes with compare-and-set, keeps values encrypted at rest, and expires them', async () => {
    const a = open({ prefix: 't1:' })
    const b = open({ prefix: 't1:' })
    const first = await a.set('session', 'cookie=secret-value', { expected: 'absent' })
    expect(first).toBeGreaterThan(0)
    expect(await b.set('session', 'stale', { expected: 'absent' })).toBeUndefined()
    expect(await b.get('session')).toEqual({ value: 'cookie=secret-value', revision: first })
    const second = await b.set('session', 'newer', { expected: first!, ttlMs: 300 })
    expect(await a.set('session', 'stale writer', { expected: first! })).toBeUndefined()
    expect((await a.get('session'))?.value).toBe('newer')
    const raw = new Redis(server.port, '127.0.0.1')
    const stored = await raw.hget('t1:session', 'v')
    await raw.quit()
    expect(stored).toMatch(/^v1\.[0-9a-f]{8}\./)
    expect(stored).not.toContain('newer')
    expect(second).toBeGreaterThan(first!)
    await new Promise((resolve) => setTimeout(resolve, 350))
    expect(await a.get('session')).toBeUndefined()
  })

  it('refuses a value written with another key, naming both key ids', async () => {
    await open({ prefix: 't2:' }).set('k', 'v', { expected: 'any' })
    const error = await open({ prefix: 't2:', key: OTHER_KEY })
      .get('k')
      .catch((e: unknown) => e)
    expect(isSigwireError(error, 'STORE_KEY_INVALID')).toBe(true)
    expect((error as Error).message).toMatch(/another key/)
  })

  it('grants a lease to one holder at a time with increasing fencing tokens; a dead holder is replaced after expiry', async () => {
    const a = open({ prefix: 't3:' })
    const b = open({ prefix: 't3:' })
    const held = await a.acquire('account', { ttlMs: 5000, waitMs: 100 })
    const waiting = b.acquire('account', { ttlMs: 5000, waitMs: 5000 })
    await new Promise((resolve) => setTimeout(resolve, 30))
    await held.release()
    const next = await waiting
    expect(next.token).toBe(held.token + 1)
    await expect(a.set('s', 'x', { expected: 'any', lease: held })).rejects.toMatchObject({
      code: 'LEASE_LOST',
    })
    expect(await b.set('s', 'x', { expected: 'any', lease: next })).toBeGreaterThan(0)
    // `next` is never released (its holder "died"): the lease expires and is granted again.
    expect(await next.renew()).toBe(true)
    const short = await a.acquire('short', { ttlMs: 200, waitMs: 10 })
    const after = await b.acquire('short', { ttlMs: 1000, waitMs: 2000 })
    expect(after.token).toBe(short.token + 1)
    expect(await short.renew()).toBe(false)
    const timeout = await a.acquire('short', { ttlMs: 1000, waitMs: 50 }).catch((e: unknown) => e)
    expect(isSigwireError(timeout, 'LEASE_TIMEOUT')).toBe(true)
  })

  it('gates: a throttle seen by one process pauses the others, then one probe goes', async () => {
    const a = open({ prefix: 't4:' }).gate('apple-news:k', { ratePerSecond: 4, burst: 5 })
    const b = open({ prefix: 't4:' }).gate('apple-news:k', { ratePerSecond: 4, burst: 5 })
    // Both connected before the throttle (the burst has room for both): on a loaded machine (CI CPU at
    // 100%) b's first command, with its connection, took more than 100 ms of the 400 ms pause.
    expect(await a.admit()).toEqual({ waitMs: 0, probe: false })
    expect(await b.admit()).toEqual({ waitMs: 0, probe: false })
    const throttledAt = Date.now()
    await a.throttled(400)
    const paused = await b.admit()
    // The rest of the pause: 400 ms less what passed since the throttle (5 ms for the clocks' rounding).
    expect(paused.waitMs).toBeGreaterThanOrEqual(400 - (Date.now() - throttledAt) - 5)
    expect(paused.waitMs).toBeGreaterThan(0)
    expect(paused.waitMs).toBeLessThanOrEqual(400)
    await new Promise((resolve) => setTimeout(resolve, paused.waitMs + 5))
    expect(await b.admit()).toEqual({ waitMs: 0, probe: true })
    expect((await a.admit()).waitMs).toBeGreaterThan(0)
    await b.recovered()
    // The bucket starts empty at the end of the pause: the others follow the probe at the rate (4/s).
    const next = await a.admit()
    expect(next.probe).toBe(false)
    // Empty, not full: a wait of at most one interval (250 ms at 4/s), less what a loaded machine took
    // since the pause ended.
    expect(next.waitMs).toBeGreaterThan(0)
    expect(next.waitMs).toBeLessThanOrEqual(250)
    await new Promise((resolve) => setTimeout(resolve, next.waitMs + 5))
    expect(await a.admit()).toEqual({ waitMs: 0, probe: false })
  })

  it('fails closed with STORE_UNAVAILABLE while Redis is down, and keeps acknowledged writes across a restart', async () => {
    const state = open({ prefix: 't5:' })
    const revision = await state.set('kept', 'value', { expected: 'absent' })
    await server.kill()
    const error = await state.get('kept').catch((e: unknown) => e)
    expect(isSigwireError(error, 'STORE_UNAVAILABLE')).toBe(true)
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`)
    const lease = await state.acquire('x', { ttlMs: 1000, waitMs: 100 }).catch((e: unknown) => e)
    expect(isSigwireError(lease, 'STORE_UNAVAILABLE')).toBe(true)
    await server.restart()
    expect(await state.get('kept')).toEqual({ value: 'value', revision })
  })
})
