import {
  type ByteSource,
  constantTimeEqual,
  type IsoZoneForm,
  isBase64,
  isSigwireError,
  parseIsoDateTime,
  type ReceivedRequest,
  receivedHeader,
  utf8Encode,
} from '@sigwire/core'
import { diffTokens, tokenizeClaimedString, type VerifyResult } from '@sigwire/core/doctor'
import {
  APPLE_NEWS_API_ORIGIN,
  DATE_WINDOW_SECONDS,
  SIGNATURE_BASE64_LENGTH,
  UUID_PATTERN,
} from '../constants.js'
import { type AuthorizationParseCode, parseAppleNewsAuthorization } from './authorization.js'
import { APPLE_NEWS_GRAMMAR } from './claimed-grammar.js'
import { type AppleNewsSecret, parseAppleNewsSecret } from './credentials.js'
import { type AppleNewsStringToSign, appleNewsStringToSign } from './string-to-sign.js'

/** Apple's authentication error codes, in the order the verifier checks them (§1.4). */
export type AppleNewsAuthCode =
  | AuthorizationParseCode
  | 'MISSING_API_KEY_ID'
  | 'INVALID_API_KEY_FORMAT'
  | 'API_KEY_NOT_FOUND'
  | 'MISSING_SIGNATURE'
  | 'MISSING_DATE'
  | 'INVALID_DATE_FORMAT'
  | 'DATE_NOT_RECENT'
  | 'WRONG_SIGNATURE'

/** Finds the secret of an API key ID (a key registry); undefined when the key is unknown. */
export type AppleNewsKeyLookup = (keyId: string) => string | AppleNewsSecret | undefined

/** Options of {@link verifyAppleNewsRequest}. */
export interface AppleNewsVerifyOptions {
  /**
   * The base64 secret of the expected key (any UUID key ID is then accepted), the parsed secret, or a
   * lookup from key ID to secret (an unknown key gives `API_KEY_NOT_FOUND`).
   */
  readonly secret: string | AppleNewsSecret | AppleNewsKeyLookup
  /** Origin the client signed (§1.3): default `https://news-api.apple.com`. An emulator passes its own. */
  readonly publicOrigin?: string
  /** The verifier's current time. Default: now. */
  readonly now?: Date | number
  /** Largest accepted distance between the signed date and `now`, in seconds. Default 300. */
  readonly windowSeconds?: number
  /** Accept dates with fractional seconds. Default false. */
  readonly acceptFractionalSeconds?: boolean
  /** The string the client says it signed (its bytes); a failure then names the first token that differs. */
  readonly signedString?: string | Uint8Array
  /**
   * The body as a streamed source (a spooled upload), used instead of `request.body`; the verifier then
   * answers with a Promise (it reads the source once).
   */
  readonly body?: ByteSource
}

/** The verifier's verdict: core's {@link VerifyResult} plus what it learned from the header. */
export type AppleNewsVerifyResult = VerifyResult<AppleNewsAuthCode> & {
  /** The key ID from the header, once it parsed. */
  readonly keyId?: string
  /** The date string from the header, once it parsed. */
  readonly date?: string
  /** How the date expressed its zone. */
  readonly zone?: IsoZoneForm
  /** The string to sign the verifier rebuilt (present from the signature check on). */
  readonly stringToSign?: AppleNewsStringToSign
}

/**
 * Verifies an HHMAC request as the Apple News API does, in the order of §1.4: header present, scheme,
 * format, duplicates, key ID (present, UUID, known), signature present, date (present, ISO 8601 with
 * `Z`, `+00:00` or `+0000`, within the window), then the HMAC over method + `publicOrigin` + raw
 * request-target + date as sent [+ Content-Type as sent + raw body] (rebuilt with
 * {@link appleNewsStringToSign}, the signer's builder), compared in constant time. Returns `ok` (with
 * the note `date-offset-form` for an offset date) or the first failure.
 *
 * Synchronous; with `options.body` (a streamed source) it answers with a Promise.
 */
