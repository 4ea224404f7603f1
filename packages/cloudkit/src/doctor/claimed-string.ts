/** What a field of a client's string-to-sign looks like. */
export type FieldKind = 'date' | 'method' | 'target' | 'hash'

/** One `:`-separated field of a client's string-to-sign, classified. */
export interface ClaimedField {
  readonly kind: FieldKind
  readonly text: string
}

const DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/y
const METHOD = /(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)(?=:|$)/iy
const TARGET_START = /(?:[a-z][a-z0-9+.-]*:\/\/|\/(?:database|device)\/|[a-z0-9-]+(?:\.[a-z0-9-]+)+\/)/iy
/** The shapes of a SHA-256 hash field: base64, hex, base64 of hex, base64url. */
const HASH_FIELD = /(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64}|[A-Za-z0-9+/]{86}==|[A-Za-z0-9_-]{43})(?=:|$)/y
const HASH_AT_END = /^[A-Za-z0-9+/=_-]*$/

/**
 * Splits a client's claimed string-to-sign into classified fields. The message is not simply split on
 * `:`, because the date carries colons and a URL may carry a scheme and port: dates are recognised by
 * their ISO 8601 shape, and a target (path or URL) runs until a `:` that is followed by a date or by a
 * last field that looks like a hash. Works for the correct layout and for the published mistakes
 * (`METHOD:path:date:hash`, a full URL as the third field).
 */
export function splitClaimedString(text: string): ClaimedField[] {
  const fields: ClaimedField[] = []
  let pos = 0
  while (pos <= text.length) {
    const next = readField(text, pos)
    fields.push(next.field)
    if (next.end >= text.length) break
    pos = next.end + 1
  }
  return fields
}

function readField(text: string, pos: number): { field: ClaimedField; end: number } {
  for (const [kind, pattern] of [
    ['date', DATE],
    ['method', METHOD],
  ] as const) {
    pattern.lastIndex = pos
    const match = pattern.exec(text)
    if (match && (pattern.lastIndex === text.length || text[pattern.lastIndex] === ':'))
      return { field: { kind, text: match[0] }, end: pattern.lastIndex }
  }
  TARGET_START.lastIndex = pos
  const targetLike = TARGET_START.test(text)
  HASH_FIELD.lastIndex = pos
  // A base64 hash may start with "/", so a bare "/" starts a target only when the field is no hash.
  if (targetLike || (text[pos] === '/' && !HASH_FIELD.test(text))) {
    const end = targetEnd(text, pos)
    return { field: { kind: 'target', text: text.slice(pos, end) }, end }
  }
  const colon = text.indexOf(':', pos)
  const end = colon === -1 ? text.length : colon
  return { field: { kind: 'hash', text: text.slice(pos, end) }, end }
}

function targetEnd(text: string, start: number): number {
  for (let colon = text.indexOf(':', start); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    DATE.lastIndex = colon + 1
    if (DATE.test(text)) return colon
    const rest = text.slice(colon + 1)
    if (!rest.includes(':') && rest.length >= 20 && HASH_AT_END.test(rest)) return colon
  }
  return text.length
}
