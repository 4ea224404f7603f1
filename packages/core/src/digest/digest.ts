import { createHash, createHmac, hash, type KeyObject, timingSafeEqual } from 'node:crypto'

/** Data a digest accepts: bytes, or text hashed as UTF-8. */
export type DigestInput = Uint8Array | string

/** Hash algorithms the protocols here use. */
export type HashAlgorithm = 'sha1' | 'sha256'

// One-shot `crypto.hash` (Node.js 20.12+, https://nodejs.org/api/crypto.html#cryptohashalgorithm-data-outputencoding)
// skips the Hash object: for the short strings and bodies signed here it is 3-4x faster than
// createHash().update().digest() (`pnpm bench --only=signing-safe-creative` has both rows).

/** SHA-1 of `data` (Safe Creative signatures). */
export function sha1(data: DigestInput): Uint8Array {
  return hash('sha1', data, 'buffer')
}

/** SHA-256 of `data`. */
export function sha256(data: DigestInput): Uint8Array {
  return hash('sha256', data, 'buffer')
}

/** HMAC-SHA256 of `data` keyed with `key` (raw bytes or a secret KeyObject parsed once). */
export function hmacSha256(key: Uint8Array | KeyObject, data: DigestInput): Uint8Array {
  return createHmac('sha256', key).update(data).digest()
}

/** Digest of a stream of chunks, in one pass and constant memory. */
export async function digestStream(
  algorithm: HashAlgorithm,
  source: AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  const hash = createHash(algorithm)
  for await (const chunk of source) hash.update(chunk)
  return hash.digest()
}

/** HMAC-SHA256 of a stream of chunks, in one pass and constant memory. */
export async function hmacSha256Stream(
  key: Uint8Array | KeyObject,
  source: AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  const hmac = createHmac('sha256', key)
  for await (const chunk of source) hmac.update(chunk)
  return hmac.digest()
}

/** Compares two byte strings in constant time (for MACs and digests); different lengths are unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return timingSafeEqual(a, b)
}
