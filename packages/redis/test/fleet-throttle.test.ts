import { createAppleNewsClient } from '@sigwire/apple-news'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '@sigwire/apple-news/emulator'
import { describeWithRedis, startRedisServer, type TestRedisServer } from '@sigwire/vitest-config/redis'
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startWorker, type WorkerResult } from './fleet-processes.js'

// Several OS processes publish to one Apple News channel whose quota is already spent when they start.
// With the shared gate (a rate under the channel's quota, one pause for the whole fleet after a 429)
// the channel answers at most one 429 per throttle window; without it, every process is refused.

const KEY = Buffer.alloc(32, 6).toString('base64')
const LONG = 120_000
const QUOTA = 6
const WINDOW_MS = 2000
const PROCESSES = 4
const CALLS = 3

/** The most 429s answered within any span of `windowMs` (the longest Retry-After of the channel). */
function mostPerWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

describeWithRedis(vitest, 'an Apple News fleet of OS processes behind one shared gate', () => {
  let redis: TestRedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  }, LONG)
  afterAll(async () => {
    await redis?.stop()
  })

  /** Runs the fleet against a fresh channel whose quota was spent just before `go`. */
  async function publish(gate: Record<string, unknown> | undefined) {
    const emulator: AppleNewsEmulator = await startAppleNewsEmulator({
      quota: QUOTA,
      quotaWindowMs: WINDOW_MS,
    })
    try {
      const dev = emulator.dev!
      const throttledAt: number[] = []
      emulator.log.subscribe((entry) => {
        if (entry.status === 429) throttledAt.push(Date.parse(entry.at))
      })
      const workers = Array.from({ length: PROCESSES }, () =>
        startWorker({
          service: 'apple-news',
          redis: redis.url,
          key: KEY,
          channelId: dev.channelId,
          keyId: dev.keyId,
          secret: dev.secret,
          baseUrl: emulator.url,
          calls: CALLS,
          concurrency: 2,
          ...(gate ? { gate } : {}),
        }),
      )
      await Promise.all(workers.map((w) => w.ready))
      const spender = createAppleNewsClient({ ...dev, baseUrl: emulator.url, transport: { proxy: false } })
      for (let i = 0; i < QUOTA; i++)
        await spender.articles.create({
          article: {
            version: '1.7',
            identifier: `spent${i}`,
            language: 'en',
            title: `spent ${i}`,
            layout: { columns: 7, width: 1024 },
            components: [{ role: 'title', text: `spent ${i}` }],
          },
        })
      await spender.close()
      for (const w of workers) w.go()
      const results = (await Promise.all(workers.map((w) => w.done))) as WorkerResult[]
      return { results, throttledAt, stderr: workers.map((w) => w.stderr()).join('\n') }
    } finally {
      await emulator.close()
    }
  }

  it(
    'without a gate the processes are refused together (the check below can fail)',
    async () => {
      const { throttledAt } = await publish(undefined)
      expect(mostPerWindow(throttledAt, WINDOW_MS)).toBeGreaterThan(1)
    },
    LONG,
  )

  it(
    'with the shared gate: every article published, at most one 429 per throttle window',
    async () => {
      // 2.5 a second: 5 writes per 2 s window, under the quota of 6, so arrival jitter does not spill.
      const { results, throttledAt, stderr } = await publish({ ratePerSecond: 2.5 })
      for (const r of results) expect(r, stderr).toEqual({ ok: CALLS, errors: [] })
      expect(throttledAt.length).toBeGreaterThan(0)
      expect(mostPerWindow(throttledAt, WINDOW_MS), throttledAt.join(' ')).toBeLessThanOrEqual(1)
    },
    LONG,
  )
})
