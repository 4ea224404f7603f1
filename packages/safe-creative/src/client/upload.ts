import { createHash, randomBytes } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import {
  type CallOptions,
  concatBodies,
  createRequest,
  fileBody,
  type ProgressListener,
  type TransportResponse,
  tellProgress,
  utf8Decode,
  utf8Encode,
} from '@sigwire/core'
import { UPLOAD_CHUNK_BYTES } from '../constants.js'
import { SafeCreativeError, safeCreativeError, toSafeCreativeError } from '../errors.js'
import type { AuthkeyCredentials } from '../signing/signer.js'
import { expectRoot, parseXml, text } from '../xml/parse-response.js'
import type { Client } from './client.js'

/** How a file is uploaded. */
export type UploadMethod = 'auto' | 'post' | 'chunked'

/** Options of an upload. */
export interface UploadOptions extends CallOptions {
  /** `post`: one multipart POST (unsigned, streamed); `chunked`: signed begin/chunk/commit; `auto` (default): chunked above `chunkedAboveBytes`. */
  readonly mode?: UploadMethod
  /** Files larger than this go chunked under `auto`. Default 20 MiB. */
  readonly chunkedAboveBytes?: number
  /** The file name Safe Creative records. Default: the path's base name. */
  readonly filename?: string
  /**
   * Told how many bytes of the file have been sent, with core's {@link ProgressListener} contract:
   * `(0, size)` first, then as bytes reach the socket (post) or after each acknowledged chunk
   * (chunked), ending at `(size, size)`; a retried POST starts again from 0.
   */
  readonly onProgress?: ProgressListener<number>
}

/**
 * Uploads a file and returns the upload ticket for `work.register` (§4): `work.upload.lookup` names the
 * upload server, then either a multipart POST (unsigned, Java SDK `postFile`) streamed from disk, or
 * `work.upload.begin`, 50 KiB base64 `work.upload.chunk`s and `work.upload.commit` with the SHA-1 of
 * the file. Both read the file in constant memory.
 */
export async function uploadFile(
  client: Client,
  auth: AuthkeyCredentials,
  path: string,
  options: UploadOptions = {},
): Promise<string> {
  try {
    return await upload(client, auth, path, options)
  } catch (error) {
    throw toSafeCreativeError(error)
  }
}

async function upload(
  client: Client,
  auth: AuthkeyCredentials,
  path: string,
  options: UploadOptions,
): Promise<string> {
  const size = await stat(path).then(
    (info) => info.size,
    (error: NodeJS.ErrnoException) => {
      throw safeCreativeError(
        'BODY_READ_FAILED',
        `Cannot read ${path} (${error.code ?? 'unknown error'}); check the path and its permissions.`,
      )
    },
  )
  const method =
    options.mode === 'post' || options.mode === 'chunked'
      ? options.mode
      : size > (options.chunkedAboveBytes ?? 20 * 1024 * 1024)
        ? 'chunked'
        : 'post'
  const filename = options.filename ?? basename(path)
  const lookup = await client.call(
    'work.upload.lookup',
    { filename, bypost: method === 'post' ? 'true' : 'false' },
    { ...callOptions(options), auth, root: 'workuploadlookup' },
  )
  const uploadUrl = text(lookup, 'uploadurl')
  const uploadId = text(lookup, 'uploadid')
  if (!uploadUrl || !uploadId)
    throw safeCreativeError('UPLOAD_FAILED', 'work.upload.lookup answered without an upload URL and id.')
  return method === 'post'
    ? postFile(client, uploadUrl, uploadId, path, filename, size, options)
    : chunkedUpload(client, auth, uploadUrl, uploadId, path, size, options)
}

async function postFile(
  client: Client,
  uploadUrl: string,
  uploadId: string,
  path: string,
  filename: string,
  size: number,
  options: UploadOptions,
): Promise<string> {
  const boundary = `sigwire-${randomBytes(16).toString('hex')}`
  const safeName = filename.replace(/["\r\n\\]/g, '_')
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="uploadid"\r\n\r\n${uploadId}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n'
  const headBytes = utf8Encode(head)
  const body = concatBodies([headBytes, await fileBody(path), utf8Encode(`\r\n--${boundary}--\r\n`)])
  const onProgress = options.onProgress
  // The listener hears about the file's bytes, not the multipart framing around them.
  const onUploadProgress =
    onProgress &&
    ((sent: number) => onProgress(Math.min(size, Math.max(0, sent - headBytes.byteLength)), size))
  // A repeated upload only yields another ticket: nothing is registered until work.register.
  const response: TransportResponse = await client.transport.send(
    createRequest({
      method: 'POST',
      url: uploadUrl,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    }),
    { ...client.callOptions(options), ...(onUploadProgress ? { onUploadProgress } : {}), retrySafe: true },
  )
  const answer = utf8Decode(response.body).trim()
  // The upload servlet answers the ticket as plain text; errors come as XML.
  if (answer.startsWith('<'))
    expectRoot(parseXml(answer, response.status), 'uploadticket', {
      component: 'upload by post',
      status: response.status,
    })
  if (response.status !== 200 || answer === '')
    throw new SafeCreativeError({
      code: 'UPLOAD_FAILED',
      message: `The upload server answered HTTP ${response.status}${answer ? '' : ' with no ticket'}.`,
      status: response.status,
    })
  return answer
}

async function chunkedUpload(
  client: Client,
  auth: AuthkeyCredentials,
  uploadUrl: string,
  uploadId: string,
  path: string,
  size: number,
  options: UploadOptions,
): Promise<string> {
  const endpoint = `${uploadUrl.replace(/\/+$/, '')}/v2/`
  const common = { ...callOptions(options), auth, url: endpoint, method: 'POST' as const, retrySafe: true }
  const begin = await client.call(
    'work.upload.begin',
    { uploadid: uploadId },
    { ...common, root: 'restvalueresponse' },
  )
  expectState(begin, 'ready', 'work.upload.begin')
  const hash = createHash('sha1')
  const buffer = Buffer.alloc(UPLOAD_CHUNK_BYTES)
  const handle = await open(path, 'r')
  let offset = 0
  if (options.onProgress) tellProgress(options.onProgress, 0, size, 'upload')
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, offset)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      hash.update(chunk)
      const answer = await client.call(
        'work.upload.chunk',
        { uploadid: uploadId, offset: String(offset), data: chunk.toString('base64') },
        { ...common, root: 'workuploadchunk' },
      )
      expectState(answer, 'continue', 'work.upload.chunk')
      offset += bytesRead
      if (options.onProgress) tellProgress(options.onProgress, offset, size, 'upload')
    }
  } finally {
    await handle.close()
  }
  if (offset !== size)
    throw safeCreativeError(
      'BODY_CHANGED',
      `${path} changed size during the upload (${size} -> ${offset} bytes); upload it again.`,
    )
  const commit = await client.call(
    'work.upload.commit',
    { uploadid: uploadId, length: String(offset), checksum: hash.digest('hex') },
    { ...common, root: 'workuploadcommit' },
  )
  const ticket = text(commit, 'uploadticket')
  if (!ticket)
    throw safeCreativeError('UPLOAD_FAILED', 'work.upload.commit answered without an upload ticket.')
  return ticket
}

function expectState(value: Parameters<typeof text>[0], state: string, component: string): void {
  const got = text(value, 'state')
  if (got.toLowerCase() !== state)
    throw safeCreativeError(
      'UPLOAD_FAILED',
      `${component} answered state ${JSON.stringify(got)}, not ${state}.`,
    )
}

function callOptions(options: UploadOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  }
}
