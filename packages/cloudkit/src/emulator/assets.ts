import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { open, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { isEmulatorError, type Reply, type RouteRequest, reply } from '@sigwire/emulator-kit'
import type { CloudKitData, StoredUpload } from '@sigwire/emulator-kit/cloudkit'
import {
  badRequest,
  cloudKitError,
  listOf,
  type OperationContext,
  zoneName,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'

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
    ctx.data.putUpload(ctx.tx, id, {
      scope: dbKey,
      recordName,
      recordType: t.recordType,
      fieldName: t.fieldName,
      expiresAt: ctx.now + UPLOAD_URL_LIFETIME_MS,
    })
    return { recordName, fieldName: t.fieldName, url: `${ctx.baseUrl}/assets/upload/${id}` }
  })
  return { tokens: out }
}

/** Where asset bytes are kept. */
export interface AssetStore {
  readonly dir: string
  readonly maxBytes: number
}

/**
 * The check of an upload URL, before a byte of the body is read: the URL must be one this emulator
 * issued, unused and not expired (else 404 or 410).
 */
export function uploadTarget(data: CloudKitData, id: string, now: number): StoredUpload {
  const upload = data.uploads().get(id)
  if (!upload)
    throw cloudKitError('NOT_FOUND', 'Unknown upload URL.', { kind: 'auth', logReason: 'UNKNOWN_UPLOAD_URL' })
  if (upload.asset || upload.expiresAt < now)
    throw cloudKitError('NOT_FOUND', 'This upload URL expired or was already used; request a new one.', {
      status: 410,
      kind: 'auth',
      logReason: 'UPLOAD_URL_SPENT',
    })
  return upload
}

/**
 * The upload URL: streams the raw bytes to a private file (constant memory), hashes them, fsyncs and
 * renames the file into place, and answers the `singleFile` receipt that step 3 puts into a record. A
 * client that aborts, or a body past the asset limit, leaves nothing on disk.
 */
export async function receiveUpload(
  request: RouteRequest<StoredUpload>,
  data: CloudKitData,
  store: AssetStore,
): Promise<Reply> {
  const upload = request.auth
  const id = request.params.id!
  const assetId = randomBytes(16).toString('hex')
  const partial = join(store.dir, `${assetId}.part`)
  const hash = createHash('sha256')
  let size = 0
  const file = await open(partial, 'wx', 0o600)
  try {
    for await (const chunk of request.stream) {
      size += chunk.byteLength
      hash.update(chunk)
      await file.write(chunk)
    }
    await file.sync()
  } catch (error) {
    await file.close()
    await unlink(partial).catch(() => undefined)
    if (isEmulatorError(error, 'BODY_TOO_LARGE'))
      throw cloudKitError('QUOTA_EXCEEDED', `An asset may be at most ${store.maxBytes} bytes.`)
    throw error
  }
  await file.close()
  await rename(partial, join(store.dir, assetId))
  const receipt = randomBytes(24).toString('base64url')
  const stored: StoredUpload = {
    ...upload,
    asset: {
      assetId,
      fileChecksum: hash.digest('base64'),
      size,
      referenceChecksum: createHash('sha256').update(assetId).digest('base64'),
      wrappingKey: randomBytes(32).toString('base64'),
    },
    receipt,
  }
  data.putUpload(request.tx, id, stored)
  request.tx.put('receipts', receipt, id)
  const { assetId: _id, ...singleFile } = stored.asset!
  return reply(200, { json: { singleFile: { ...singleFile, receipt } } })
}

/** A download URL: streams the stored bytes. */
export async function sendDownload(data: CloudKitData, assetId: string, store: AssetStore): Promise<Reply> {
  const path = join(store.dir, assetId)
  const known = /^[0-9a-f]{32}$/.test(assetId) && data.hasAsset(assetId)
  const info = known ? await stat(path).catch(() => undefined) : undefined
  if (!info) throw cloudKitError('NOT_FOUND', 'Unknown asset.')
  return reply(200, { file: path, size: info.size, type: 'application/octet-stream' })
}
