import { utf8Encode } from '../encoding/utf8.js'
import { renderTokens } from '../tokens/render-tokens.js'
import { type BytesToken, bytesToken, isBytesToken, type Token } from '../tokens/token.js'

/** A token a protocol recognises by its shape (an ISO 8601 date, a URL) rather than by a separator. */
export interface ClaimedShape {
  /** Label of the token it finds. */
  readonly label: string
  /**
   * The pattern (ASCII; matched against the string's bytes as Latin-1). With separators it is tried at
   * the start of each field only; without, the first match splits the text around it.
   */
  readonly pattern: RegExp
}

/** How a protocol's string-to-sign is split when it is not the expected one. */
export interface ClaimedStringGrammar {
  /** Literal separators between fields: `:` for CloudKit, `&` and `=` for Safe Creative. */
  readonly separators?: readonly string[]
  /** Tokens found by their shape, kept whole even when they contain a separator (a date's colons). */
  readonly shapes?: readonly ClaimedShape[]
  /**
   * The protocol's full token order, which labels pieces beyond the expected tokens (Apple News: a
   * Content-Type signed on a request whose expected tokens end with the date).
   */
  readonly order?: readonly string[]
}

/** The label of a field that is neither a separator nor one of the grammar's shapes. */
export const CLAIMED_TEXT_LABEL = 'text'

interface Piece {
  label: string
  start: number
  end: number
}

/**
 * Splits the string a client says it signed into tokens lined up with `expected` (the tokens the server
 * rebuilds), so that `diffTokens(expected, result)` names the first token that differs and the exact
 * byte where it differs. The doctors of every protocol use it.
 *
 * Tokens before the first differing byte are cut at the expected boundaries, and tokens that end the
 * claimed string byte for byte are matched from the end; what lies between is split by the protocol's
 * grammar (separators, shapes) and labelled with the expected labels in order. The token holding the
 * first differing byte is never cut before that byte, so the diff's offset is the true one. Pieces in
 * the place of a secret token, and pieces holding a secret token's bytes, are secret.
 *
 * With no `expected` tokens it is the protocol's lexer: the whole string split by the grammar, each piece
 * labelled by its shape, its separator, or {@link CLAIMED_TEXT_LABEL}.
 */
