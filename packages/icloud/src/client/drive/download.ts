import { createHash, randomBytes } from 'node:crypto'
import { type FileHandle, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type CallOptions, firstHeader, isSigwireError } from '@sigwire/core'
import { ICloudError, toICloudError } from '../../errors.js'
import type { SessionResponse } from '../../session/http.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import { driveResponseError } from './errors.js'
import { fileSink } from './file-sink.js'
import { CLOUD_DOCS_ZONE } from './ids.js'
import { contentRangeOf } from './range.js'
import type { DownloadOptions, DownloadResult, DownloadToFileOptions, DriveItem } from './types.js'

/** Default number of `Range` resumes of a connection that breaks mid-body. */
const DEFAULT_RESUMES = 5
/** Bytes read ahead while earlier ones are written, and gathered into one write. */
const STREAM_BUFFER = 1 << 20
/** Statuses of a content URL that expired or was refused: ask `download/by_id` for a fresh one. */
const STALE_URL = new Set([401, 403, 410])

/** Where a download stands: bytes present so far, the file's size, connections resumed. */
interface Transfer {
  offset: number
  total: number | undefined
  resumes: number
}

/** One opened content response, and how many of its first bytes are already present. */
interface Opened {
  readonly body: Readable
  skip: number
}

/**
 * `GET {docws}/ws/{zone}/download/by_id?document_id=…` answers the signed content URL: `data_token`
 * for a plain file, `package_token` for a package (docs/protocols/icloud.md §15.4).
 */
export async function contentUrl(
  caller: ServiceCaller,
  item: DriveItem,
  options: CallOptions,
): Promise<string> {
  const zone = item.zone || CLOUD_DOCS_ZONE
  const response = await caller.respond('docws', 'GET', `/ws/${encodeURIComponent(zone)}/download/by_id`, {
    query: { document_id: item.docwsid },
    ...callOptions(options),
  })
  if (response.status >= 400) throw driveResponseError(response, `Downloading "${item.name}"`)
  const raw = response.json<Raw>()
  const url = raw?.data_token?.url ?? raw?.package_token?.url
  if (typeof url !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: `download/by_id for "${item.name}" answered neither a data_token nor a package_token URL.`,
    })
  return url
}

/** A file's bytes as a stream (see `DriveApi.download`). */
export async function downloadStream(
  caller: ServiceCaller,
  item: DriveItem,
  options: DownloadOptions,
): Promise<Readable> {
  checkFile(item)
  const transfer: Transfer = { offset: 0, total: item.size, resumes: 0 }
  const chunks = await contentChunks(caller, item, transfer, options)
  return Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 })
}

/** Downloads a file to `path` atomically (see `DriveApi.downloadToFile`). */
export async function downloadToFile(
  caller: ServiceCaller,
  item: DriveItem,
  path: string,
  options: DownloadToFileOptions,
): Promise<DownloadResult> {
  checkFile(item)
  const existing = await stat(path).catch(() => undefined)
  if (existing?.isDirectory())
    throw new ICloudError({
      code: 'FILE_WRITE_FAILED',
      message: `${path} is a directory: name the file to write, or a path inside the directory.`,
      details: { path },
    })
  const dir = dirname(path)
  const base = basename(path)
  const keep = options.keepPartial === true
  // A kept partial belongs to one version of one item: its name carries a tag of the drivewsid and etag.
  const tag = createHash('sha256').update(`${item.drivewsid}\u0000${item.etag}`).digest('hex').slice(0, 12)
  const temp = keep
    ? join(dir, `.${base}.${tag}.partial`)
    : join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let from = 0
  if (keep) {
    await removeOtherPartials(dir, base, temp)
    const kept = await stat(temp).catch(() => undefined)
    if (kept?.isFile() && (item.size === undefined || kept.size <= item.size)) from = kept.size
  }
  const transfer: Transfer = { offset: from, total: item.size, resumes: 0 }
  let handle: FileHandle | undefined
  try {
    handle = await open(temp, keep ? (from > 0 ? 'a' : 'w') : 'wx', options.mode ?? 0o644)
    if (item.size !== 0 && !(item.size !== undefined && from === item.size)) {
      const chunks = await contentChunks(caller, item, transfer, options)
      // Reading and writing overlap: the next bytes arrive while the previous ones are written
      // (the sink gathers what is pending into one writev).
      await pipeline(
        Readable.from(chunks, { objectMode: false, highWaterMark: STREAM_BUFFER }),
        fileSink(handle, STREAM_BUFFER),
      )
    } else report(options, transfer, Date.now(), from)
    if (options.keepMtime !== false && item.dateModified) await handle.utimes(new Date(), item.dateModified)
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, path)
    if (options.syncDirectory !== false) await syncDirectory(dir)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    if (!keep) await unlink(temp).catch(() => undefined)
    throw fileError(error, path, keep ? temp : undefined)
  }
  return { path, bytes: transfer.offset, resumedFrom: from, resumes: transfer.resumes }
}

