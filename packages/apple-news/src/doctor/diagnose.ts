import {
  constantTimeEqual,
  type Diagnosis,
  diffTokens,
  fromBase64,
  hmacSha256,
  type IsoZoneForm,
  isBase64,
  isSigwireError,
  parseIsoDateTime,
  type ReceivedRequest,
  receivedHeader,
  renderTokens,
  type Token,
  type TokenDifference,
  toBase64,
  utf8Encode,
} from '@sigwire/core'
import {
  APPLE_NEWS_API_ORIGIN,
  DATE_WINDOW_SECONDS,
  SIGNATURE_BASE64_LENGTH,
  UUID_PATTERN,
} from '../constants.js'
import { parseAppleNewsAuthorization } from '../signing/authorization.js'
import { appleNewsTokens } from '../signing/string-to-sign.js'
import { keyVariants, type SignedParts, structuralCandidates } from './candidates.js'
import { type AppleNewsFinding, type AppleNewsFindingCode, finding } from './findings.js'
import { splitSignedString } from './split-signed-string.js'

export { APPLE_NEWS_FINDING_CODES, type AppleNewsFindingCode } from './findings.js'

/** Input of {@link diagnoseAppleNewsRequest}. */
export interface DiagnoseAppleNewsInput {
  /** The request as the server received it (raw target, headers verbatim, raw body). */
  readonly request: ReceivedRequest
  /** The channel key's base64 secret: enables the signature check and the candidate search. */
  readonly secret?: string
  /** The key ID the secret belongs to. */
  readonly keyId?: string
  /** The origin the server verifies against. Default `https://news-api.apple.com`. */
  readonly publicOrigin?: string
  /** The string the client says it signed (from its debug output): diffed token by token. */
  readonly signedString?: string | Uint8Array
  /** The server's time when the request was sent; enables the clock-skew check. */
  readonly now?: Date | number
  /** Freshness window in seconds. Default 300. */
  readonly windowSeconds?: number
}

/**
 * Says why Apple News would reject a request, and what to change. Works from the client's claimed
 * string-to-sign (diffed token by token against the one rebuilt from the request as sent) and, with
 * the secret, by candidate search: the string-to-sign is rebuilt under each known mistake of
 * docs/protocols/apple-news.md §5 and the one the received signature verifies over is reported.
 * Findings are ordered as the service checks: key, date, then the signature; notes come last.
 */
