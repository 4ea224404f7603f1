import { compareLoad } from '../load.js'
import { compare } from '../measure.js'
import { startServers } from '../servers.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio, type Table } from '../table.js'
import { sigwireAppleNews } from './apple-news-clients.js'
import { APPLE_NEWS_METADATA, appleNewsArticle } from './apple-news-fixtures.js'
import { npmAppleNews } from './apple-news-npm.js'

/** The emulator both clients publish to: TLS, signing `https://127.0.0.1` (the npm package drops the port). */
export const PEER_EMULATOR = {
  tls: true,
  publicOrigin: 'https://127.0.0.1',
  detectDuplicates: false,
  quota: 1e9,
  maxPreviewArticles: 1e9,
}

/** Publishing the same article with the apple-news npm package and with sigwire, to the same emulator. */
export const appleNewsPeerSuite: Suite = {
  id: 'apple-news-peer',
  title: 'Apple News: the apple-news npm package vs sigwire',
  async run({ settings, quick, log }) {
    const servers = await startServers({ appleNews: PEER_EMULATOR })
    const server = servers.info.appleNews!
    const ours = sigwireAppleNews(server)
    const theirs = npmAppleNews(server)
    const article = appleNewsArticle()
    const subjects = {
      create: [
        { name: 'apple-news 2.1.0 createArticle', run: () => theirs.createArticle(article) },
        {
          name: 'sigwire articles.create',
          run: () => ours.client.articles.create({ article, metadata: APPLE_NEWS_METADATA }),
        },
      ],
      read: [
        { name: 'apple-news 2.1.0 readChannel', run: () => theirs.readChannel() },
        { name: 'sigwire channels.read', run: () => ours.client.channels.read() },
      ],
    }
    const rows: string[][] = []
    const raw: Record<string, unknown> = {}
    try {
      // Both must be accepted by the verifying emulator before anything is timed.
      await theirs.createArticle(article)
      await subjects.create[1]!.run()
      for (const [operation, pair] of Object.entries(subjects)) {
        log(`bench: apple-news peer, ${operation} at concurrency 1`)
        const result = await compare(pair, settings)
        raw[`${operation} c=1`] = result
        for (const [i, s] of result.subjects.entries())
          rows.push([
            `${operation}, sequential`,
            s.name,
            formatOps(s.opsPerSec),
            formatRatio(result.ratios[i]!),
          ])
      }
      log('bench: apple-news peer, create at concurrency 16')
      const load = await compareLoad(
        subjects.create[1]!.run,
        subjects.create[0]!.run,
        16,
        quick ? 1 : 5,
        quick ? 150 : 1000,
      )
      raw['create c=16'] = load
      rows.push([
        'create, concurrency 16',
        subjects.create[0]!.name,
        formatOps(load.b.requestsPerSec),
        '1.00x',
      ])
      rows.push([
        'create, concurrency 16',
        subjects.create[1]!.name,
        formatOps(load.a.requestsPerSec),
        formatRatio(load.ratio),
      ])
    } finally {
      theirs.restore()
      await ours.close()
      await servers.stop()
    }
    const table: Table = {
      title: 'Apple News: apple-news npm package vs sigwire, same article, same verifying emulator',
      columns: ['operation', 'subject', 'ops/s', 'vs apple-news'],
      rows,
      notes: [
        'Both clients publish the same article.json (about 2.5 KB) and metadata to one emulator in another process, over TLS with keep-alive, and the emulator verifies every signature. The emulator signs for `https://127.0.0.1` (its `publicOrigin`) because the npm package signs the URL without the port; sigwire signs the same origin and reaches the real port through a dispatcher that rewrites the origin. The npm package trusts the emulator certificate through a replaced `https.globalAgent` (it would otherwise need NODE_ENV=test, which disables certificate checks).',
      ],
    }
    return { tables: [table], raw }
  },
}
