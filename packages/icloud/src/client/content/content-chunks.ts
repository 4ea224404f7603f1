import { Readable } from 'node:stream'
import { type CallOptions, firstHeader, isSigwireError } from '@sigwire/core'
import { ICloudError, toICloudError } from '../../errors.js'
import type { SessionResponse } from '../../session/http.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import { contentRangeOf } from './range.js'

/** Default number of `Range` resumes of a connection that breaks mid-body. */
const DEFAULT_RESUMES = 5
/** Statuses of a content URL that expired or was refused: ask the source for a fresh one. */
const STALE_URL = new Set([401, 403, 410])

/** The content of one file behind a signed, expiring content URL (a Drive document, a Photos rendition). */
export interface ContentSource {
  /** The file as messages name it (`"report.pdf"`, `IMG_0007.JPG`). */
  readonly label: string
  /** Its size as the listing announced it; undefined when unknown. */
  readonly size: number | undefined
  /** The transport's purpose of the content requests (policy and traces). */
  readonly purpose: string
  /** What a caller does when the file changed since it was listed (`list its folder again`). */
  readonly relist: string
  /** A content URL; `fresh` after the previous one was refused as expired. */
  url(fresh: boolean): Promise<string>
  /** The error of a refused content request (a status other than 200 and 206), its body read. */
  refused(response: SessionResponse): unknown
}

/**
 * Told how far a download has come: bytes present so far, the file's size (the bytes present when
 * unknown) and the average rate of this transfer in bytes per second.
 */
export type ContentProgressListener = (transferred: number, total: number, bytesPerSecond: number) => void

/** Options of a content download. */
export interface ContentOptions extends CallOptions {
  /** Progress; see {@link ContentProgressListener}. */
  onProgress?: ContentProgressListener | undefined
  /** `Range` resumes of a connection that breaks mid-body or ends short. Default 5; 0 turns them off. */
  resumeAttempts?: number | undefined
}

/** Where a download stands: bytes present so far, the file's size, connections resumed. */
export interface Transfer {
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
 * The content of `source` from `transfer.offset` on, as chunks. The first response is awaited here (so
 * a missing file or a refused URL fails the call, not the stream); when the connection breaks
 * mid-body or the body ends short, the rest is asked for again with `Range: bytes=<offset>-`
 * (docs/protocols/icloud.md §15.4, §16.7), at most `resumeAttempts` times, and a URL that has
 * expired meanwhile is replaced by a fresh one.
 */
export async function contentChunks(
  caller: ServiceCaller,
  source: ContentSource,
  transfer: Transfer,
  options: ContentOptions,
): Promise<AsyncGenerator<Buffer>> {
  const reader = contentReader(caller, source, transfer, options)
  if (source.size === 0) return (async function* () {})()
  const first = await reader.reopen()
  return (async function* (): AsyncGenerator<Buffer> {
    for (let current: Opened | undefined = first; current !== undefined; ) {
      let failure: { error: unknown } | undefined
      try {
        for await (const chunk of current.body as AsyncIterable<Buffer>) {
          const bytes = reader.take(current, chunk)
          if (bytes !== undefined) yield bytes
        }
      } catch (error) {
        failure = { error }
      }
      current = await reader.next(current, failure)
    }
  })()
}

/**
 * {@link contentChunks} gathered into `into` (the bytes received so far stay there when it fails, for
 * a partial file), with the same resumes and checks. The chunks are taken from `data` events: for the
 * thousands of small files of a Photos library or a Drive folder, the async iteration of each body (an
 * iterator, a generator and a promise per chunk) was the largest part of the client's own work per
 * download.
 */
export async function gatherContent(
  caller: ServiceCaller,
  source: ContentSource,
  transfer: Transfer,
  options: ContentOptions,
  into: Buffer[],
): Promise<void> {
  const reader = contentReader(caller, source, transfer, options)
  if (source.size === 0) return
  for (let current: Opened | undefined = await reader.reopen(); current !== undefined; ) {
    const opened = current
    let failure: { error: unknown } | undefined
    try {
      await drain(opened.body, (chunk) => {
        const bytes = reader.take(opened, chunk)
        if (bytes !== undefined) into.push(bytes)
      })
    } catch (error) {
      failure = { error }
    }
    current = await reader.next(opened, failure)
  }
}

/** Reads `body` to its end, handing each chunk to `onChunk`; rejects with what `onChunk` or the body raised. */
function drain(body: Readable, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false
    body.on('data', (chunk: Buffer) => {
      try {
        onChunk(chunk)
      } catch (error) {
        body.destroy()
        reject(error)
      }
    })
    body.once('end', () => {
      ended = true
      resolve()
    })
    body.once('error', reject)
    body.once('close', () => {
      if (!ended) reject(new Error('the response body closed before its end'))
    })
  })
}

/**
 * What both readers share: the response at `transfer.offset` (reopened on a resumable failure), the
 * bytes of a chunk that are new, progress, and the checks when a body ends.
 */
