import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fromBase64, receivedHeader, toHex } from '@sigwire/core'
import {
  MultipartError,
  parseMultipart,
  type ReceivedPart,
  type RouteRequest,
  reply,
  type Transaction,
} from '@sigwire/emulator-kit'
import { type ParamPair, paramValue } from '../signing/params.js'
import { randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import type { AuthkeyRecord, TicketRecord, UploadRecord } from './state.js'
import type { XmlNode } from './xml.js'

/** `work.upload.lookup`: where to send the file (the multipart servlet, or the chunked components). */
export function uploadLookup(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const filename = paramValue(params, 'filename')
  if (!filename) throw missingParameter('filename')
  const bypost = paramValue(params, 'bypost') === 'true'
  const uploadId = randomKey(20)
  tx.put<UploadRecord>('uploads', uploadId, { authkey: record.authkey, filename, bypost })
  return [
    'workuploadlookup',
    [
      ['uploadurl', bypost ? `${ctx.baseUrl()}/upload` : ctx.baseUrl()],
      ['uploadid', uploadId],
    ],
  ]
}

function ownUpload(
  ctx: ScContext,
  params: readonly ParamPair[],
  record: AuthkeyRecord,
): [string, UploadRecord] {
  const uploadId = paramValue(params, 'uploadid') ?? ''
  const upload = ctx.uploads.get(uploadId)
  if (!upload || upload.authkey !== record.authkey) throw scError('InvalidParameter', 'Unknown uploadid.')
  return [uploadId, upload]
}

/** `work.upload.begin`: starts (or restarts) a chunked upload; its bytes go to a file of the state directory. */
export async function uploadBegin(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): Promise<XmlNode> {
  const [uploadId, upload] = ownUpload(ctx, params, record)
  const file = await open(join(ctx.uploadDir, uploadId), 'w', 0o600)
  await file.close()
  tx.put<UploadRecord>('uploads', uploadId, { ...upload, received: 0 })
  return ['restvalueresponse', [['state', 'ready']]]
}

/**
 * `work.upload.chunk`: the chunk must start at the byte count received so far; it is written at that
 * offset and fsynced before the answer, so an acknowledged chunk survives a crash.
 */
export async function uploadChunk(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): Promise<XmlNode> {
  const [uploadId, upload] = ownUpload(ctx, params, record)
  if (upload.received === undefined) throw scError('InvalidRequest', 'Call work.upload.begin first.')
  if (Number(paramValue(params, 'offset')) !== upload.received)
    throw scError('InvalidParameter', `offset must be ${upload.received}.`)
  let data: Uint8Array
  try {
    data = fromBase64(paramValue(params, 'data') ?? '')
  } catch {
    throw scError('InvalidParameter', 'data is not base64.')
  }
  const file = await open(join(ctx.uploadDir, uploadId), 'r+')
  try {
    await file.write(data, 0, data.byteLength, upload.received)
    await file.truncate(upload.received + data.byteLength)
    await file.datasync()
  } finally {
    await file.close()
  }
  tx.put<UploadRecord>('uploads', uploadId, { ...upload, received: upload.received + data.byteLength })
  return ['workuploadchunk', [['state', 'continue']]]
}

/** `work.upload.commit`: length and SHA-1 of what was received must match; answers the upload ticket. */
export async function uploadCommit(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): Promise<XmlNode> {
  const [uploadId, upload] = ownUpload(ctx, params, record)
  if (upload.received === undefined) throw scError('InvalidRequest', 'Call work.upload.begin first.')
  if (Number(paramValue(params, 'length')) !== upload.received)
    throw scError(
      'InvalidParameter',
      `length ${paramValue(params, 'length')} is not the ${upload.received} bytes received.`,
    )
  const hash = createHash('sha1')
  const path = join(ctx.uploadDir, uploadId)
  if (upload.received > 0)
    for await (const chunk of createReadStream(path, { end: upload.received - 1 }))
      hash.update(chunk as Buffer)
  const checksum = hash.digest('hex')
  if (paramValue(params, 'checksum') !== checksum)
    throw scError('InvalidParameter', 'checksum is not the SHA-1 of the bytes received.')
  tx.afterCommit(() => rm(path, { force: true }))
  return [
    'workuploadcommit',
    [['uploadticket', issueTicket(tx, uploadId, upload, upload.received, checksum)]],
  ]
}

/** Ends an upload: its ticket, for `work.register`. */
function issueTicket(
  tx: Transaction,
  uploadId: string,
  upload: UploadRecord,
  size: number,
  checksum: string,
): string {
  const ticket = randomKey(32)
  tx.put<TicketRecord>('tickets', ticket, {
    authkey: upload.authkey,
    filename: upload.filename,
    size,
    checksum,
    used: false,
  })
  tx.delete('uploads', uploadId)
  return ticket
}

/**
 * The multipart upload servlet (`/upload`, unsigned; the `uploadid` is the credential). The file part
 * is hashed as it streams, never held in memory; an `uploadid` part before it is checked before a
 * byte of the file is read. Answers the ticket as text.
 */
export async function uploadServlet(ctx: ScContext, request: RouteRequest<undefined>) {
  const invalid = () =>
    scError('InvalidParameter', 'Expected multipart fields uploadid and file for a bypost upload.')
  const boundary = /boundary=("?)([^";]+)\1/.exec(receivedHeader(request, 'content-type') ?? '')?.[2]
  if (!boundary) throw invalid()
  const hash = createHash('sha1')
  let size = 0
  let sawFile = false
  const idOf = (parts: readonly ReceivedPart[]) =>
    parts.find((p) => p.disposition.name === 'uploadid')?.bytes?.toString('utf8')
  let uploadId: string | undefined
  try {
    const parts = await parseMultipart(request.stream, boundary, (_headers, disposition, before) => {
      if (disposition.name === 'uploadid') return { memory: 1024 }
      if (disposition.name !== 'file') return { memory: 64 * 1024 }
      const known = idOf(before)
      if (known !== undefined && ctx.uploads.get(known)?.bypost !== true) throw invalid()
      sawFile = true
      return {
        sink: (chunk) => {
          size += chunk.byteLength
          hash.update(chunk)
        },
      }
    })
    uploadId = idOf(parts)
  } catch (error) {
    if (error instanceof MultipartError) throw invalid()
    throw error
  }
  const upload = uploadId === undefined ? undefined : ctx.uploads.get(uploadId)
  if (!sawFile || !upload?.bypost) throw invalid()
  const ticket = issueTicket(request.tx, uploadId!, upload, size, toHex(hash.digest()))
  return reply(200, { text: ticket, type: 'text/plain; charset=UTF-8' })
}
