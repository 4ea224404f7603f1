import { toHex } from '../encoding/hex.js'
import { utf8Decode } from '../encoding/utf8.js'
import { lazyTraceTokens } from '../tokens/lazy-trace.js'
import { isBytesToken, type Token, type TokenTrace } from '../tokens/token.js'
import { SECRET_HEX_MASK, SECRET_TEXT_MASK } from '../tokens/trace-tokens.js'

/** One side of a {@link TokenDifference}. */
export interface TokenSide {
  /** The token's label, or undefined when this side has no token at that position. */
  readonly label: string | undefined
  /** The token's text (masked when secret). */
  readonly text: string
  /** The token's UTF-8 hex (masked when secret). */
  readonly hex: string
}

/** The first place two token lists differ. */
export interface TokenDifference {
  /** Index of the first differing token. */
  readonly index: number
  /** Label of that token (from the expected list, else the actual one). */
  readonly label: string
  /** Byte offset of the first differing byte in the rendered string. */
  readonly byteOffset: number
  /** Byte offset of the first differing byte inside the token. */
  readonly offsetInToken: number
  /** `value`: same position, different bytes; `missing`: actual ran out; `extra`: actual has more. */
  readonly kind: 'value' | 'missing' | 'extra'
  /** What the token should be. */
  readonly expected: TokenSide
  /** What it was. */
  readonly actual: TokenSide
  /**
   * Every expected token as a trace row (label, text, UTF-8 hex, offset; secrets masked), computed on
   * first read: what a UI draws as the expected string-to-sign.
   */
  readonly expectedTokens?: readonly TokenTrace[]
  /** Every token the client signed, lined up the same way (secrets masked), computed on first read. */
  readonly actualTokens?: readonly TokenTrace[]
}

/**
 * Finds the first token where `actual` differs from `expected`, with the byte offset of the first
 * differing byte in the rendered string. Returns undefined when both render the same token sequence.
 * Secret tokens are compared but never shown. Streamed tokens compare by length only.
 */
export function diffTokens(
  expected: readonly Token[],
  actual: readonly Token[],
): TokenDifference | undefined {
  let offset = 0
  const rows = () => ({ expectedTokens: lazyTraceTokens(expected), actualTokens: lazyTraceTokens(actual) })
  const count = Math.max(expected.length, actual.length)
  for (let index = 0; index < count; index++) {
    const e = expected[index]
    const a = actual[index]
    if (e === undefined || a === undefined) {
      return {
        index,
        label: (e ?? a)!.label,
        byteOffset: offset,
        offsetInToken: 0,
        kind: e === undefined ? 'extra' : 'missing',
        expected: side(e),
        actual: side(a),
        ...rows(),
      }
    }
    const at = firstDifference(e, a)
    if (at !== -1) {
      return {
        index,
        label: e.label,
        byteOffset: offset + at,
        offsetInToken: at,
        kind: 'value',
        expected: side(e),
        actual: side(a),
        ...rows(),
      }
    }
    offset += isBytesToken(e) ? e.bytes.byteLength : e.stream.byteLength
  }
  return undefined
}

function firstDifference(e: Token, a: Token): number {
  if (!isBytesToken(e) || !isBytesToken(a)) {
    const el = isBytesToken(e) ? e.bytes.byteLength : e.stream.byteLength
    const al = isBytesToken(a) ? a.bytes.byteLength : a.stream.byteLength
    return el === al ? -1 : Math.min(el, al)
  }
  const x = e.bytes
  const y = a.bytes
  const length = Math.min(x.byteLength, y.byteLength)
  for (let i = 0; i < length; i++) if (x[i] !== y[i]) return i
  return x.byteLength === y.byteLength ? -1 : length
}

function side(token: Token | undefined): TokenSide {
  if (token === undefined) return { label: undefined, text: '', hex: '' }
  if (token.secret) return { label: token.label, text: SECRET_TEXT_MASK, hex: SECRET_HEX_MASK }
  if (!isBytesToken(token))
    return { label: token.label, text: `<${token.stream.byteLength} bytes, streamed>`, hex: '' }
  return { label: token.label, text: utf8Decode(token.bytes), hex: toHex(token.bytes) }
}
