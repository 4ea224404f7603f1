import { closeSync, createReadStream, openSync, readSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { Finding } from '@sigwire/core/doctor'

/** Headers of a reply (`set-cookie` may be a list). */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[]>>

/**
 * What a reply carries: JSON, text or bytes with their type, a file streamed from disk (`size` bytes
 * from offset `start`, default 0: a range answer), or nothing.
 */
export type ReplyBody =
  | {
      /** A value sent as `JSON.stringify(json)`, typed `application/json; charset=utf-8` by default. */
      readonly json: unknown
    }
  | {
      /** Text sent as UTF-8. */
      readonly text: string
      /** The `content-type` sent unless the reply's headers name one. */
      readonly type: string
    }
  | {
      /** Bytes sent as they are. */
      readonly bytes: Uint8Array
      /** The `content-type` sent unless the reply's headers name one. */
      readonly type: string
    }
  | {
      /** Path of a file streamed from disk (an asset download), never read into memory. */
      readonly file: string
      /** The file's length in bytes, sent as `content-length` before the file is read. */
      readonly size: number
      /** The `content-type` sent unless the reply's headers name one. */
      readonly type: string
      /** Offset of the first byte sent (a range answer). Default 0. */
      readonly start?: number
    }

/** The one answer shape every route handler and error renderer returns; the kit writes it. */
export interface Reply {
  /** HTTP status code. */
  readonly status: number
  /** The body; absent for an empty answer (sent with `content-length: 0`). */
  readonly body?: ReplyBody
  /** Response headers; they override the emulator's defaults (such as `date`). */
  readonly headers?: ReplyHeaders
  /**
   * The doctor's findings about a request the emulator accepted although it deviates from the
   * expected shape (a lenient default that a `strict` profile would refuse); recorded in the request
   * log, never sent.
   */
  readonly findings?: readonly Finding[]
}

/** Builds a {@link Reply}. `reply(200, { json: value })`, `reply(204)`, `reply(302, undefined, { location })`. */
export function reply(status: number, body?: ReplyBody, headers?: ReplyHeaders): Reply {
  return { status, ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) }
}

/** Options of {@link writeReply}. */
export interface WriteReplyOptions {
  /**
   * Sends the head and only this many bytes of the body, then destroys the connection (the injected
   * mid-body drop fault).
   */
  readonly dropAfterBytes?: number
}

/**
 * Writes a reply. JSON is sent as `application/json; charset=utf-8` unless the reply names its own
 * `content-type`; `defaults` (such as `date`) are overridden by the reply's headers.
 */
export async function writeReply(
  res: ServerResponse,
  answer: Reply,
  defaults: Readonly<Record<string, string>> = {},
  options: WriteReplyOptions = {},
): Promise<void> {
  const drop = options.dropAfterBytes
  if (res.destroyed || res.writableEnded) return
  const headers: Record<string, string | readonly string[]> = { ...defaults }
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value
  const body = answer.body
  if (body === undefined) {
    headers['content-length'] ??= '0'
    res.writeHead(answer.status, headers as Record<string, string | string[]>).end()
    return
  }
  if ('file' in body) {
    headers['content-type'] ??= body.type
    headers['content-length'] = String(body.size)
    res.writeHead(answer.status, headers as Record<string, string | string[]>)
    const sent = drop === undefined ? body.size : Math.min(drop, body.size)
    if (sent > 0 && drop === undefined && sent <= SMALL_FILE) {
      const buffer = takeBuffer()
      const bytes = readSmall(buffer, body.file, body.start ?? 0, sent)
      // The file shrank since its size was read: the connection breaks, as a short stream would break it.
      if (bytes === undefined) {
        giveBack(buffer)
        res.destroy()
      }
      // Back to the pool once the socket has taken the bytes; never, when the write fails (the
      // buffer is then left to the garbage collector).
      else res.end(bytes, () => giveBack(buffer))
    } else if (sent > 0) {
      const start = body.start ?? 0
      const source = createReadStream(body.file, { start, end: start + sent - 1 })
      if (drop === undefined) await pipeline(source, res)
      else {
        for await (const chunk of source) await writeChunk(res, chunk as Buffer)
        res.destroy()
      }
    } else if (drop === undefined) res.end()
    else res.destroy()
    return
  }
  let bytes: Uint8Array | string
  if ('json' in body) {
    bytes = JSON.stringify(body.json) ?? 'null'
    headers['content-type'] ??= 'application/json; charset=utf-8'
  } else if ('text' in body) {
    bytes = body.text
    headers['content-type'] ??= body.type
  } else {
    bytes = body.bytes
    headers['content-type'] ??= body.type
  }
  headers['content-length'] = String(typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength)
  if (drop === undefined) {
    res.writeHead(answer.status, headers as Record<string, string | string[]>).end(bytes)
    return
  }
  res.writeHead(answer.status, headers as Record<string, string | string[]>)
  await writeChunk(res, Buffer.from(bytes).subarray(0, drop))
  res.destroy()
}

/**
 * Files up to this size are read whole with synchronous calls and sent in one write: a read stream
 * and a pipeline per download cost several times the read itself, and a Photos library or a Drive
 * folder of small files is thousands of them.
 */
const SMALL_FILE = 256 * 1024

/**
 * Buffers of {@link SMALL_FILE} bytes that small files are read into, reused once the socket has taken
 * the bytes. A fresh buffer per download was a quarter of a serving emulator's CPU in garbage
 * collection (5,500 Photos downloads of about 60 kB: V8 collects often when external memory grows
 * that fast); the pool holds as many as were ever in flight at once, up to {@link POOLED}.
 */
const pool: Buffer[] = []
const POOLED = 64

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(SMALL_FILE)
}

function giveBack(buffer: Buffer): void {
  if (pool.length < POOLED) pool.push(buffer)
}

/** `length` bytes of `path` from `start` read into `buffer` (a view of it), or undefined when the file holds fewer. */
function readSmall(buffer: Buffer, path: string, start: number, length: number): Buffer | undefined {
  const bytes = buffer.subarray(0, length)
  const fd = openSync(path, 'r')
  try {
    for (let at = 0; at < length; ) {
      const read = readSync(fd, bytes, at, length - at, start + at)
      if (read === 0) return undefined
      at += read
    }
  } finally {
    closeSync(fd)
  }
  return bytes
}

/** Writes one chunk and waits until the socket has taken it. */
function writeChunk(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (chunk.length === 0) {
      resolve()
      return
    }
    res.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}
