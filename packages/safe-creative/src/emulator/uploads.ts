import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fromBase64, receivedHeader } from '@sigwire/core'
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
  const md5 = createHash('md5')
  const path = join(ctx.uploadDir, uploadId)
  if (upload.received > 0)
    for await (const chunk of createReadStream(path, { end: upload.received - 1 })) {
      hash.update(chunk as Buffer)
      md5.update(chunk as Buffer)
    }
  const checksum = hash.digest('hex')
  if (paramValue(params, 'checksum') !== checksum)
    throw scError('InvalidParameter', 'checksum is not the SHA-1 of the bytes received.')
  // The bytes are kept for downloads (work.download.private): moved into the files directory before
  // the ticket that names them is committed.
  const file = randomKey(32)
  await rename(path, join(ctx.filesDir, file))
  return [
    'workuploadcommit',
    [
      [
        'uploadticket',
        issueTicket(tx, uploadId, upload, { size: upload.received, checksum, md5: md5.digest('hex'), file }),
      ],
    ],
  ]
}

/** Ends an upload: its ticket, for `work.register`. */
function issueTicket(
  tx: Transaction,
  uploadId: string,
  upload: UploadRecord,
  content: { size: number; checksum: string; md5: string; file: string },
): string {
  const ticket = randomKey(32)
  tx.put<TicketRecord>('tickets', ticket, {
    authkey: upload.authkey,
    filename: upload.filename,
    ...content,
    used: false,
  })
  tx.delete('uploads', uploadId)
  return ticket
}

/**
 * The multipart upload servlet (`/upload`, unsigned; the `uploadid` is the credential). The file part
 * streams to a file (never held in memory) that is hashed once complete and kept for downloads; an
 * `uploadid` part before it is checked before a byte of the file is read. Answers the ticket as text.
 */
export async function uploadServlet(ctx: ScContext, request: RouteRequest<undefined>) {
  const invalid = () =>
    scError('InvalidParameter', 'Expected multipart fields uploadid and file for a bypost upload.')
  const boundary = /boundary=("?)([^";]+)\1/.exec(receivedHeader(request, 'content-type') ?? '')?.[2]
  if (!boundary) throw invalid()
  let sawFile = false
  // The file part goes to a file of its own (kept for downloads once its ticket is issued).
  const file = randomKey(32)
  const path = join(ctx.filesDir, file)
  const idOf = (parts: readonly ReceivedPart[]) =>
    parts.find((p) => p.disposition.name === 'uploadid')?.bytes?.toString('utf8')
  let uploadId: string | undefined
  try {
    const parts = await parseMultipart(request.stream, boundary, (_headers, disposition, before) => {
      if (disposition.name === 'uploadid') return { memory: 1024 }
      if (disposition.name !== 'file' || sawFile) return { memory: 64 * 1024 }
      const known = idOf(before)
      if (known !== undefined && ctx.uploads.get(known)?.bypost !== true) throw invalid()
      sawFile = true
      return { file: path }
    })
    uploadId = idOf(parts)
  } catch (error) {
    await rm(path, { force: true })
    if (error instanceof MultipartError) throw invalid()
    throw error
  }
  const upload = uploadId === undefined ? undefined : ctx.uploads.get(uploadId)
  if (!sawFile || !upload?.bypost) {
    await rm(path, { force: true })
    throw invalid()
  }
  const { sha1, md5, size } = await hashFile(path)
  const ticket = issueTicket(request.tx, uploadId!, upload, { size, checksum: sha1, md5, file })
  return reply(200, { text: ticket, type: 'text/plain; charset=UTF-8' })
}

/** SHA-1 and MD5 (hex) and size of a file, read in constant memory; fsynced first, since a ticket will name it. */
async function hashFile(path: string): Promise<{ sha1: string; md5: string; size: number }> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
  const sha1 = createHash('sha1')
  const md5 = createHash('md5')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    sha1.update(chunk as Buffer)
    md5.update(chunk as Buffer)
    size += (chunk as Buffer).byteLength
  }
  return { sha1: sha1.digest('hex'), md5: md5.digest('hex'), size }
}
