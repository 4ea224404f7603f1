import { SigwireError } from '../errors/sigwire-error.js'

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Standard base64 with `=` padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** URL-safe base64 without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/** True when `text` is strict standard base64: right alphabet, right padding, no whitespace. */
export function isBase64(text: string): boolean {
  return STRICT_BASE64.test(text)
}

/**
 * Decodes strict standard base64. Node's own decoder silently skips invalid characters, which turns a
 * mistyped secret into a different key; this one throws `INVALID_BASE64` and says what was wrong.
 */
export function fromBase64(text: string, what = 'value'): Uint8Array {
  if (!STRICT_BASE64.test(text)) {
    const hint = /\s/.test(text)
      ? 'it contains whitespace'
      : /[-_]/.test(text) && BASE64URL.test(text.replace(/=+$/, ''))
        ? 'it looks like base64url (- and _); convert - to + and _ to /'
        : text.length % 4 !== 0
          ? `its length ${text.length} is not a multiple of 4 (missing = padding?)`
          : 'it contains characters outside A-Z a-z 0-9 + / ='
    throw new SigwireError({
      code: 'INVALID_BASE64',
      message: `The ${what} is not valid base64: ${hint}.`,
      details: { what },
    })
  }
  return new Uint8Array(Buffer.from(text, 'base64'))
}
