import { type AppleNewsFailure, createAppleNewsClient } from '@sigwire/apple-news'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'

// The emulator's channel quota (docs/protocols/apple-news.md §4) counts a write from the moment it is
// admitted, so creates that arrive together cannot all pass the check before any of them is counted.

let emulator: AppleNewsEmulator

beforeAll(async () => {
  emulator = await startAppleNewsEmulator({ quota: 3, quotaWindowMs: 60_000 })
})
afterAll(async () => {
  await emulator.close()
})

const document = (title: string) => ({
  version: '1.7',
  identifier: title.replace(/\W+/g, '-'),
  language: 'en',
  title,
  layout: { columns: 7, width: 1024 },
  components: [{ role: 'title', text: title }],
})

describe('Apple News emulator quota', () => {
  it('admits exactly the quota of creates sent at once, and answers the rest 429 with Retry-After', async () => {
    const clients = Array.from({ length: 8 }, () =>
      createAppleNewsClient({
        ...emulator.dev!,
        baseUrl: emulator.url,
        transport: { proxy: false, retry: { maxAttempts: 1 } },
      }),
    )
    try {
      const outcomes = await Promise.allSettled(
        clients.map((client, i) => client.articles.create({ article: document(`Quota race ${i}`) })),
      )
      const created = outcomes.filter((o) => o.status === 'fulfilled')
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as AppleNewsFailure] : []))
      expect(created).toHaveLength(3)
      expect(refused).toHaveLength(5)
      for (const error of refused) {
        expect(error.code).toBe('THROTTLED')
        expect(error.retryAfterMs).toBeGreaterThan(0)
        expect(error.retryAfterMs).toBeLessThanOrEqual(60_000)
      }
      expect(emulator.stats.snapshot().throttled).toBe(5)
    } finally {
      for (const client of clients) await client.close()
    }
  })

  it('does not count a refused write against the quota', async () => {
    const quiet = await startAppleNewsEmulator({ quota: 2, quotaWindowMs: 60_000 })
    const client = createAppleNewsClient({
      ...quiet.dev!,
      baseUrl: quiet.url,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    })
    try {
      await client.articles.create({ article: document('Quota duplicate') })
      // A duplicate title is refused (400) after the quota check; the quota's second write stays free.
      const duplicate = await client.articles.create({ article: document('Quota duplicate') }).then(
        () => undefined,
        (e: unknown) => e as AppleNewsFailure,
      )
      expect(duplicate?.status).toBe(400)
      await client.articles.create({ article: document('Quota kept') })
      const third = await client.articles.create({ article: document('Quota spent') }).then(
        () => undefined,
        (e: unknown) => e as AppleNewsFailure,
      )
      expect(third?.code).toBe('THROTTLED')
    } finally {
      await client.close()
      await quiet.close()
    }
  })
})
