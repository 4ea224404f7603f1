import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, stat, unlink } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { type EmulatorRequest, requestStream, sendJson } from '@sigwire/emulator-kit'
import { listOf, type OperationContext, zoneName, zoneOf } from './context.js'
import { badRequest, errorBody } from './errors.js'
import type { EmulatorState, StoredUpload } from './state.js'

const UPLOAD_URL_LIFETIME_MS = 15 * 60_000
const MAX_TOKENS = 200

/**
 * `assets/upload`: one upload URL per asset field, served by the emulator itself and valid for 15
 * minutes (DOC `UploadAssets`; §4.2).
 */
export function requestUploads(ctx: OperationContext): Record<string, unknown> {
  const tokens = listOf(ctx.body, 'tokens')
  if (tokens.length > MAX_TOKENS) throw badRequest(`At most ${MAX_TOKENS} tokens per request.`)
  zoneOf(ctx, ctx.body.zoneID)
  const dbKey = `${ctx.scope}|${ctx.database}|${zoneName(ctx.body.zoneID)}`
  const out = tokens.map((entry) => {
    const t = entry as { recordName?: string; recordType?: string; fieldName?: string }
    if (typeof t?.recordType !== 'string' || typeof t.fieldName !== 'string')
      throw badRequest('Each token needs recordType and fieldName.')
    const id = randomBytes(18).toString('base64url')
    const recordName = typeof t.recordName === 'string' ? t.recordName : randomUUID().toUpperCase()
    ctx.state.uploads[id] = {
      scope: dbKey,
      recordName,
      recordType: t.recordType,
      fieldName: t.fieldName,
      expiresAt: ctx.now + UPLOAD_URL_LIFETIME_MS,
    }
    return { recordName, fieldName: t.fieldName, url: `${ctx.baseUrl}/assets/upload/${id}` }
  })
  ctx.changed()
  return { tokens: out }
}

/** Where asset bytes are kept. */
export interface AssetStore {
  readonly dir: string
  readonly maxBytes: number
}

/**
 * The upload URL: reads the raw bytes as a stream (constant memory), hashes and stores them, and
 * answers the `singleFile` receipt that step 3 puts into a record.
 */
export async function receiveUpload(
  request: EmulatorRequest,
  res: ServerResponse,
  id: string,
  state: EmulatorState,
  store: AssetStore,
  now: number,
  headers: Record<string, string>,
  changed: () => void,
): Promise<void> {
  const upload: StoredUpload | undefined = state.uploads[id]
  const stream = requestStream(request)
  if (request.method !== 'POST') {
    stream.resume()
    sendJson(res, 405, errorBody('BAD_REQUEST', 'Upload URLs take POST.'), headers)
    return
  }
  if (!upload || upload.asset || upload.expiresAt < now) {
    stream.resume()
    sendJson(
      res,
      upload ? 410 : 404,
      errorBody(
        'NOT_FOUND',
        upload ? 'This upload URL expired or was already used; request a new one.' : 'Unknown upload URL.',
      ),
      headers,
    )
    return
  }
  const assetId = randomBytes(16).toString('hex')
  const partial = join(store.dir, `${assetId}.part`)
  const hash = createHash('sha256')
  let size = 0
  let tooLarge = false
  try {
    await pipeline(
      stream,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.byteLength
          if (size > store.maxBytes) {
            tooLarge = true
            throw new Error('asset too large')
          }
          hash.update(chunk)
          yield chunk
        }
      },
      createWriteStream(partial, { mode: 0o600 }),
    )
  } catch (error) {
    await unlink(partial).catch(() => undefined)
    if (!tooLarge) throw error
    res.setHeader('connection', 'close')
    sendJson(
      res,
      413,
      errorBody('QUOTA_EXCEEDED', `An asset may be at most ${store.maxBytes} bytes.`),
      headers,
    )
    return
  }
  await rename(partial, join(store.dir, assetId))
  const digest = hash.digest('base64')
  const receipt = randomBytes(24).toString('base64url')
  upload.asset = {
    assetId,
    fileChecksum: digest,
    size,
    referenceChecksum: createHash('sha256').update(assetId).digest('base64'),
    wrappingKey: randomBytes(32).toString('base64'),
  }
  upload.receipt = receipt
  state.receipts[receipt] = id
  changed()
  const { assetId: _id, ...singleFile } = upload.asset
  sendJson(res, 200, { singleFile: { ...singleFile, receipt } }, headers)
}

/** A download URL: streams the stored bytes. */
export async function sendDownload(
  res: ServerResponse,
  assetId: string,
  store: AssetStore,
  headers: Record<string, string>,
): Promise<void> {
  const path = join(store.dir, assetId)
  const info = /^[0-9a-f]{32}$/.test(assetId) ? await stat(path).catch(() => undefined) : undefined
  if (!info) {
    sendJson(res, 404, errorBody('NOT_FOUND', 'Unknown asset.'), headers)
    return
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': String(info.size),
  })
  await pipeline(createReadStream(path), res)
}
