import { APPLE_NEWS_ERROR_CODES, createAppleNewsClient, isAppleNewsError } from '@sigwire/apple-news'
import { startAppleNewsEmulator } from '@sigwire/emulator'
import type { ServiceUnderFaults } from '../fault-run.js'

/**
 * Apple News: one `articles.create` per write (a multipart bundle, no idempotency key), titled with
 * its key; read back by searching the channel's articles, what the OUTCOME_UNKNOWN message recommends.
 * A create repeated by mistake would show as a duplicate title.
 */
export async function appleNewsUnderFaults(): Promise<ServiceUnderFaults> {
  // The channel quota (200 creates an hour by default, as Apple's) would refuse most of a long run;
  // this run is about faults, so the quota is out of the way.
  const emulator = await startAppleNewsEmulator({ quota: 1_000_000, maxPreviewArticles: 1e9 })
  const client = createAppleNewsClient({
    ...emulator.dev!,
    baseUrl: emulator.url,
    transport: { proxy: false },
  })
  const keyOf = (n: number) => `Reliability ${n}`
  return {
    name: 'Apple News',
    write: 'articles.create',
    faults: emulator.faults,
    pathPrefix: '/channels/',
    keyOf,
    async perform(n) {
      const title = keyOf(n)
      await client.articles.create({
        article: {
          version: '1.7',
          identifier: `reliability-${n}`,
          language: 'en',
          title,
          layout: { columns: 7, width: 1024 },
          components: [{ role: 'title', text: title }],
        },
      })
    },
    async readBack() {
      const held = new Map<string, number>()
      for await (const article of client.articles.searchAll({ pageSize: 100 })) {
        const title = article.title ?? ''
        held.set(title, (held.get(title) ?? 0) + 1)
      }
      return held
    },
    typed: (error) => isAppleNewsError(error) && APPLE_NEWS_ERROR_CODES.includes(error.code),
    codeOf: (error) => (isAppleNewsError(error) ? error.code : undefined),
    outcomeHint: /articles\.search/,
    async close() {
      await client.close()
      await emulator.close()
    },
  }
}
