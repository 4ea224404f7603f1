import {
  fromBase64,
  type IsoZoneForm,
  isBase64,
  isSigwireError,
  parseIsoDateTime,
  type ReceivedRequest,
  receivedHeader,
  renderTokens,
  type Token,
  utf8Encode,
} from '@sigwire/core'
import { type Diagnosis, diffTokens, type TokenDifference, tokenizeClaimedString } from '@sigwire/core/doctor'
import {
  APPLE_NEWS_API_ORIGIN,
  DATE_WINDOW_SECONDS,
  SIGNATURE_BASE64_LENGTH,
  UUID_PATTERN,
} from '../constants.js'
import { parseAppleNewsAuthorization } from '../signing/authorization.js'
import { APPLE_NEWS_GRAMMAR } from '../signing/claimed-grammar.js'
import { type AppleNewsStringToSign, appleNewsStringToSign } from '../signing/string-to-sign.js'
import { keyVariants, type SignedParts, structuralCandidates } from './candidates.js'
import { APPLE_NEWS_FINDINGS, type AppleNewsFinding, type AppleNewsFindingCode, finding } from './findings.js'
import { appleNewsOneByteEdit } from './one-byte.js'

/** Input of {@link diagnoseAppleNewsRequest}. */
export interface AppleNewsDiagnoseInput {
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
  /**
   * `full` (default): when no known mistake explains the signature, also search every string one byte
   * away from the request's (up to a second of HMACs for a short request). `quick` skips that search.
   */
  readonly search?: 'full' | 'quick'
  /** Hears how far the one-byte search is, from 0 to 1 (it can take seconds on a long request). */
  readonly onProgress?: (fraction: number) => void
}

/**
 * The Apple News doctor's report. `firstDifference` is the first token where what the client signed
 * (its string, the known mistake the signature verifies over, or the one-byte edit found) differs from
 * the string rebuilt from the request as sent.
 */
export type AppleNewsDiagnosis = Diagnosis<AppleNewsFinding>

/**
 * Says why Apple News would reject a request, and what to change. Works from the client's claimed
 * string-to-sign (diffed token by token against the one rebuilt from the request as sent) and, with
 * the secret, by candidate search: the string-to-sign is rebuilt under each known mistake of
 * docs/protocols/apple-news.md §5 and the one the received signature verifies over is reported; failing
 * that, a string one byte away from the request's (`search: 'full'`). Findings are ordered as the
 * service checks: key, date, then the signature; notes come last.
 */
export function diagnoseAppleNewsRequest(input: AppleNewsDiagnoseInput): AppleNewsDiagnosis {
  const diagnosis = diagnoseOnce(input)
  if (input.search === 'quick' || input.secret === undefined || input.signedString !== undefined)
    return diagnosis
  if (!diagnosis.findings.some((f) => f.code === 'secret-mismatch')) return diagnosis
  // No known mistake explains the signature: look for the string one byte away that it was made over,
  // and read that string as the client's own.
  const parsed = parseAppleNewsAuthorization(receivedHeader(input.request, 'authorization'))
  if (!parsed.ok) return diagnosis
  const request = input.request
  const expected = appleNewsStringToSign({
    method: request.method,
    url: originOf(input) + request.target,
    date: parsed.params.date ?? '',
    contentType: receivedHeader(request, 'content-type'),
    body: request.body,
  }).tokens()
  let key: Uint8Array
  try {
    key = fromBase64(input.secret, 'secret given to the doctor')
  } catch {
    return diagnosis
  }
  const edited = appleNewsOneByteEdit(expected, key, parsed.params.signature ?? '', input.onProgress)
  return edited ? diagnoseOnce({ ...input, signedString: renderTokens(edited) }) : diagnosis
}

function originOf(input: AppleNewsDiagnoseInput): string {
  return (input.publicOrigin ?? APPLE_NEWS_API_ORIGIN).replace(/\/+$/, '')
}

/** What the client signed as tokens lined up with `expected`, and the first token that differs. */
function differenceFrom(expected: readonly Token[], signed: Uint8Array): TokenDifference | undefined {
  return diffTokens(expected, tokenizeClaimedString(signed, expected, APPLE_NEWS_GRAMMAR))
}

function diagnoseOnce(input: AppleNewsDiagnoseInput): AppleNewsDiagnosis {
  const findings: AppleNewsFinding[] = []
  const add = (f: AppleNewsFinding) => findings.push(f)
  let firstDifference: TokenDifference | undefined
  const done = (verified: boolean | undefined): AppleNewsDiagnosis => {
    const settled = APPLE_NEWS_FINDINGS.settle(findings)
    return {
      ok: !settled.some((f) => f.severity === 'error') && verified !== false,
      findings: settled,
      ...(firstDifference ? { firstDifference } : {}),
    }
  }

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

  const origin = originOf(input)
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
  const expected = appleNewsStringToSign({ ...parts, url: origin + request.target })
  const expectedTokens = expected.tokens()

  // From the client's own string-to-sign: the first token that differs.
  let explained = false
  if (input.signedString !== undefined) {
    const signed =
      typeof input.signedString === 'string' ? utf8Encode(input.signedString) : input.signedString
    firstDifference = differenceFrom(expectedTokens, signed)
    if (firstDifference) {
      add(fromDifference(firstDifference, origin))
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
  const complete = isBase64(signature)
  const matches = (signed: AppleNewsStringToSign, key: Uint8Array): boolean => {
    // The body is in memory here, so the builder's HMAC is synchronous.
    const mac = signed.signature(key) as string
    if (complete) return mac === signature
    // A signature that lost its "=" padding or was cut short still identifies the string it signed.
    return signature.length >= 16 && mac.startsWith(signature)
  }
  // The string a found mistake signed is what the client signed: diff it when none was given.
  const signedBy = (signed: AppleNewsStringToSign) => {
    if (firstDifference === undefined && input.signedString === undefined && signed !== expected)
      firstDifference = differenceFrom(expectedTokens, renderTokens(signed.tokens()))
  }
  if (matches(expected, decoded)) {
    if (!complete || signature.length !== SIGNATURE_BASE64_LENGTH)
      add(
        finding(
          'authorization-malformed',
          `The signature is ${signature.length} characters; the full base64 HMAC-SHA256 is ${SIGNATURE_BASE64_LENGTH} characters ending in "=" (it was truncated or lost its padding).`,
        ),
      )
    return done(true)
  }

  // Candidate search: the first known mistake the signature verifies over.
  const candidates = structuralCandidates(parts)
  const keys = keyVariants(input.secret, decoded)
  let found = false
  for (const candidate of candidates)
    if (matches(candidate.signed, decoded)) {
      add(finding(candidate.code, candidate.message))
      signedBy(candidate.signed)
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
        if (matches(candidate.signed, variant.key)) {
          add(finding('secret-not-base64-decoded', variant.message))
          add(finding(candidate.code, candidate.message))
          signedBy(candidate.signed)
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