function contentReader(
  caller: ServiceCaller,
  source: ContentSource,
  transfer: Transfer,
  options: ContentOptions,
) {
  const maxResumes = options.resumeAttempts ?? DEFAULT_RESUMES
  const started = Date.now()
  const startedAt = transfer.offset
  const opener = contentOpener(caller, source, transfer, options)
  const broke = (error: unknown): void => {
    if (!resumable(error) || transfer.resumes >= maxResumes) throw networkError(error, source)
    transfer.resumes++
  }
  /** A body ended: true when the content is complete, false to ask for the rest (throws when it may not). */
  const ended = (): boolean => {
    const total = transfer.total
    if (total === undefined) {
      transfer.total = transfer.offset
      reportProgress(options, transfer, started, startedAt)
      return true
    }
    if (transfer.offset === total) return true
    if (transfer.offset > total)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `The content of ${source.label} was longer than its ${total} bytes.`,
      })
    // The body ended cleanly but short: ask for the rest.
    if (transfer.resumes >= maxResumes)
      throw new ICloudError({
        code: 'DOWNLOAD_INCOMPLETE',
        message: `${source.label}: received ${transfer.offset} of its ${total} bytes, and the content host kept ending short; download it again.`,
      })
    transfer.resumes++
    return false
  }
  const reopen = async (): Promise<Opened> => {
    for (;;) {
      try {
        return await opener()
      } catch (error) {
        broke(error)
      }
    }
  }
  reportProgress(options, transfer, started, startedAt)
  return {
    /** The response at the current offset. */
    reopen,
    /**
     * After `current`'s body ended, or broke with `failure`: the response for the rest, or undefined
     * when the content is complete; throws when it may not go on.
     */
    async next(current: Opened, failure: { error: unknown } | undefined): Promise<Opened | undefined> {
      if (failure !== undefined) {
        current.body.destroy()
        broke(failure.error)
      } else if (ended()) return undefined
      return reopen()
    },
    /** The part of `chunk` past what is already present (undefined when none), counted and reported. */
    take(current: Opened, chunk: Buffer): Buffer | undefined {
      let bytes = chunk
      if (current.skip > 0) {
        if (bytes.byteLength <= current.skip) {
          current.skip -= bytes.byteLength
          return undefined
        }
        bytes = bytes.subarray(current.skip)
        current.skip = 0
      }
      transfer.offset += bytes.byteLength
      reportProgress(options, transfer, started, startedAt)
      return bytes
    },
  }
}

/** The content as one stream (chunks read as the reader asks). */
export async function contentStream(
  caller: ServiceCaller,
  source: ContentSource,
  options: ContentOptions,
): Promise<Readable> {
  const transfer: Transfer = { offset: 0, total: source.size, resumes: 0 }
  const chunks = await contentChunks(caller, source, transfer, options)
  return Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 })
}

/** Opens the content at `transfer.offset`: a fresh URL when needed, the status and range checked. */
function contentOpener(
  caller: ServiceCaller,
  source: ContentSource,
  transfer: Transfer,
  options: CallOptions,
): () => Promise<Opened> {
  let url: string | undefined
  let stale = false
  return async () => {
    for (let refreshed = false; ; refreshed = true) {
      url ??= await source.url(stale)
      const start = transfer.offset
      const response = await caller.contentStream({
        method: 'GET',
        url,
        purpose: source.purpose,
        ...(start > 0 ? { headers: { range: `bytes=${start}-` } } : {}),
        ...callOptions(options),
      })
      if (STALE_URL.has(response.status) && !refreshed) {
        response.body.destroy()
        url = undefined
        stale = true
        continue
      }
      if (response.status !== 200 && response.status !== 206) throw source.refused(await readAnswer(response))
      let total: number | undefined
      let skip = 0
      if (response.status === 206) {
        const range = contentRangeOf(firstHeader(response.headers['content-range']))
        if (range === undefined || range.start !== start) {
          response.body.destroy()
          throw new ICloudError({
            code: 'INVALID_RESPONSE',
            message: `The content host answered a range other than the bytes from ${start} of ${source.label}.`,
          })
        }
        total = range.total
      } else {
        // A server that ignores Range sends the whole file: the bytes already present are skipped.
        const length = firstHeader(response.headers['content-length'])
        total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined
        skip = start
      }
      if (source.size !== undefined && total !== undefined && total !== source.size) {
        response.body.destroy()
        throw new ICloudError({
          code: 'CONFLICT',
          message: `${source.label} changed since it was listed (${total} bytes now, ${source.size} then): ${source.relist} and download the new version.`,
        })
      }
      transfer.total = total ?? transfer.total
      return { body: response.body, skip }
    }
  }
}

/** Tells the listener `(bytes present, size, average rate of this transfer)`. */
export function reportProgress(
  options: ContentOptions,
  transfer: Transfer,
  started: number,
  startedAt: number,
): void {
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

function networkError(error: unknown, source: ContentSource): unknown {
  if (isSigwireError(error)) return toICloudError(error)
  return new ICloudError({
    code: 'NETWORK_ERROR',
    message: `The download of ${source.label} broke off and could not be resumed (${(error as Error)?.message ?? 'unknown error'}); try again.`,
    cause: error,
  })
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
