import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { safeCreativeError } from '../errors.js'

/** The SHA-1 (lower-case hex, as `search.byhash` wants it) and size of a file, read in constant memory. */
export async function fileSha1(path: string, signal?: AbortSignal): Promise<{ sha1: string; size: number }> {
  const hash = createHash('sha1')
  let size = 0
  try {
    for await (const chunk of createReadStream(path, signal ? { signal } : {})) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).byteLength
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e.name === 'AbortError') throw safeCreativeError('ABORTED', `Hashing ${path} was aborted.`)
    throw safeCreativeError(
      'BODY_READ_FAILED',
      `Cannot read ${path} (${e.code ?? e.message}); check the path and its permissions.`,
    )
  }
  return { sha1: hash.digest('hex'), size }
}
