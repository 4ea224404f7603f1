import { SigwireError } from '../errors/sigwire-error.js'

/** Standard base64 with `=` padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** URL-safe base64 without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

// 1 for the 64 characters of the standard alphabet (RFC 4648 §4, table 1).
const ALPHABET = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  ALPHABET[c.charCodeAt(0)] = 1

/**
 * True when `text` is strict standard base64: right alphabet, right padding, no whitespace. A plain
 * scan rather than a regular expression: a pattern of repeated groups overflows V8's backtracking
 * stack (an untyped `RangeError`) on inputs of a few million characters.
 */
export function isBase64(text: string): boolean {
  const length = text.length
  if (length % 4 !== 0) return false
  let end = length
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--
  if (end > 0 && text.charCodeAt(end - 1) === 61 && end === length - 1) end--
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c >= 128 || ALPHABET[c] === 0) return false
  }
  return true
}

/**
 * Decodes strict standard base64, of any size. Node's own decoder silently skips invalid characters,
 * which turns a mistyped secret into a different key; this one throws `INVALID_BASE64` and says what
 * was wrong.
 */
export function fromBase64(text: string, what = 'value'): Uint8Array {
  if (typeof text !== 'string' || !isBase64(text)) {
    throw new SigwireError({
      code: 'INVALID_BASE64',
      message: `The ${what} is not valid base64: ${typeof text === 'string' ? problemOf(text) : `it is a ${typeof text}, not a string`}.`,
      details: { what },
    })
  }
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/** Why `text` is not strict base64, in words. */
function problemOf(text: string): string {
  let urlSafe = false
  let other = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) return 'it contains whitespace'
    if (c === 45 || c === 95) urlSafe = true
    else if (c !== 61 && (c >= 128 || ALPHABET[c] === 0)) other = true
  }
  if (urlSafe && !other) return 'it looks like base64url (- and _); convert - to + and _ to /'
  if (text.length % 4 !== 0) return `its length ${text.length} is not a multiple of 4 (missing = padding?)`
  return 'it contains characters outside A-Z a-z 0-9 + / ='
}
