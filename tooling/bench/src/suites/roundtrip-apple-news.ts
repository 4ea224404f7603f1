import {
  type AppleNewsClient,
  buildArticleBundle,
  createAppleNewsClient,
  formatAppleNewsAuthorization,
} from '@sigwire/apple-news'
import type { ServerInfo } from '../servers.js'
import { APPLE_NEWS_METADATA, appleNewsArticle } from './apple-news-fixtures.js'
import { bareAgent, bareText, type Pair } from './roundtrip-pair.js'

/** Emulator options: verification off, and no duplicate-title or quota answers for repeated creates. */
// Every create is a preview article (the channel is not live): the preview limit is lifted for a measure.
export const APPLE_NEWS_ROUNDTRIP_EMULATOR = {
  verify: false,
  detectDuplicates: false,
  quota: 1e9,
  maxPreviewArticles: 1e9,
}

const PROFILE =
  'for a create, building the bundle from the article (serialising, checking its references; bare undici posts bytes built once), the HMAC, JSON decoding of the answer and the transport (request object, one cancellable timer per call; it reads bodies through undici dispatch without the response stream that bare undici request() builds). Keying the HMAC with a KeyObject rather than raw bytes made no difference in an interleaved A/B'

/** The sigwire client and bare undici's headers for the emulator in `server`. */
async function clients(server: ServerInfo) {
  const dev = server.dev!
  const client: AppleNewsClient = createAppleNewsClient({
    channelId: dev.channelId!,
    keyId: dev.keyId!,
    secret: dev.secret!,
    baseUrl: server.url,
    transport: { proxy: false },
  })
  await client.channels.read()
  // Bare undici sends the same headers, with an Authorization value of the same shape and length.
  const authorization = formatAppleNewsAuthorization({
    keyId: dev.keyId!,
    signature: `${'A'.repeat(43)}=`,
    date: '2026-01-01T00:00:00Z',
  })
  const agent = bareAgent()
  return {
    client,
    agent,
    channel: `${server.url}/channels/${dev.channelId}`,
    headers: { accept: 'application/json', authorization },
    async close() {
      await client.close()
      await agent.close()
    },
  }
}

/** Apple News `GET /channels/{id}` (signed) vs bare undici with the same method, path and headers. */
export async function appleNewsReadPair(server: ServerInfo): Promise<Pair> {
  const { client, agent, channel, headers, close } = await clients(server)
  return {
    service: 'Apple News',
    operation: 'GET /channels/{id}',
    target: 0.9,
    profile: PROFILE,
    sigwire: () => client.channels.read(),
    bare: () => bareText(agent, channel, 'GET', undefined, headers),
    close,
  }
}

/** Apple News `POST /channels/{id}/articles` (signed, 3 KB multipart) vs bare undici with the same bytes. */
export async function appleNewsCreatePair(server: ServerInfo): Promise<Pair> {
  const { client, agent, channel, headers, close } = await clients(server)
  const article = appleNewsArticle()
  const bundle = await buildArticleBundle({ article, metadata: APPLE_NEWS_METADATA })
  const body = bundle.body.inMemoryBytes()!
  return {
    service: 'Apple News',
    operation: 'POST /channels/{id}/articles (3 KB multipart)',
    target: 0.9,
    profile: PROFILE,
    sigwire: () => client.articles.create({ article, metadata: APPLE_NEWS_METADATA }),
    bare: () =>
      bareText(agent, `${channel}/articles`, 'POST', body, {
        ...headers,
        'content-type': bundle.contentType,
      }),
    close,
  }
}
