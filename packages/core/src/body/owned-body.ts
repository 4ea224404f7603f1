import { createHash } from 'node:crypto'
import { type FileHandle, open, stat } from 'node:fs/promises'
import { sha256 } from '../digest/digest.js'
import { utf8Encode } from '../encoding/utf8.js'
import { invalidArgument } from '../errors/invalid-argument.js'
import { SigwireError } from '../errors/sigwire-error.js'
import type { ByteSource } from '../tokens/token.js'

/** Where a body's bytes come from. */
export type BodyKind = 'empty' | 'text' | 'json' | 'bytes' | 'file' | 'concat'

const EMPTY = new Uint8Array(0)

/**
 * A request body whose bytes are fixed when it is created. The signer and the transport read the same
 * object, so the bytes that are signed are the bytes that are sent: in-memory bodies copy their input
 * once; file bodies record a SHA-256 fingerprint on their first full read and refuse to send bytes
 * that differ from it (`BODY_CHANGED`).
 *
 * Create one with {@link emptyBody}, {@link textBody}, {@link jsonBody}, {@link bytesBody},
 * {@link fileBody} or {@link concatBodies}.
 */
export abstract class OwnedBody implements ByteSource {
  /** Where the bytes come from. */
  abstract readonly kind: BodyKind
  /** Exact length in bytes (the `Content-Length` that is sent). */
  abstract readonly byteLength: number
  /** The bytes when they are held in memory (read-only view; never mutate), else undefined. */
  abstract inMemoryBytes(): Uint8Array | undefined
  /**
   * A fresh pass over the bytes, in chunks. Every call starts at the beginning. A chunk is valid until
   * the next one is asked for: file bodies read into the same buffers again, so copy a chunk to keep
   * it past that (hashing it, writing it to a socket and waiting for the write, or copying it out are
   * all done by then).
   */
  abstract chunks(): AsyncIterable<Uint8Array>
  #sha256: Promise<Uint8Array> | undefined
  #sha256Bytes: Uint8Array | undefined

  /** SHA-256 of the bytes, computed once (in one streamed pass for files) and remembered. */
  sha256(): Promise<Uint8Array> {
    this.#sha256 ??= this.#computeSha256()
    return this.#sha256
  }

  /** SHA-256 of in-memory bytes without awaiting; undefined for streamed bodies. */
  sha256Sync(): Uint8Array | undefined {
    if (this.#sha256Bytes !== undefined) return this.#sha256Bytes
    const bytes = this.inMemoryBytes()
    if (bytes === undefined) return undefined
    const digest = sha256(bytes)
    this.#sha256Bytes = digest
    this.#sha256 ??= Promise.resolve(digest)
    return digest
  }

  async #computeSha256(): Promise<Uint8Array> {
    const bytes = this.inMemoryBytes()
    if (bytes) return sha256(bytes)
    const hash = createHash('sha256')
    for await (const chunk of this.chunks()) hash.update(chunk)
    return hash.digest()
  }
}

class MemoryBody extends OwnedBody {
  readonly kind: BodyKind
  readonly byteLength: number
  readonly #bytes: Uint8Array

  constructor(kind: BodyKind, bytes: Uint8Array) {
    super()
    this.kind = kind
    this.#bytes = bytes
    this.byteLength = bytes.byteLength
  }

  inMemoryBytes(): Uint8Array {
    return this.#bytes
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    if (this.#bytes.byteLength > 0) yield this.#bytes
  }
}

/** The empty body (a GET, a DELETE). */
export const emptyBody: OwnedBody = new MemoryBody('empty', EMPTY)

/** A body of the UTF-8 bytes of `text`. */
export function textBody(text: string): OwnedBody {
  if (typeof text !== 'string') throw invalidArgument('textBody() takes a string.')
  return new MemoryBody('text', utf8Encode(text))
}

/**
 * A body of the one serialization of `value` (`JSON.stringify`, UTF-8, non-ASCII sent raw). The
 * string is produced exactly once; nothing re-serializes it later.
 */
export function jsonBody(value: unknown): OwnedBody {
  const text = JSON.stringify(value)
  if (text === undefined)
    throw invalidArgument('jsonBody() needs a JSON-serializable value, not undefined or a function.')
  return new MemoryBody('json', utf8Encode(text))
}

/** A body of a private copy of `bytes`: changing `bytes` afterwards changes nothing. */
export function bytesBody(bytes: Uint8Array): OwnedBody {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytesBody() takes a Uint8Array.')
  return new MemoryBody('bytes', new Uint8Array(bytes))
}

/** Options for {@link fileBody}. */
export interface FileBodyOptions {
  /** Read size in bytes. Default 256 KiB. */
  chunkSize?: number
}

/**
 * A body streamed from a file in constant memory. Each pass re-reads the file; a pass that finds
 * bytes different from the first full pass fails with `BODY_CHANGED` before its last chunk is
 * released, so a changed file is never sent under an old signature.
 */
export async function fileBody(path: string, options: FileBodyOptions = {}): Promise<OwnedBody> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch (error) {
    throw new SigwireError({
      code: 'BODY_READ_FAILED',
      message: `Cannot read the body file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}.`,
      cause: error,
    })
  }
  if (!info.isFile())
    throw new SigwireError({
      code: 'BODY_READ_FAILED',
      message: `The body path ${path} is not a regular file.`,
    })
  return new FileBody(path, info.size, options.chunkSize ?? 256 * 1024)
}

