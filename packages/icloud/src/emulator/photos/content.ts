import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import type { Reply, RouteRequest } from '@sigwire/emulator-kit'
import { reply } from '@sigwire/emulator-kit'
import { byteRange } from '../byte-range.js'
import { header } from '../http-util.js'
import type { PhotosLibrary } from './library.js'

// Download URLs of the Photos library: like Apple's content host (`cvws.icloud-content.com`) they
// carry their own expiry (`e`, epoch seconds) and signature (`s`) and need no cookie; `${f}` stands
// where a client may put a file name (docs/protocols/icloud.md §16.7).

/** The path prefix of download URLs on the emulator. */
export const CONTENT_PREFIX = '/photos-content'

/** A signed download URL for `assetId`, valid until `expiresAt` (epoch ms), signed with `key` ({@link urlKey}). */
export function contentUrl(
  origin: string,
  key: KeyObject,
  assetId: string,
  zone: string,
  expiresAt: number,
): string {
  const e = Math.floor(expiresAt / 1000)
  return `${origin}${CONTENT_PREFIX}/B/${assetId}/\${f}?e=${e}&ckc=com.apple.photos.cloud&ckz=${encodeURIComponent(zone)}&s=${signature(key, assetId, e)}`
}

function signature(key: KeyObject, assetId: string, e: number): string {
  return createHmac('sha256', key).update(`${assetId}:${e}`).digest('base64url').slice(0, 27)
}

/** The KeyObject of the library's URL secret, made once where the secret is read (one HMAC per download). */
export function urlKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'))
}

/**
 * Answers a download: checks the URL's expiry and signature (403 for a forged URL, 410 for an expired
 * one, a DECISION: Apple's answer is not on record), then streams the bytes, honouring `Range` as the
 * Drive content host does ({@link byteRange}: 206 with `Content-Range`, 416 past the end).
 */
export async function sendContent(
  request: RouteRequest<unknown>,
  library: PhotosLibrary,
  key: KeyObject,
  now: number,
): Promise<Reply> {
  const assetId = request.params.asset ?? ''
  const e = Number(request.url.searchParams.get('e'))
  const s = request.url.searchParams.get('s') ?? ''
  const expected = Number.isInteger(e) ? signature(key, assetId, e) : ''
  const content = library.content(assetId)
  if (!content || s.length !== expected.length || !timingSafeEqual(Buffer.from(s), Buffer.from(expected)))
    return reply(403, { text: 'Forbidden', type: 'text/plain' })
  if (e * 1000 < now)
    return reply(410, { text: 'This download URL expired; read the record again.', type: 'text/plain' })
  const size = content.size
  const range = byteRange(header(request, 'range'), size)
  if (range.kind === 'unsatisfiable')
    return reply(
      416,
      { text: 'Range Not Satisfiable', type: 'text/plain' },
      { 'content-range': `bytes */${size}` },
    )
  const type = content.uti.includes('jpeg') ? 'image/jpeg' : 'application/octet-stream'
  const common = { 'accept-ranges': 'bytes', 'cache-control': 'private' }
  if (content.standIn !== undefined) {
    const bytes = library.standInBytes(content)
    if (range.kind === 'whole') return reply(200, { bytes, type }, common)
    return reply(
      206,
      { bytes: bytes.subarray(range.start, range.end + 1), type },
      {
        ...common,
        'content-range': `bytes ${range.start}-${range.end}/${bytes.length}`,
      },
    )
  }
  if (range.kind === 'whole') return reply(200, { file: content.path!, size, type }, common)
  return reply(
    206,
    { file: content.path!, size: range.end - range.start + 1, start: range.start, type },
    { ...common, 'content-range': `bytes ${range.start}-${range.end}/${size}` },
  )
}