export function diagnoseAppleNewsRequest(input: DiagnoseAppleNewsInput): Diagnosis {
  const errors: AppleNewsFinding[] = []
  const notes: AppleNewsFinding[] = []
  const add = (f: AppleNewsFinding) => {
    const list = f.severity === 'note' ? notes : errors
    if (!list.some((existing) => existing.code === f.code && existing.message === f.message)) list.push(f)
  }
  const done = (verified: boolean | undefined): Diagnosis => ({
    ok: errors.length === 0 && verified !== false,
    findings: [...errors, ...notes],
  })

  const request = input.request
  const parsed = parseAppleNewsAuthorization(receivedHeader(request, 'authorization'))
  if (!parsed.ok) {
    add(finding('authorization-malformed', `${parsed.message} (Apple answers ${parsed.code}).`))
    return done(false)
  }
  const keyId = parsed.params.key ?? ''
  const signature = parsed.params.signature ?? ''
  const date = parsed.params.date ?? ''
  if (!UUID_PATTERN.test(keyId))
    add(
      finding(
        'key-not-uuid',
        `The key= value ${JSON.stringify(keyId.slice(0, 60))} is not a UUID (Apple answers ${keyId === '' ? 'MISSING_API_KEY_ID' : 'INVALID_API_KEY_FORMAT'}).`,
      ),
    )
  else if (input.keyId !== undefined && input.keyId.toLowerCase() !== keyId.toLowerCase())
    add(
      finding(
        'secret-mismatch',
        `The request names key ${keyId}, but the secret given belongs to key ${input.keyId}.`,
      ),
    )
  if (signature === '')
    add(
      finding(
        'authorization-malformed',
        'The Authorization header has no signature= (Apple answers MISSING_SIGNATURE).',
      ),
    )

  let instant: Date | undefined
  let zone: IsoZoneForm | undefined
  if (date === '')
    add(
      finding(
        'authorization-malformed',
        'The Authorization header has no date= (Apple answers MISSING_DATE).',
      ),
    )
  else {
    try {
      const when = parseIsoDateTime(date, { allowFraction: true })
      instant = when.date
      zone = when.zone
      if (/\.\d/.test(date))
        add(
          finding(
            'authorization-malformed',
            `The date ${date} has fractional seconds; Apple expects whole seconds (INVALID_DATE_FORMAT).`,
          ),
        )
    } catch (error) {
      if (!isSigwireError(error, 'INVALID_DATE')) throw error
      add(finding('authorization-malformed', `${error.message} (Apple answers INVALID_DATE_FORMAT).`))
    }
  }
  if (zone !== undefined && zone !== 'Z')
    add(
      finding(
        'date-offset-form',
        `The date ${date} uses a UTC offset instead of "Z"; Apple accepts it because it was signed as sent.`,
        'note',
      ),
    )
  if (instant !== undefined && input.now !== undefined) {
    const skew = instant.getTime() - new Date(input.now).getTime()
    const window = (input.windowSeconds ?? DATE_WINDOW_SECONDS) * 1000
    if (Math.abs(skew) > window)
      add(
        finding(
          'clock-skew',
          `The signed date ${date} is ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? 'behind' : 'ahead of'} the server's clock; Apple allows ${window / 1000} s (DATE_NOT_RECENT).`,
        ),
      )
  }

  const origin = (input.publicOrigin ?? APPLE_NEWS_API_ORIGIN).replace(/\/+$/, '')
  const parts: SignedParts = {
    method: request.method,
    origin,
    target: request.target,
    date,
    instant,
    contentType: receivedHeader(request, 'content-type'),
    body: request.body,
    host: receivedHeader(request, 'host'),
  }
  const expected = appleNewsTokens({ ...parts, url: origin + request.target })

  // From the client's own string-to-sign: the first token that differs.
  let explained = false
  if (input.signedString !== undefined) {
    const signed =
      typeof input.signedString === 'string' ? utf8Encode(input.signedString) : input.signedString
    const difference = diffTokens(expected, splitSignedString(signed, expected))
    if (difference) {
      add(fromDifference(difference, origin))
      explained = true
    }
  }

  if (input.secret === undefined || signature === '') return done(undefined)
  let decoded: Uint8Array
  try {
    decoded = fromBase64(input.secret, 'secret given to the doctor')
  } catch (error) {
    if (!isSigwireError(error, 'INVALID_BASE64')) throw error
    add(
      finding(
        'secret-mismatch',
        `${error.message} Give the doctor the secret exactly as News Publisher shows it.`,
      ),
    )
    return done(false)
  }
  const provided = isBase64(signature) ? fromBase64(signature) : undefined
  const matches = (tokens: readonly Token[], key: Uint8Array): boolean => {
    const mac = hmacSha256(key, renderTokens(tokens))
    if (provided !== undefined) return constantTimeEqual(provided, mac)
    // A signature that lost its "=" padding or was cut short still identifies the string it signed.
    const full = toBase64(mac)
    return signature.length >= 16 && full.startsWith(signature)
  }
  if (matches(expected, decoded)) {
    if (provided === undefined || signature.length !== SIGNATURE_BASE64_LENGTH)
      add(
        finding(
          'authorization-malformed',
          `The signature is ${signature.length} characters; the full base64 HMAC-SHA256 is ${SIGNATURE_BASE64_LENGTH} characters ending in "=" (it was truncated or lost its padding).`,
        ),
      )
    return done(errors.length === 0)
  }

  // Candidate search: the first known mistake the signature verifies over.
  const candidates = structuralCandidates(parts)
  const keys = keyVariants(input.secret, decoded)
  let found = false
  for (const candidate of candidates)
    if (matches(candidate.tokens, decoded)) {
      add(finding(candidate.code, candidate.message))
      found = true
      break
    }
  if (!found)
    search: for (const variant of keys) {
      if (matches(expected, variant.key)) {
        add(finding('secret-not-base64-decoded', variant.message))
        found = true
        break
      }
      for (const candidate of candidates)
        if (matches(candidate.tokens, variant.key)) {
          add(finding('secret-not-base64-decoded', variant.message))
          add(finding(candidate.code, candidate.message))
          found = true
          break search
        }
    }
  if (!found && !explained) {
    // The client's string matched ours (or was not given) and no known mistake explains the signature.
    add(
      finding(
        'secret-mismatch',
        input.signedString !== undefined
          ? `The client signed the right string but the signature does not verify with the secret of key ${keyId}: the secret differs.`
          : `No known mistake explains the signature of key ${keyId}: the secret used is probably mistyped or belongs to another key.`,
      ),
    )
  }
  return done(false)
}

function fromDifference(d: TokenDifference, origin: string): AppleNewsFinding {
  const at = `(first difference at byte ${d.byteOffset}: signed ${JSON.stringify(d.actual.text.slice(0, 120))}, sent ${JSON.stringify(d.expected.text.slice(0, 120))})`
  const code: AppleNewsFindingCode = (() => {
    switch (d.label) {
      case 'method':
        return 'method-not-signed-as-sent'
      case 'url': {
        const signed = d.actual.text
        if (!/^https?:\/\//.test(signed)) return 'url-missing-scheme'
        const sent = d.expected.text
        const q = sent.indexOf('?')
        if (q !== -1 && (signed === sent.slice(0, q) || signed === sent.slice(0, q + 1)))
          return 'query-not-signed'
        return 'url-not-signed-as-sent'
      }
      case 'date':
        return 'date-not-signed-verbatim'
      case 'content-type':
        return 'content-type-not-signed'
      default:
        return 'signed-body-differs'
    }
  })()
  const what: Record<AppleNewsFindingCode, string> = {
    'method-not-signed-as-sent': 'The client signed another method than it sent',
    'url-missing-scheme': 'The client signed the URL without "https://"',
    'query-not-signed': 'The client signed the URL without its query string',
    'url-not-signed-as-sent': `The client signed another URL than the one sent (the server verifies ${origin} + path + query)`,
    'date-not-signed-verbatim':
      'The client signed another date string than the one in the Authorization header',
    'content-type-not-signed':
      d.kind === 'extra'
        ? 'The client signed a Content-Type on a request without a body'
        : d.kind === 'missing'
          ? 'The client signed no Content-Type (a request with a body signs it)'
          : 'The client signed another Content-Type than the one sent',
    'signed-body-differs':
      d.kind === 'missing'
        ? 'The client did not sign the body'
        : 'The client signed other body bytes than the ones sent',
    'secret-not-base64-decoded': '',
    'date-offset-form': '',
    'clock-skew': '',
    'key-not-uuid': '',
    'authorization-malformed': '',
    'secret-mismatch': '',
  }
  return finding(code, `${what[code]} ${at}.`)
}
