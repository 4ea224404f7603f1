import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { syncDirectory } from '@sigwire/core'
import {
  type EmulatorRequest,
  isEmulatorError,
  MultipartError,
  parseMultipart,
  type Reply,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import { byteRange } from '../byte-range.js'
import type { ICloudContext } from '../context.js'
import { answer, header } from '../http-util.js'
import type { DriveEmulator } from './drive-emulator.js'
import { driveFailure } from './failure.js'
import type { DriveUploadRecord } from './records.js'

/** Room for the multipart envelope around an upload's declared bytes. */
const ENVELOPE_BYTES = 64 * 1024

/**
 * The header check of a content URL (`/drive-content/B/<blob>/<name>?e=<expiry>&a=<signature>`),
 * before anything is read: this emulator's signature, not expired, and content that still exists.
 * The URL is its own credential, like Apple's signed `cvws.icloud-content.com` URLs (§15.4).
 */
export function checkContentUrl(
  drive: DriveEmulator,
  request: EmulatorRequest,
  blob: string,
  now: number,
): void {
  const expires = Number(request.url.searchParams.get('e'))
  const signature = request.url.searchParams.get('a') ?? ''
  if (
    !/^[0-9a-f]{32}$/.test(blob) ||
    !Number.isSafeInteger(expires) ||
    !drive.verify(blob, expires, signature)
  )
    throw driveFailure(403, 'ACCESS_DENIED', 'The content URL is not signed by this emulator.', {
      auth: true,
    })
  if (expires * 1000 < now)
    throw driveFailure(403, 'URL_EXPIRED', 'The content URL has expired; ask download/by_id again.', {
      auth: true,
    })
  if (!drive.state.hasBlob(blob)) throw driveFailure(404, 'NOT_FOUND', 'This content no longer exists.')
}

/** Answers a content URL: the whole file, or the one byte range asked for (206, or 416). */
export async function sendContent(
  drive: DriveEmulator,
  request: EmulatorRequest,
  blob: string,
): Promise<Reply> {
  const path = drive.state.blobPath(blob)
  // Synchronous: one stat syscall on the emulator's own blob directory. The promise form hands each call
  // to libuv's thread pool and back, which cost about 0.2 ms of main-thread time per download in a
  // profile of `get --recursive` (2,000 files), the emulator's largest item after idle and GC.
  const info = statSync(path, { throwIfNoEntry: false })
  if (!info) throw driveFailure(404, 'NOT_FOUND', 'This content no longer exists.')
  const headers = { 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=0' }
  const type = 'application/octet-stream'
  const range = byteRange(header(request, 'range'), info.size)
  if (range.kind === 'unsatisfiable')
    return reply(416, undefined, { ...headers, 'content-range': `bytes */${info.size}` })
  if (range.kind === 'whole') return reply(200, { file: path, size: info.size, type }, headers)
  return reply(
    206,
    { file: path, start: range.start, size: range.end - range.start + 1, type },
    { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${info.size}` },
  )
}

/**
 * The header check of an upload URL (`/drive-content/upload/<token>`): a token `upload/web` issued,
 * not expired and not used yet. The token is the upload's credential (no cookies needed).
 */
export function checkUploadUrl(
  drive: DriveEmulator,
  token: string,
  now: number,
): DriveUploadRecord & { token: string } {
  const upload = drive.state.uploads.get(token)
  if (!upload) throw driveFailure(401, 'INVALID_UPLOAD_TOKEN', 'Unknown upload URL.', { auth: true })
  if (upload.received || upload.expiresAt < now)
    throw driveFailure(
      410,
      'UPLOAD_URL_SPENT',
      'This upload URL expired or was used; call upload/web again.',
      {
        auth: true,
      },
    )
  return { ...upload, token }
}

/**
 * Receives an upload's bytes in constant memory: a multipart/form-data body (pyicloud, the web app)
 * keeps its first file part, any other body is the bytes themselves (rclone). The bytes must be the
 * size `upload/web` announced; they are fsynced and renamed into the blob directory before the
 * `singleFile` receipt is answered, and a failed or aborted upload leaves nothing behind.
 */
export async function receiveContent(
  ctx: ICloudContext,
  request: RouteRequest<DriveUploadRecord & { token: string }>,
): Promise<Reply> {
  const upload = request.auth
  const state = ctx.drive.state
  const blob = randomBytes(16).toString('hex')
  const partial = join(state.blobDir, `${blob}.part`)
  const source = capped(request.stream, upload.size + ENVELOPE_BYTES)
  const type = header(request, 'content-type') ?? ''
  let size: number
  let checksum: string
  try {
    const boundary = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type)
    if (boundary) {
      let file = false
      const parts = await parseMultipart(source, boundary[1] ?? boundary[2]!, (_headers, disposition) => {
        if (file || disposition.filename === undefined) return { memory: 16 * 1024 }
        file = true
        return { file: partial }
      })
      const part = parts.find((p) => p.file !== undefined)
      if (!part) throw driveFailure(400, 'BAD_REQUEST', 'The multipart body has no file part.')
      size = part.size
      checksum = await syncAndHash(partial)
    } else {
      const written = await writeRaw(source, partial)
      size = written.size
      checksum = written.checksum
    }
    if (size !== upload.size)
      throw driveFailure(400, 'SIZE_MISMATCH', `upload/web announced ${upload.size} bytes; ${size} arrived.`)
    await rename(partial, state.blobPath(blob))
    await syncDirectory(state.blobDir)
  } catch (error) {
    await unlink(partial).catch(() => undefined)
    if (error instanceof MultipartError)
      throw driveFailure(400, 'BAD_REQUEST', `Malformed multipart body: ${error.message}.`)
    if (isEmulatorError(error, 'BODY_TOO_LARGE'))
      throw driveFailure(413, 'SIZE_MISMATCH', `More bytes arrived than the ${upload.size} announced.`)
    throw error
  }
  const received = {
    blob,
    size,
    fileChecksum: checksum,
    wrappingKey: randomBytes(32).toString('base64'),
    referenceChecksum: createHash('sha256').update(blob).digest('base64'),
    receipt: randomBytes(24).toString('base64url'),
  }
  const { token, ...record } = upload
  state.putUpload(request.tx, token, { ...record, received })
  const { blob: _blob, receipt, ...single } = received
  // An empty file gets no receipt (pyicloud drive.py _update_contentws).
  return answer(200, { singleFile: { ...single, ...(size > 0 ? { receipt } : {}) } })
}

/** The stream, failing with `BODY_TOO_LARGE` past `limit` bytes. */
async function* capped(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0
  for await (const chunk of source) {
    total += chunk.byteLength
    if (total > limit) throw driveFailure(413, 'BODY_TOO_LARGE', 'More bytes than announced.')
    yield chunk
  }
}

async function writeRaw(
  source: AsyncIterable<Buffer>,
  path: string,
): Promise<{ size: number; checksum: string }> {
  const hash = createHash('sha256')
  let size = 0
  const handle = await open(path, 'wx', 0o600)
  try {
    for await (const chunk of source) {
      hash.update(chunk)
      size += chunk.byteLength
      await handle.write(chunk)
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  return { size, checksum: hash.digest('base64') }
}

async function syncAndHash(path: string): Promise<string> {
  const handle = await open(path, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('base64')
}