/**
 * The content of `item` from `transfer.offset` on, as chunks. The first response is awaited here (so
 * a missing file or a refused URL fails the call, not the stream); when the connection breaks
 * mid-body, the rest is asked for again with `Range: bytes=<offset>-` (§15.4), at most
 * `resumeAttempts` times, and a URL that has expired meanwhile is replaced by a fresh one.
 */
async function contentChunks(
  caller: ServiceCaller,
  item: DriveItem,
  transfer: Transfer,
  options: DownloadOptions,
): Promise<AsyncGenerator<Buffer>> {
  const maxResumes = options.resumeAttempts ?? DEFAULT_RESUMES
  const started = Date.now()
  const startedAt = transfer.offset
  const opener = contentOpener(caller, item, transfer, options)
  const reopen = async (): Promise<Opened> => {
    for (;;) {
      try {
        return await opener()
      } catch (error) {
        if (!resumable(error) || transfer.resumes >= maxResumes) throw networkError(error, item)
        transfer.resumes++
      }
    }
  }
  report(options, transfer, started, startedAt)
  if (item.size === 0) return (async function* () {})()
  let current = await reopen()
  return (async function* (): AsyncGenerator<Buffer> {
    for (;;) {
      try {
        for await (const chunk of current.body as AsyncIterable<Buffer>) {
          let bytes = chunk
          if (current.skip > 0) {
            if (bytes.byteLength <= current.skip) {
              current.skip -= bytes.byteLength
              continue
            }
            bytes = bytes.subarray(current.skip)
            current.skip = 0
          }
          transfer.offset += bytes.byteLength
          report(options, transfer, started, startedAt)
          yield bytes
        }
      } catch (error) {
        current.body.destroy()
        if (!resumable(error) || transfer.resumes >= maxResumes) throw networkError(error, item)
        transfer.resumes++
        current = await reopen()
        continue
      }
      const total = transfer.total
      if (total === undefined) {
        transfer.total = transfer.offset
        report(options, transfer, started, startedAt)
        return
      }
      if (transfer.offset === total) return
      if (transfer.offset > total)
        throw new ICloudError({
          code: 'INVALID_RESPONSE',
          message: `The content of "${item.name}" was longer than its ${total} bytes.`,
        })
      // The body ended cleanly but short: ask for the rest.
      if (transfer.resumes >= maxResumes) throw networkError(new Error('the content ended early'), item)
      transfer.resumes++
      current = await reopen()
    }
  })()
}

/** Opens the content at `transfer.offset`: a fresh URL when needed, the status and range checked. */
function contentOpener(
  caller: ServiceCaller,
  item: DriveItem,
  transfer: Transfer,
  options: CallOptions,
): () => Promise<Opened> {
  let url: string | undefined
  return async () => {
    for (let refreshed = false; ; refreshed = true) {
      url ??= await contentUrl(caller, item, options)
      const start = transfer.offset
      const response = await caller.contentStream({
        method: 'GET',
        url,
        purpose: 'drive content',
        ...(start > 0 ? { headers: { range: `bytes=${start}-` } } : {}),
        ...callOptions(options),
      })
      if (STALE_URL.has(response.status) && !refreshed) {
        response.body.destroy()
        url = undefined
        continue
      }
      if (response.status !== 200 && response.status !== 206)
        throw driveResponseError(await readAnswer(response), `Downloading "${item.name}"`)
      let total: number | undefined
      let skip = 0
      if (response.status === 206) {
        const range = contentRangeOf(firstHeader(response.headers['content-range']))
        if (range === undefined || range.start !== start) {
          response.body.destroy()
          throw new ICloudError({
            code: 'INVALID_RESPONSE',
            message: `The content host answered a range other than the bytes from ${start} of "${item.name}".`,
          })
        }
        total = range.total
      } else {
        // A server that ignores Range sends the whole file: the bytes already present are skipped.
        const length = firstHeader(response.headers['content-length'])
        total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined
        skip = start
      }
      if (item.size !== undefined && total !== undefined && total !== item.size) {
        response.body.destroy()
        throw new ICloudError({
          code: 'CONFLICT',
          message: `"${item.name}" changed since it was listed (${total} bytes now, ${item.size} then): list its folder again and download the new version.`,
        })
      }
      transfer.total = total ?? transfer.total
      return { body: response.body, skip }
    }
  }
}

