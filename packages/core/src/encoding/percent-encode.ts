import { SigwireError } from '../errors/sigwire-error.js'

/**
 * RFC 3986 percent-encoding: everything but the unreserved set `A-Z a-z 0-9 - . _ ~` is escaped
 * from its UTF-8 bytes. `encodeURIComponent` leaves `! ' ( ) *` alone, which RFC 3986 reserves.
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * Decodes percent-escapes (and `+` as space when `plusAsSpace`, as in form bodies and most query
 * strings). Malformed escapes or escapes that are not UTF-8 throw `INVALID_PERCENT_ENCODING`.
 */
export function percentDecode(text: string, options: { plusAsSpace?: boolean } = {}): string {
  const input = options.plusAsSpace ? text.replace(/\+/g, ' ') : text
  try {
    return decodeURIComponent(input)
  } catch {
    throw new SigwireError({
      code: 'INVALID_PERCENT_ENCODING',
      message: `${JSON.stringify(text.slice(0, 60))} has a malformed %-escape or escapes bytes that are not UTF-8.`,
    })
  }
}

/**
 * Parses `a=1&b=x+y` into decoded `[name, value]` pairs in order, keeping duplicates.
 * `+` is a space, as in `application/x-www-form-urlencoded`.
 */
export function parseQueryPairs(query: string): Array<[string, string]> {
  const text = query.startsWith('?') ? query.slice(1) : query
  if (text === '') return []
  return text.split('&').map((pair) => {
    const eq = pair.indexOf('=')
    const name = eq === -1 ? pair : pair.slice(0, eq)
    const value = eq === -1 ? '' : pair.slice(eq + 1)
    return [percentDecode(name, { plusAsSpace: true }), percentDecode(value, { plusAsSpace: true })]
  })
}

/** Serializes pairs with {@link percentEncode} (spaces as `%20`), in the given order. */
export function formatQueryPairs(pairs: Iterable<readonly [string, string]>): string {
  const parts: string[] = []
  for (const [name, value] of pairs) parts.push(`${percentEncode(name)}=${percentEncode(value)}`)
  return parts.join('&')
}
