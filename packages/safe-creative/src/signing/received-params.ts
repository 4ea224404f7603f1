import { percentDecode, type ReceivedRequest, receivedHeader, SigwireError, utf8Decode } from '@sigwire/core'
import { safeCreativeError } from '../errors.js'
import type { ParamPair } from './params.js'

/** The parameters of a received request, decoded, and the raw text they came from. */
export interface ReceivedParams {
  /** Query parameters then form-body parameters, decoded (UTF-8, `+` as space, `%XX`), in arrival order. */
  readonly pairs: readonly ParamPair[]
  /** The raw query string (after `?`, undecoded). */
  readonly rawQuery: string
  /** The raw `application/x-www-form-urlencoded` body, or '' when the body is not a form. */
  readonly rawForm: string
}

/**
 * Merges the query and the form body of a received request (Safe Creative accepts parameters by GET,
 * POST, or both at once, §1) and decodes them. The signature covers the merged set.
 * Malformed `%` escapes throw `INVALID_ARGUMENT`.
 */
export function receivedParams(request: ReceivedRequest): ReceivedParams {
  const q = request.target.indexOf('?')
  const afterQ = q === -1 ? '' : request.target.slice(q + 1)
  const rawQuery = afterQ.includes('#') ? afterQ.replace(/#.*$/, '') : afterQ
  const contentType = (receivedHeader(request, 'content-type') ?? '').toLowerCase()
  const rawForm =
    contentType.startsWith('application/x-www-form-urlencoded') && request.body.byteLength > 0
      ? utf8Decode(request.body)
      : ''
  try {
    const pairs: ParamPair[] = []
    parseInto(rawQuery, pairs)
    parseInto(rawForm, pairs)
    return { pairs, rawQuery, rawForm }
  } catch (error) {
    if (error instanceof SigwireError)
      throw safeCreativeError(
        'INVALID_ARGUMENT',
        `The request parameters cannot be decoded: ${error.message}`,
      )
    throw error
  }
}

/**
 * Core's `parseQueryPairs` (a leading `?` dropped, `+` as a space, `%XX` as UTF-8, malformed escapes
 * throw), appending to `out` without the intermediate arrays; pieces with neither `%` nor `+` are taken
 * as they are, the rest go through core's `percentDecode`.
 */
function parseInto(query: string, out: ParamPair[]): void {
  const text = query.startsWith('?') ? query.slice(1) : query
  if (text === '') return
  let start = 0
  for (;;) {
    let end = text.indexOf('&', start)
    if (end === -1) end = text.length
    const eq = text.indexOf('=', start)
    if (eq === -1 || eq > end) out.push([decoded(text.slice(start, end)), ''])
    else out.push([decoded(text.slice(start, eq)), decoded(text.slice(eq + 1, end))])
    if (end === text.length) return
    start = end + 1
  }
}

function decoded(text: string): string {
  return formDecode(text)
}

/**
 * @internal Core's `percentDecode(text, { plusAsSpace: true })`, without its work on the common cases:
 * text with neither `%` nor `+` is returned as it is, and the `+` replacement runs only when there is
 * one. A malformed escape goes through core's function, which throws its `INVALID_PERCENT_ENCODING`.
 */
export function formDecode(text: string): string {
  const plus = text.includes('+')
  if (!plus && !text.includes('%')) return text
  try {
    return decodeURIComponent(plus ? text.replace(/\+/g, ' ') : text)
  } catch {
    return percentDecode(text, { plusAsSpace: true })
  }
}

/**
 * The parameters as a Java servlet sees them: the first value of each name wins (query before body),
 * as `getParameter` does; the protocol leaves duplicates undocumented (§7, DECISION).
 */
export function firstValues(pairs: readonly ParamPair[]): ParamPair[] {
  // Short lists (every real request): a pairwise scan, and no copy work beyond the result when no name repeats.
  if (pairs.length <= 32) {
    let repeated = false
    for (let i = 1; i < pairs.length && !repeated; i++)
      for (let j = 0; j < i; j++)
        if (pairs[j]![0] === pairs[i]![0]) {
          repeated = true
          break
        }
    if (!repeated) return pairs.slice()
  }
  const seen = new Set<string>()
  const out: ParamPair[] = []
  for (const pair of pairs) {
    if (seen.has(pair[0])) continue
    seen.add(pair[0])
    out.push(pair)
  }
  return out
}
