import {
  parseQueryPairs,
  type ReceivedRequest,
  receivedHeader,
  SigwireError,
  utf8Decode,
} from '@sigwire/core'
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
 * Malformed `%` escapes throw `INVALID_PARAMETER`.
 */
export function receivedParams(request: ReceivedRequest): ReceivedParams {
  const q = request.target.indexOf('?')
  const rawQuery = q === -1 ? '' : request.target.slice(q + 1).replace(/#.*$/, '')
  const contentType = (receivedHeader(request, 'content-type') ?? '').toLowerCase()
  const rawForm =
    contentType.startsWith('application/x-www-form-urlencoded') && request.body.byteLength > 0
      ? utf8Decode(request.body)
      : ''
  try {
    return { pairs: [...parseQueryPairs(rawQuery), ...parseQueryPairs(rawForm)], rawQuery, rawForm }
  } catch (error) {
    if (error instanceof SigwireError)
      throw safeCreativeError(
        'INVALID_PARAMETER',
        `The request parameters cannot be decoded: ${error.message}`,
      )
    throw error
  }
}

/**
 * The parameters as a Java servlet sees them: the first value of each name wins (query before body),
 * as `getParameter` does; the protocol leaves duplicates undocumented (§7, DECISION).
 */
export function firstValues(pairs: readonly ParamPair[]): ParamPair[] {
  const seen = new Set<string>()
  const out: ParamPair[] = []
  for (const pair of pairs) {
    if (seen.has(pair[0])) continue
    seen.add(pair[0])
    out.push(pair)
  }
  return out
}
