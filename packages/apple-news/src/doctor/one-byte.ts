import { createHmac, type KeyObject } from 'node:crypto'
import { fromBase64, isBase64, type Token, tokensByteLength } from '@sigwire/core'
import { findOneByteEdit } from '@sigwire/core/doctor'

/** Strings to sign up to this length are searched in every byte (about a second of HMACs at most). */
export const FULL_SEARCH_BYTES = 2048
/** Up to this length only method, URL, date and Content-Type are searched; beyond it, nothing. */
export const HEAD_SEARCH_BYTES = 8192

const ALL = new Set(['method', 'url', 'date', 'content-type', 'body'])
const HEAD = new Set(['method', 'url', 'date', 'content-type'])

/**
 * The tokens an HHMAC `signature` was made over when they differ from `expected` (the request as
 * received) in one byte, or undefined. No known mistake of the doctor's catalogue explains such a
 * signature, yet it is common: a proxy or a framework changed one character, or the client signed a
 * stale digit of the date. `onProgress` hears the share searched.
 */
export function appleNewsOneByteEdit(
  expected: readonly Token[],
  key: KeyObject | Uint8Array,
  signature: string,
  onProgress?: (fraction: number) => void,
): Token[] | undefined {
  const length = tokensByteLength(expected)
  if (!isBase64(signature) || length > HEAD_SEARCH_BYTES) return undefined
  const provided = Buffer.from(fromBase64(signature))
  return findOneByteEdit(
    expected,
    (message) => createHmac('sha256', key).update(message).digest().equals(provided),
    length <= FULL_SEARCH_BYTES ? ALL : HEAD,
    onProgress,
  )
}