export function tokenizeClaimedString(
  claimed: string | Uint8Array,
  expected: readonly Token[],
  grammar: ClaimedStringGrammar = {},
): BytesToken[] {
  const bytes = typeof claimed === 'string' ? utf8Encode(claimed) : claimed
  // Streamed expected tokens cannot be compared byte by byte: split the whole string by the grammar.
  const known: readonly BytesToken[] = expected.every(isBytesToken) ? expected : []
  const rendered = renderTokens(known)
  const D = firstDifference(rendered, bytes)
  if (D === undefined) return known.map((t, i) => piece(bytes, t.label, offsetOf(known, i), t, known))

  // Tokens wholly before the first differing byte are the client's too.
  let p = 0
  let P = 0
  while (p < known.length && P + known[p]!.bytes.byteLength <= D) P += known[p++]!.bytes.byteLength
  // Tokens that end the claimed string byte for byte, none of them reaching back to the difference.
  let s = 0
  let E = bytes.byteLength
  while (known.length - 1 - s >= p) {
    const token = known[known.length - 1 - s]!
    const start = E - token.bytes.byteLength
    if (start < Math.max(P, D + 1) || !bytesAt(bytes, start, token.bytes)) break
    E = start
    s++
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const separators = grammar.separators ?? []
  const isSeparator = (token: BytesToken) => separators.includes(latin1(token.bytes))
  // A field closes where the region ends: at the end of the string, or before a separator token.
  const closes = s === 0 || isSeparator(known[known.length - s]!)
  // Bytes inserted right after a field that lex as one with it lengthen that field ("1" signed as
  // "10", a query appended to a path, a charset appended to a Content-Type).
  if (p > 0 && s === known.length - p && P === D && E > P && !isSeparator(known[p - 1]!)) {
    const start = P - known[p - 1]!.bytes.byteLength
    const afterSeparator = p === 1 || isSeparator(known[p - 2]!)
    if (lex(text.slice(0, E), start, afterSeparator, closes, grammar).length === 1) {
      p--
      P = start
    }
  }
  const middle = known.slice(p, known.length - s)
  const afterSeparator = p === 0 ? true : isSeparator(known[p - 1]!)
  const pieces = lex(text.slice(0, E), P, afterSeparator, closes, grammar)
  // The first piece reaches the differing byte, unless the claimed field ends there (at a separator or
  // where another shaped token begins).
  while (
    pieces.length > 1 &&
    (pieces[0]!.end < D || (pieces[0]!.end === D && pieces[1]!.label === CLAIMED_TEXT_LABEL))
  ) {
    pieces[0]!.end = pieces[1]!.end
    pieces.splice(1, 1)
  }
  while (pieces.length < middle.length) {
    const at = pieces.length === 0 ? P : pieces[pieces.length - 1]!.end
    pieces.push({ label: CLAIMED_TEXT_LABEL, start: at, end: at })
  }

  const out: BytesToken[] = []
  for (let i = 0; i < p; i++) out.push(piece(bytes, known[i]!.label, offsetOf(known, i), known[i]!, known))
  pieces.forEach((x, i) => {
    const place = middle[i]
    const label = place?.label ?? grammar.order?.[p + i] ?? x.label
    out.push(secretAware(bytes, label, x.start, x.end, place?.secret === true, known))
  })
  for (let i = known.length - s; i < known.length; i++) {
    const start = bytes.byteLength - (rendered.byteLength - offsetOf(known, i))
    out.push(piece(bytes, known[i]!.label, start, known[i]!, known))
  }
  return out
}

/** Splits `text` from `from` to its end into separators, shaped tokens and plain fields. */
function lex(
  text: string,
  from: number,
  afterSeparator: boolean,
  closes: boolean,
  grammar: ClaimedStringGrammar,
): Piece[] {
  const separators = grammar.separators ?? []
  const shapes = (grammar.shapes ?? []).map((s) => ({
    label: s.label,
    sticky: new RegExp(s.pattern.source, `${s.pattern.flags.replace(/[gy]/g, '')}y`),
    search: new RegExp(s.pattern.source, `${s.pattern.flags.replace(/[gy]/g, '')}g`),
  }))
  const fields = separators.length > 0
  const out: Piece[] = []
  let pos = from
  let fieldStart = afterSeparator
  const separatorAt = (at: number) => separators.find((sep) => text.startsWith(sep, at))
  while (pos < text.length) {
    const sep = separatorAt(pos)
    if (sep !== undefined) {
      // Two separators in a row (or one at the start) enclose an empty field.
      if (fields && fieldStart) out.push({ label: CLAIMED_TEXT_LABEL, start: pos, end: pos })
      out.push({ label: sep, start: pos, end: pos + sep.length })
      pos += sep.length
      fieldStart = true
      continue
    }
    const shaped = !fields || fieldStart ? shapeAt(text, pos, shapes) : undefined
    if (shaped) {
      out.push({ label: shaped.label, start: pos, end: shaped.end })
      pos = shaped.end
    } else {
      const end = fields ? nextSeparator(text, pos, separators) : nextShape(text, pos + 1, shapes)
      out.push({ label: CLAIMED_TEXT_LABEL, start: pos, end })
      pos = end
    }
    fieldStart = false
  }
  if (fields && fieldStart && closes && out.length > 0)
    out.push({ label: CLAIMED_TEXT_LABEL, start: pos, end: pos })
  return out
}

function shapeAt(
  text: string,
  pos: number,
  shapes: readonly { label: string; sticky: RegExp }[],
): { label: string; end: number } | undefined {
  for (const shape of shapes) {
    shape.sticky.lastIndex = pos
    const match = shape.sticky.exec(text)
    if (match && match[0].length > 0) return { label: shape.label, end: pos + match[0].length }
  }
  return undefined
}

function nextSeparator(text: string, from: number, separators: readonly string[]): number {
  let end = text.length
  for (const sep of separators) {
    const at = text.indexOf(sep, from)
    if (at !== -1 && at < end) end = at
  }
  return end
}

function nextShape(text: string, from: number, shapes: readonly { search: RegExp }[]): number {
  let end = text.length
  for (const shape of shapes) {
    shape.search.lastIndex = from
    const match = shape.search.exec(text)
    if (match && match[0].length > 0 && match.index < end) end = match.index
  }
  return end
}

function firstDifference(a: Uint8Array, b: Uint8Array): number | undefined {
  const length = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i
  return a.byteLength === b.byteLength ? undefined : length
}

function offsetOf(tokens: readonly BytesToken[], index: number): number {
  let offset = 0
  for (let i = 0; i < index; i++) offset += tokens[i]!.bytes.byteLength
  return offset
}

function bytesAt(bytes: Uint8Array, at: number, part: Uint8Array): boolean {
  for (let i = 0; i < part.byteLength; i++) if (bytes[at + i] !== part[i]) return false
  return true
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}

function piece(
  bytes: Uint8Array,
  label: string,
  start: number,
  token: BytesToken,
  known: readonly BytesToken[],
): BytesToken {
  return secretAware(bytes, label, start, start + token.bytes.byteLength, token.secret === true, known)
}

function secretAware(
  bytes: Uint8Array,
  label: string,
  start: number,
  end: number,
  secret: boolean,
  known: readonly BytesToken[],
): BytesToken {
  const view = bytes.subarray(start, end)
  const holdsSecret =
    secret || known.some((t) => t.secret === true && t.bytes.byteLength > 0 && contains(view, t.bytes))
  return bytesToken(label, view, { secret: holdsSecret })
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
  )
}
