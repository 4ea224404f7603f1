import type { FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'

/**
 * A writable that appends to an open `FileHandle` and never closes it, even when destroyed: the
 * caller closes the handle, and `FileHandle.close()` waits for the writes still in flight.
 *
 * `fs.createWriteStream('', { fd, autoClose: false })` is not that: its `destroy()` (which
 * `pipeline` calls on any error, such as an abort) still closes the descriptor
 * (https://github.com/nodejs/node/issues/49241), so a later `handle.close()` closed the same number a
 * second time, by then possibly reused by another file or socket of the process.
 */
export function fileSink(handle: FileHandle, highWaterMark: number): Writable {
  return new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      writeAll(handle, [chunk]).then(() => callback(), callback)
    },
    writev(chunks, callback) {
      writeAll(
        handle,
        chunks.map((c) => c.chunk as Buffer),
      ).then(() => callback(), callback)
    },
  })
}

/** Writes every byte of `buffers` at the handle's position, looping over short writes. */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
  let pending = buffers.filter((b) => b.byteLength > 0)
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending)
    pending = remainder(pending, bytesWritten)
  }
}

/** What is left of `buffers` after their first `written` bytes. */
function remainder(buffers: readonly Buffer[], written: number): Buffer[] {
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
