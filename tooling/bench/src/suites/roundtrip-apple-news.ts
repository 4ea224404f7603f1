import { buildArticleBundle, createAppleNewsClient, formatAppleNewsAuthorization } from '@sigwire/apple-news'
import type { ServerInfo } from '../servers.js'
import { APPLE_NEWS_METADATA, appleNewsArticle } from './apple-news-fixtures.js'
import { bareAgent, bareText, type Pair } from './roundtrip-pair.js'

/** Emulator options: verification off, and no duplicate-title or quota answers for repeated creates. */
export const APPLE_NEWS_ROUNDTRIP_EMULATOR = { verify: false, detectDuplicates: false, quota: 1e9 }

/**
 * Apple News `GET /channels/{id}` and `POST /channels/{id}/articles` (signed) vs bare undici sending
 * the same method, path, headers and body, with an Authorization value of the same shape.
 */
export async function appleNewsPairs(server: ServerInfo): Promise<Pair[]> {
  const { url } = server
  const dev = server.dev!
  const client = createAppleNewsClient({
    channelId: dev.channelId!,
    keyId: dev.keyId!,
    secret: dev.secret!,
    baseUrl: url,
    proxy: false,
  })
  await client.channels.read()
  const agent = bareAgent()
  const authorization = formatAppleNewsAuthorization({
    keyId: dev.keyId!,
    signature: `${'A'.repeat(43)}=`,
    date: '2026-01-01T00:00:00Z',
  })
  const channel = `${url}/channels/${dev.channelId}`
  const article = appleNewsArticle()
  const bundle = await buildArticleBundle({ article, metadata: APPLE_NEWS_METADATA })
  const body = bundle.body.inMemoryBytes()!
  const headers = { accept: 'application/json', authorization }
  let open = 2
  const profile =
    'the transport (AbortSignal and timer per call, request copies, async body read; the transport reads `trace` of every sign output, which makes the Apple News signer build its hex token trace for every request, about 2% of the client CPU), JSON decoding and the signature'
  const close = async () => {
    if (--open > 0) return
    await client.close()
    await agent.close()
  }
  return [
    {
      service: 'Apple News',
      operation: 'GET /channels/{id}',
      target: 0.9,
      profile,
      sigwire: () => client.channels.read(),
      bare: () => bareText(agent, channel, 'GET', undefined, headers),
      close,
    },
    {
      service: 'Apple News',
      operation: 'POST /channels/{id}/articles (3 KB multipart)',
      target: 0.9,
      profile,
      sigwire: () => client.articles.create({ article, metadata: APPLE_NEWS_METADATA }),
      bare: () =>
        bareText(agent, `${channel}/articles`, 'POST', body, {
          ...headers,
          'content-type': bundle.contentType,
        }),
      close,
    },
  ]
}
