import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/**
 * The emulator's `fileChecksum`: Apple's shape (21 bytes, the first 0x01, base64), here 0x01 followed
 * by the SHA-1 of the bytes. Apple's own algorithm is not published (§16.8): clients must not rely on
 * this form.
 */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha1')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return checksumOf(hash)
}

/** {@link fileChecksum} of bytes in memory. */
export function sha1Checksum(bytes: Uint8Array): string {
  return checksumOf(createHash('sha1').update(bytes))
}

/** {@link fileChecksum} from a SHA-1 that was fed the bytes as they streamed past (an upload). */
export function checksumOf(sha1: Hash): string {
  return Buffer.concat([Buffer.from([1]), sha1.digest()]).toString('base64')
}
