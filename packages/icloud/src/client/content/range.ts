/** A parsed `Content-Range: bytes <start>-<end>/<total>` (RFC 9110 §14.4). */
export interface ContentRange {
  readonly start: number
  readonly end: number
  /** Undefined when the server wrote `*` (size unknown). */
  readonly total: number | undefined
}

/** Parses a `Content-Range` header of a 206 answer; undefined when it is absent or malformed. */
export function contentRangeOf(value: string | undefined): ContentRange | undefined {
  const match = value === undefined ? null : /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(value.trim())
  if (!match) return undefined
  const start = Number(match[1])
  const end = Number(match[2])
  const total = match[3] === '*' ? undefined : Number(match[3])
  if (end < start || (total !== undefined && end >= total)) return undefined
  return { start, end, total }
}
