import { HHMAC_SCHEME } from '../constants.js'

/** The parameters of an HHMAC `Authorization` header. */
export interface AppleNewsAuthorizationParams {
  /** API key ID. */
  readonly keyId: string
  /** Base64 HMAC-SHA256 signature. */
  readonly signature: string
  /** The signed date string. */
  readonly date: string
}

/**
 * Formats `HHMAC; key=<id>; signature=<sig>; date=<date>` (§1.1). Values are bare, as in Apple's
 * Python sample; `quote: true` writes `key="..."` as Apple's HTTP examples and the apple-news npm
 * package do. The server accepts both.
 */
export function formatAppleNewsAuthorization(
  params: AppleNewsAuthorizationParams,
  options: { quote?: boolean } = {},
): string {
  const q = options.quote ? '"' : ''
  return `${HHMAC_SCHEME}; key=${q}${params.keyId}${q}; signature=${q}${params.signature}${q}; date=${q}${params.date}${q}`
}

/** Authentication codes of the header-parsing steps 1–4 of §1.4. */
export type AuthorizationParseCode =
  | 'UNAUTHORIZED'
  | 'INVALID_AUTH_SCHEME'
  | 'INVALID_AUTH_FORMAT'
  | 'DUPLICATE_AUTH_PARAMETER'
  | 'DUPLICATE_AUTH_ELEMENT'

/** The outcome of {@link parseAppleNewsAuthorization}. */
export type ParsedAuthorization =
  | {
      /** The header parsed; whether the key, date and signature in it are right is checked later. */
      readonly ok: true
      /** Parameters by lower-case name, quotes removed. */
      readonly params: Readonly<Record<string, string>>
      /** True when at least one value was quoted. */
      readonly quoted: boolean
    }
  | {
      /** The header cannot be parsed; the service answers 401 with `code`. */
      readonly ok: false
      /** Apple's error code for the first step of §1.4 that failed. */
      readonly code: AuthorizationParseCode
      /** What is wrong with the header, in words; it quotes at most the start of a malformed element. */
      readonly message: string
    }

/**
 * Parses an HHMAC `Authorization` header the way the service does (§1.4 steps 1–4): the first
 * element must be `HHMAC`; the rest are `;`-separated `name=value` pairs split on the **first** `=`
 * (base64 values end in `=`), with optional double quotes and spaces around `;` and `=`.
 */
export function parseAppleNewsAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '')
    return fail('UNAUTHORIZED', 'The request has no Authorization header.')
  const elements = header.split(';').map((element) => element.trim())
  const scheme = elements[0]!
  if (scheme !== HHMAC_SCHEME) {
    if (scheme.startsWith(`${HHMAC_SCHEME} `) || scheme.startsWith(`${HHMAC_SCHEME}\t`))
      return fail(
        'INVALID_AUTH_FORMAT',
        `The Authorization header must start with "${HHMAC_SCHEME};" (a semicolon after the scheme).`,
      )
    return fail(
      'INVALID_AUTH_SCHEME',
      `The Authorization scheme is ${JSON.stringify(scheme.slice(0, 20))}, not "${HHMAC_SCHEME}".`,
    )
  }
  const params: Record<string, string> = {}
  let quoted = false
  for (const element of elements.slice(1)) {
    if (element === '') continue
    if (element === HHMAC_SCHEME)
      return fail('DUPLICATE_AUTH_ELEMENT', `The Authorization header repeats "${HHMAC_SCHEME}".`)
    const eq = element.indexOf('=')
    if (eq <= 0)
      return fail(
        'INVALID_AUTH_FORMAT',
        `The Authorization element ${JSON.stringify(element.slice(0, 40))} is not name=value.`,
      )
    const name = element.slice(0, eq).trim().toLowerCase()
    let value = element.slice(eq + 1).trim()
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"'))
        return fail('INVALID_AUTH_FORMAT', `The Authorization value of ${name} has an unclosed quote.`)
      value = value.slice(1, -1)
      quoted = true
    }
    if (Object.hasOwn(params, name))
      return fail('DUPLICATE_AUTH_PARAMETER', `The Authorization parameter ${name} appears twice.`)
    params[name] = value
  }
  return { ok: true, params, quoted }
}

function fail(code: AuthorizationParseCode, message: string): ParsedAuthorization {
  return { ok: false, code, message }
}
