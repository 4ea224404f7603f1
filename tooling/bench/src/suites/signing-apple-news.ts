import { createHmac } from 'node:crypto'
import { buildArticleBundle, createAppleNewsSigner } from '@sigwire/apple-news'
import {
  createRequest,
  formatIsoSeconds,
  type HttpRequest,
  type SignOutput,
  systemClock,
} from '@sigwire/core'
import { compare } from '../measure.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio } from '../table.js'
import { atLeast, type Target } from '../target.js'
import { APPLE_NEWS_KEY, APPLE_NEWS_METADATA, appleNewsArticle } from './apple-news-fixtures.js'
import { consume } from './fixtures.js'

const ORIGIN = 'https://news-api.apple.com'
const TARGET = 0.8

/** The requests signed: a bodyless GET and multipart POSTs whose bodies are in memory. */
async function cases(): Promise<Array<{ name: string; request: HttpRequest }>> {
  const channel = `${ORIGIN}/channels/${APPLE_NEWS_KEY.channelId}`
  const post = async (resources: Array<{ filename: string; data: Uint8Array }>) => {
    const bundle = await buildArticleBundle({
      article: appleNewsArticle(undefined, resources[0]?.filename),
      metadata: APPLE_NEWS_METADATA,
      resources,
    })
    if (bundle.body.inMemoryBytes() === undefined) throw new Error('the bundle is not in memory')
    return createRequest({
      method: 'POST',
      url: `${channel}/articles`,
      headers: { 'content-type': bundle.contentType },
      body: bundle.body,
    })
  }
  const photo = new Uint8Array(256 * 1024).fill(7)
  return [
    { name: 'GET /channels/{id}', request: createRequest({ method: 'GET', url: channel }) },
    { name: 'POST article, 3 KB multipart', request: await post([]) },
    {
      name: 'POST article + 256 KiB image, multipart',
      request: await post([{ filename: 'photo.jpg', data: photo }]),
    },
  ]
}

/** Apple News HHMAC signing against a bare HMAC-SHA256 of the same canonical bytes. */
export const appleNewsSigningSuite: Suite = {
  id: 'signing-apple-news',
  title: 'Apple News: signing',
  async run({ settings }) {
    const signer = createAppleNewsSigner(APPLE_NEWS_KEY)
    const key = Buffer.from(APPLE_NEWS_KEY.secret, 'base64')
    const rows: string[][] = []
    const targets: Target[] = []
    const raw: Record<string, unknown> = {}
    for (const { name, request } of await cases()) {
      const body = request.body.inMemoryBytes()!
      const date = formatIsoSeconds(new Date())
      // The canonical bytes (docs/protocols/apple-news.md §1.1): method + URL + date, and with a body the Content-Type and the body.
      const head =
        request.method +
        request.origin +
        request.target +
        date +
        (body.byteLength > 0 ? request.headers['content-type']! : '')
      const bare = () => {
        const hmac = createHmac('sha256', key).update(head)
        if (body.byteLength > 0) hmac.update(body)
        consume(hmac.digest('base64'))
      }
      const ours = () => consume((signer.sign(request, systemClock) as SignOutput).headers!.authorization!)
      const tokens = () => consume(signer.signature(signer.tokens(request, date)) as string)
      const result = await compare(
        [
          { name: 'raw createHmac over the canonical bytes (decoded key)', run: bare },
          { name: 'sigwire AppleNewsSigner.sign', run: ours },
          { name: 'sigwire tokens() + signature() (the verifier and doctor path)', run: tokens },
        ],
        settings,
      )
      raw[name] = result
      for (const [i, s] of result.subjects.entries())
        rows.push([name, s.name, formatOps(s.opsPerSec), formatRatio(result.ratios[i]!)])
      targets.push(
        atLeast(
          `Apple News signing vs raw HMAC: ${name}`,
          result.ratios[1]!,
          TARGET,
          'The signer keys its HMAC with a KeyObject (the secret is parsed once and not kept as bytes); createHmac with that KeyObject alone runs at 0.88x of createHmac with the decoded Buffer the raw subject uses (measured interleaved). In a profile of sign() for a GET, creating the Hmac is 48%, digest 15%, update 10%, GC 10%, the clock (a Date per call) 4%; building the string and the header is under 5%. For a bodyless request the HMAC is so short that these fixed costs decide the ratio; with a body it is met.',
        ),
      )
    }
    return {
      tables: [
        {
          title: 'Apple News signing vs raw HMAC-SHA256 (same canonical bytes, same key)',
          columns: ['request', 'subject', 'ops/s', 'vs raw'],
          rows,
          notes: [
            `Target: at least ${formatRatio(TARGET)} raw. The raw subject HMACs a canonical string built once (method + URL + date [+ Content-Type]) and the body with the base64-decoded key; sigwire builds the string from the request each time, reads the clock and formats the Authorization header.`,
          ],
        },
      ],
      targets,
      raw,
    }
  },
}