/** Tells the listener `(bytes present, size, average rate of this transfer)`. */
function report(options: DownloadOptions, transfer: Transfer, started: number, startedAt: number): void {
  const listener = options.onProgress
  if (!listener) return
  const seconds = (Date.now() - started) / 1000
  const rate = seconds > 0 ? (transfer.offset - startedAt) / seconds : 0
  try {
    listener(transfer.offset, transfer.total ?? transfer.offset, rate)
  } catch (cause) {
    throw new ICloudError({
      code: 'PROGRESS_LISTENER_FAILED',
      message:
        'The progress listener threw, so the download was aborted (see cause). A progress listener must not throw; catch errors inside it.',
      details: { direction: 'download' },
      cause,
    })
  }
}

/**
 * A broken connection (resume it), as opposed to an abort, a refusal or a listener that threw: only
 * network errors reach here raw (undici's socket errors); everything else is already typed.
 */
function resumable(error: unknown): boolean {
  return isSigwireError(error) ? error.code === 'NETWORK_ERROR' : true
}

function networkError(error: unknown, item: DriveItem): unknown {
  if (isSigwireError(error)) return toICloudError(error)
  return new ICloudError({
    code: 'NETWORK_ERROR',
    message: `The download of "${item.name}" broke off and could not be resumed (${(error as Error)?.message ?? 'unknown error'}); try again.`,
    cause: error,
  })
}

/** File system failures as `FILE_WRITE_FAILED`; everything else as it is. */
function fileError(error: unknown, path: string, kept: string | undefined): unknown {
  const errno = error as NodeJS.ErrnoException
  if (isSigwireError(error) || typeof errno?.code !== 'string' || errno.syscall === undefined)
    return toICloudError(error)
  return new ICloudError({
    code: 'FILE_WRITE_FAILED',
    message: `Could not write ${path} (${errno.code}); ${kept ? `the bytes so far are kept in ${kept} to resume from` : 'nothing was left behind'}, and a file already there is unchanged.`,
    details: { path, errno: errno.code },
    cause: error,
  })
}

/** Partial files of other versions of the same target (a kept partial of an older etag). */
async function removeOtherPartials(dir: string, base: string, keep: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  const prefix = `.${base}.`
  for (const name of names)
    if (name.startsWith(prefix) && /^[0-9a-f]{12}\.partial$/.test(name.slice(prefix.length)))
      if (join(dir, name) !== keep) await unlink(join(dir, name)).catch(() => undefined)
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  }
}

/** An error answer of a streamed call, read into memory for its JSON. */
async function readAnswer(response: {
  status: number
  headers: SessionResponse['headers']
  body: Readable
}): Promise<SessionResponse> {
  const chunks: Buffer[] = []
  for await (const chunk of response.body) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return {
    status: response.status,
    headers: response.headers,
    body,
    json<T>() {
      try {
        return JSON.parse(body.toString('utf8')) as T
      } catch {
        return undefined
      }
    },
    header: (name) => firstHeader(response.headers[name.toLowerCase()]),
  }
}

function checkFile(item: DriveItem): void {
  if (!item || item.isFolder || typeof item.docwsid !== 'string')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `Only files can be downloaded; ${item?.name ? `"${item.name}"` : 'this item'} is a ${String(item?.type).toLowerCase()}. Walk a folder to download what is in it.`,
    })
}
