import { writevSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/**
 * Appends every chunk of `chunks` to `handle`, in order, while the next ones arrive: what arrives
 * during a write is gathered into the next `writev`, and reading pauses while `limit` bytes or more
 * wait behind a write in flight (so memory stays under about twice `limit` plus one chunk). `onChunk`
 * sees each chunk first (a hash). The handle is never closed here: the caller closes it once this
 * settles, and this settles only after its last write has.
 *
 * Why not `stream.pipeline(Readable.from(chunks), writable)`: that is two streams' buffering and
 * events per chunk, and every promise `pipeline` builds an AbortController and aborts it when it
 * finishes (a DOMException with a stack trace): for a 5,000-photo sync, a CPU profile put about 0.4 s
 * in those DOMExceptions alone, besides the two streams' work per chunk. And
 * `fs.createWriteStream('', { fd, autoClose: false })` closes the descriptor when
 * destroyed anyway (https://github.com/nodejs/node/issues/49241), so a later `handle.close()` would
 * close the same number a second time.
 */
export async function writeChunks(
  handle: FileHandle,
  chunks: AsyncIterable<Buffer>,
  limit: number,
  onChunk?: (chunk: Buffer) => void,
): Promise<void> {
  let queue: Buffer[] = []
  let queued = 0
  let busy = false
  let failure: { error: unknown } | undefined
  let writing: Promise<void> = Promise.resolve()
  const startWrite = (): void => {
    const batch = queue
    queue = []
    queued = 0
    busy = true
    // Never rejects: a failed write is kept in `failure` and thrown by the loop.
    writing = writeAll(handle, batch).then(
      () => {
        busy = false
      },
      (error: unknown) => {
        busy = false
        failure ??= { error }
      },
    )
  }
  const rethrow = (): void => {
    if (failure) throw failure.error
  }
  try {
    for await (const chunk of chunks) {
      rethrow()
      onChunk?.(chunk)
      if (chunk.byteLength === 0) continue
      queue.push(chunk)
      queued += chunk.byteLength
      if (!busy) startWrite()
      else if (queued >= limit) {
        await writing
        rethrow()
        startWrite()
      }
    }
    await writing
    rethrow()
    if (queue.length > 0) {
      startWrite()
      await writing
      rethrow()
    }
  } finally {
    await writing
  }
}

/** Writes every byte of `buffers` at the descriptor's position, synchronously, looping over short writes. */
export function writeAllSync(fd: number, buffers: readonly Buffer[]): void {
  let pending = buffers
  while (pending.length > 0) pending = remainder(pending, writevSync(fd, pending))
}

/** Writes every byte of `buffers` at the handle's position, looping over short writes. */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
  let pending = buffers
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending)
    pending = remainder(pending, bytesWritten)
  }
}

/** What is left of `buffers` after their first `written` bytes. */
export function remainder(buffers: readonly Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = []
  let skip = written
  for (const buffer of buffers) {
    if (skip >= buffer.byteLength) skip -= buffer.byteLength
    else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer)
      skip = 0
    }
  }
  return rest
}
