import { createHmac, timingSafeEqual } from 'node:crypto'
import { buildArticleBundle, createAppleNewsSigner, parseAppleNewsSecret } from '@sigwire/apple-news'
import { verifyAppleNewsRequest } from '@sigwire/apple-news/doctor'
import { createRequest, type HttpRequest, type SignOutput, systemClock } from '@sigwire/core'
import type { Subject } from '../measure.js'
import { APPLE_NEWS_KEY, APPLE_NEWS_METADATA, appleNewsArticle } from './apple-news-fixtures.js'

const ORIGIN = 'https://news-api.apple.com'

/** The two requests verified: a bodyless GET and a 3 KB multipart article POST. */
export async function appleNewsVerifyRequests(): Promise<Array<{ name: string; request: HttpRequest }>> {
  const channel = `${ORIGIN}/channels/${APPLE_NEWS_KEY.channelId}`
  const bundle = await buildArticleBundle({ article: appleNewsArticle(), metadata: APPLE_NEWS_METADATA })
  return [
    { name: 'GET /channels/{id}', request: createRequest({ method: 'GET', url: channel }) },
    {
      name: 'POST article, 3 KB multipart',
      request: createRequest({
        method: 'POST',
        url: `${channel}/articles`,
        headers: { 'content-type': bundle.contentType },
        body: bundle.body,
      }),
    },
  ]
}

/** Apple News: the emulator's verifier (with its key lookup) vs raw HMAC-SHA256 + timingSafeEqual. */
export function appleNewsVerifySubjects(request: HttpRequest): Subject[] {
  const signer = createAppleNewsSigner(APPLE_NEWS_KEY)
  const signed = signer.sign(request, systemClock) as SignOutput
  const authorization = signed.headers!.authorization!
  const contentType = request.headers['content-type']
  const body = request.body.inMemoryBytes()!
  const received = {
    method: request.method,
    target: request.target,
    headers: {
      authorization,
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body,
  }
  // As the emulator holds its keys: parsed once, found by key ID.
  const secret = parseAppleNewsSecret(APPLE_NEWS_KEY.secret)
  const lookup = (id: string) => (id === APPLE_NEWS_KEY.keyId ? secret : undefined)
  const key = Buffer.from(APPLE_NEWS_KEY.secret, 'base64')
  const date = /date=([^;]+)$/.exec(authorization)![1]!
  const provided = Buffer.from(/signature=([^;]+);/.exec(authorization)![1]!, 'base64')
  const raw = () => {
    const hmac = createHmac('sha256', key).update(
      request.method + ORIGIN + request.target + date + (body.byteLength > 0 ? contentType : ''),
    )
    if (body.byteLength > 0) hmac.update(body)
    if (!timingSafeEqual(hmac.digest(), provided)) throw new Error('raw Apple News verify failed')
  }
  const ours = () => {
    const result = verifyAppleNewsRequest(received, { secret: lookup, publicOrigin: ORIGIN, now: Date.now() })
    if (!result.ok) throw new Error(`verifyAppleNewsRequest: ${result.reason}`)
  }
  return [
    { name: 'raw createHmac + timingSafeEqual', run: raw },
    { name: 'sigwire verifyAppleNewsRequest', run: ours },
  ]
}