export function verifyAppleNewsRequest(
  request: ReceivedRequest,
  options: AppleNewsVerifyOptions & { readonly body?: undefined },
): AppleNewsVerifyResult
/** With `options.body`, a streamed source: the body is hashed as it is read, so the answer is a Promise. */
export function verifyAppleNewsRequest(
  request: ReceivedRequest,
  options: AppleNewsVerifyOptions & { readonly body: ByteSource },
): Promise<AppleNewsVerifyResult>
/** When it is not known whether `options.body` is given: a result, or a Promise of one. */
export function verifyAppleNewsRequest(
  request: ReceivedRequest,
  options: AppleNewsVerifyOptions,
): AppleNewsVerifyResult | Promise<AppleNewsVerifyResult>
export function verifyAppleNewsRequest(
  request: ReceivedRequest,
  options: AppleNewsVerifyOptions,
): AppleNewsVerifyResult | Promise<AppleNewsVerifyResult> {
  const secret = options.secret
  const parsed = parseAppleNewsAuthorization(receivedHeader(request, 'authorization'))
  if (!parsed.ok) return fail(parsed.code, parsed.message, 'authorization')
  const params = parsed.params

  const keyId = params.key
  if (keyId === undefined || keyId === '')
    return fail('MISSING_API_KEY_ID', 'The Authorization header has no key=.', 'key')
  if (!UUID_PATTERN.test(keyId))
    return fail(
      'INVALID_API_KEY_FORMAT',
      `The key ID ${JSON.stringify(keyId.slice(0, 60))} is not a UUID.`,
      'key',
    )
  const found = typeof secret === 'function' ? secret(keyId) : secret
  if (found === undefined) return fail('API_KEY_NOT_FOUND', `No API key ${keyId} is known.`, 'key', { keyId })

  const signature = params.signature
  if (signature === undefined || signature === '')
    return fail('MISSING_SIGNATURE', 'The Authorization header has no signature=.', 'signature', { keyId })

  const date = params.date
  if (date === undefined || date === '')
    return fail('MISSING_DATE', 'The Authorization header has no date=.', 'date', { keyId })
  let when: { date: Date; zone: IsoZoneForm }
  try {
    when = parseIsoDateTime(date, { allowFraction: options.acceptFractionalSeconds === true })
  } catch (error) {
    if (!isSigwireError(error, 'INVALID_DATE')) throw error
    return fail('INVALID_DATE_FORMAT', error.message, 'date', { keyId, date })
  }
  const nowMs = options.now === undefined ? Date.now() : new Date(options.now).getTime()
  const windowMs = (options.windowSeconds ?? DATE_WINDOW_SECONDS) * 1000
  const skewMs = when.date.getTime() - nowMs
  if (Math.abs(skewMs) > windowMs)
    return fail(
      'DATE_NOT_RECENT',
      `The signed date ${date} is ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs < 0 ? 'behind' : 'ahead of'} the server's clock (window ±${windowMs / 1000} s). Fix the client's clock (NTP).`,
      'date',
      { keyId, date, zone: when.zone },
    )

  const key = typeof found === 'string' ? parseAppleNewsSecret(found).key : found.key
  const stringToSign = appleNewsStringToSign({
    method: request.method,
    url: (options.publicOrigin ?? APPLE_NEWS_API_ORIGIN) + request.target,
    date,
    contentType: receivedHeader(request, 'content-type'),
    body: options.body ?? request.body,
  })
  const checked = { signature, keyId, date, zone: when.zone, stringToSign }
  const expected = stringToSign.signature(key)
  if (typeof expected === 'string') return compareSignature(expected, checked, options)
  return expected.then((value) => compareSignature(value, checked, options))
}

/** The last step of {@link verifyAppleNewsRequest}: the provided signature against the expected one. */
function compareSignature(
  expected: string,
  checked: {
    signature: string
    keyId: string
    date: string
    zone: IsoZoneForm
    stringToSign: AppleNewsStringToSign
  },
  options: AppleNewsVerifyOptions,
): AppleNewsVerifyResult {
  const { signature, keyId, date, zone, stringToSign } = checked
  // Compare the base64 text, not the decoded bytes: decoders ignore the unused bits of the last
  // character, so a changed character there would otherwise still verify.
  if (isBase64(signature) && constantTimeEqual(utf8Encode(signature), utf8Encode(expected))) {
    return zone === 'Z'
      ? { ok: true, keyId, date, zone, stringToSign }
      : { ok: true, notes: ['date-offset-form'], keyId, date, zone, stringToSign }
  }
  const tokens = options.signedString === undefined ? undefined : stringToSign.tokens()
  const difference =
    tokens === undefined || options.signedString === undefined
      ? undefined
      : diffTokens(tokens, tokenizeClaimedString(options.signedString, tokens, APPLE_NEWS_GRAMMAR))
  const shape =
    !isBase64(signature) || signature.length !== SIGNATURE_BASE64_LENGTH
      ? ` The signature is ${signature.length} characters${isBase64(signature) ? '' : ' and not valid base64'}; an HMAC-SHA256 in base64 is ${SIGNATURE_BASE64_LENGTH} characters ending in "=".`
      : ''
  return {
    ok: false,
    reason: 'WRONG_SIGNATURE',
    message: difference
      ? `The signature does not match: the client signed a different "${difference.label}" (first difference at byte ${difference.byteOffset}).`
      : `The signature does not match the request as received.${shape}`,
    token: difference?.label ?? 'signature',
    ...(difference ? { failedToken: difference } : {}),
    keyId,
    date,
    zone,
    stringToSign,
  }
}

function fail(
  reason: AppleNewsAuthCode,
  message: string,
  token: string,
  extra: { keyId?: string; date?: string; zone?: IsoZoneForm } = {},
): AppleNewsVerifyResult {
  return { ok: false, reason, message, token, ...extra }
}