class FileBody extends OwnedBody {
  readonly kind = 'file' as const
  readonly byteLength: number
  readonly path: string
  readonly #chunkSize: number
  /** SHA-256 of the first full pass; every later pass must match it. */
  #fingerprint: Uint8Array | undefined
  #digest: Promise<Uint8Array> | undefined

  constructor(path: string, size: number, chunkSize: number) {
    super()
    this.path = path
    this.byteLength = size
    this.#chunkSize = chunkSize
  }

  inMemoryBytes(): undefined {
    return undefined
  }

  /**
   * The fingerprint every pass computes anyway is the body's SHA-256: one pass, one hash (hashing the
   * chunks again here, as the default does, read the file once and hashed it twice).
   */
  override sha256(): Promise<Uint8Array> {
    this.#digest ??= this.#fingerprint ? Promise.resolve(this.#fingerprint) : this.#fullPass()
    return this.#digest
  }

  async #fullPass(): Promise<Uint8Array> {
    for await (const _chunk of this.chunks()) {
      // the pass records the fingerprint
    }
    return this.#fingerprint!
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    const hash = createHash('sha256')
    let seen = 0
    let held: Uint8Array | undefined
    // Two read buffers, reused, instead of a fresh buffer per read: fresh buffers are external memory
    // that V8 frees only at its next GC, which it starts once about 64 MiB of them have piled up, so a
    // fast 1 GiB upload peaked 65 MiB above its baseline. While a buffer is being filled, the other
    // holds the chunk held back (below), and the chunk yielded from this one before was released when
    // the consumer asked for the next (the contract of `chunks()`).
    const size = Math.max(1, Math.min(this.#chunkSize, this.byteLength + 1))
    const buffers: Buffer[] = []
    let handle: FileHandle | undefined
    try {
      handle = await open(this.path, 'r')
      for (let index = 0; ; index++) {
        let buffer = buffers[index & 1]
        if (buffer === undefined) {
          buffer = Buffer.allocUnsafeSlow(size)
          buffers.push(buffer)
        }
        const { bytesRead } = await handle.read(buffer, 0, size, null)
        if (bytesRead === 0) break
        const chunk = buffer.subarray(0, bytesRead)
        hash.update(chunk)
        seen += bytesRead
        if (seen > this.byteLength) throw this.#changed(`it grew beyond ${this.byteLength} bytes`)
        // Hold one chunk back: the last one is released only after the whole file is verified.
        if (held) yield held
        held = chunk
      }
    } catch (error) {
      if (error instanceof SigwireError) throw error
      throw new SigwireError({
        code: 'BODY_READ_FAILED',
        message: `Reading the body file ${this.path} failed: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}.`,
        cause: error,
      })
    } finally {
      await handle?.close().catch(() => undefined)
    }
    if (seen !== this.byteLength) throw this.#changed(`it is now ${seen} bytes, not ${this.byteLength}`)
    const fingerprint = hash.digest()
    if (this.#fingerprint === undefined) this.#fingerprint = fingerprint
    else if (!fingerprint.equals(this.#fingerprint)) throw this.#changed('its contents changed')
    if (held) yield held
  }

  #changed(what: string): SigwireError {
    return new SigwireError({
      code: 'BODY_CHANGED',
      message: `The body file ${this.path} changed after it was signed (${what}). Do not modify a file while it is being uploaded; retry once it is stable.`,
    })
  }
}

/**
 * A body made of several bodies one after another (a multipart envelope around file parts).
 * Each part keeps its own guarantees; the whole is streamed in constant memory.
 */
export function concatBodies(parts: readonly (OwnedBody | Uint8Array)[]): OwnedBody {
  let total = 0
  let inMemory = true
  for (const part of parts) {
    total += part.byteLength
    if (!(part instanceof Uint8Array) && part.inMemoryBytes() === undefined) inMemory = false
  }
  if (inMemory) {
    // Bytes are copied once, straight into the whole (the copy is what makes the body owned).
    const out = new Uint8Array(total)
    let offset = 0
    for (const part of parts) {
      const bytes = part instanceof Uint8Array ? part : part.inMemoryBytes()!
      out.set(bytes, offset)
      offset += bytes.byteLength
    }
    return new MemoryBody('concat', out)
  }
  return new ConcatBody(parts.map((part) => (part instanceof Uint8Array ? bytesBody(part) : part)))
}

class ConcatBody extends OwnedBody {
  readonly kind = 'concat' as const
  readonly byteLength: number
  readonly #parts: readonly OwnedBody[]

  constructor(parts: readonly OwnedBody[]) {
    super()
    this.#parts = parts
    this.byteLength = parts.reduce((sum, part) => sum + part.byteLength, 0)
  }

  inMemoryBytes(): undefined {
    return undefined
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    for (const part of this.#parts) yield* part.chunks()
  }
}

/** True when `value` is an {@link OwnedBody}. */
export function isOwnedBody(value: unknown): value is OwnedBody {
  return value instanceof OwnedBody
}

/** Reads a whole body into memory (for small bodies: tests, verifiers, doctor input). */
export async function readBody(body: OwnedBody): Promise<Uint8Array> {
  const bytes = body.inMemoryBytes()
  if (bytes) return bytes
  const out = new Uint8Array(body.byteLength)
  let offset = 0
  for await (const chunk of body.chunks()) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
