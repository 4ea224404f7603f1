import { constantTimeEqual, type ReceivedRequest } from '@sigwire/core'
import { diffTokens, tokenizeClaimedString, type VerifyResult } from '@sigwire/core/doctor'
import { ZTIME_WINDOW_MS } from '../constants.js'
import { SAFE_CREATIVE_GRAMMAR } from './claimed-grammar.js'
import { type SigningKeyKind, signingKeyFor } from './component-keys.js'
import { type ParamPair, paramValue } from './params.js'
import { firstValues, receivedParams } from './received-params.js'
import { buildStringToSign } from './string-to-sign.js'
import { checkZtime } from './ztime.js'

/** Why a Safe Creative request does not verify. */
export type SafeCreativeVerifyReason =
  | 'MISSING_COMPONENT'
  | 'UNKNOWN_COMPONENT'
  | 'MISSING_KEY'
  | 'MISSING_SIGNATURE'
  | 'INVALID_SIGNATURE'
  | 'MISSING_ZTIME'
  | 'INVALID_TIME'

/** The verifier's verdict: core's {@link VerifyResult}. */
export type SafeCreativeVerifyResult = VerifyResult<SafeCreativeVerifyReason>

/** Options of {@link verifySafeCreativeParams}. */
export interface VerifyParamsOptions {
  /** The string the client says it signed (private key in clear); a mismatch then names the first differing token. */
  readonly signedString?: string | Uint8Array
  /** Accept upper-case hex signatures (Safe Creative documents lower case; default false). */
  readonly acceptUppercaseHex?: boolean
}

/**
 * Verifies the `signature` among decoded parameters with the private key that should have signed them
 * (the step of {@link verifySafeCreativeRequest} after the parameters are read and the key chosen; the
 * emulator calls it on parameters it has already parsed). Returns ok, or the reason; with
 * `signedString`, the first token where the client's string differs.
 */
export function verifySafeCreativeParams(
  params: readonly ParamPair[],
  privateKey: string,
  options: VerifyParamsOptions = {},
): SafeCreativeVerifyResult {
  const provided = paramValue(params, 'signature')
  if (provided === undefined || provided === '')
    return {
      ok: false,
      reason: 'MISSING_SIGNATURE',
      message: 'The request has no signature parameter.',
      token: 'signature',
    }
  const built = buildStringToSign(privateKey, params)
  const given = options.acceptUppercaseHex ? provided.toLowerCase() : provided
  if (sameText(built.signature(), given)) return { ok: true }
  const expected = options.signedString === undefined ? undefined : built.tokens()
  const failedToken =
    expected === undefined || options.signedString === undefined
      ? undefined
      : diffTokens(expected, tokenizeClaimedString(options.signedString, expected, SAFE_CREATIVE_GRAMMAR))
  return {
    ok: false,
    reason: 'INVALID_SIGNATURE',
    message: failedToken
      ? `The signature does not match: the signed string differs at token ${failedToken.index} (${failedToken.label}), byte ${failedToken.byteOffset}.`
      : 'The signature does not match the SHA-1 of the private key and the sorted, decoded parameters.',
    ...(failedToken ? { failedToken, token: failedToken.label } : { token: 'signature' }),
  }
}

/**
 * The computed hex signature against the one received, in constant time (core's `constantTimeEqual`
 * over the UTF-8 bytes), with Buffers from Node's pool rather than fresh arrays.
 */
function sameText(wanted: string, given: string): boolean {
  return constantTimeEqual(Buffer.from(wanted, 'utf8'), Buffer.from(given, 'utf8'))
}

/** The private keys a verifier may use, or a function that finds the key for a request. */
export type SafeCreativeVerifyKeys =
  | {
      /** The application's private key, for the components it signs (§2.3). */
      readonly app?: string
      /** The authkey's private key, for the components the authkey signs (§2.3). */
      readonly authkey?: string
    }
  | ((kind: Exclude<SigningKeyKind, 'none'>, params: readonly ParamPair[]) => string | undefined)

/** Options of {@link verifySafeCreativeRequest}. */
export interface SafeCreativeVerifyOptions extends VerifyParamsOptions {
  /** The private keys that may have signed: the application's, the authkey's, or a lookup. */
  readonly privateKeys: SafeCreativeVerifyKeys
  /** The server's time in epoch ms. Default `Date.now()`. */
  readonly now?: number
  /** The ztime window in ms. Default 5000 (§2.4). */
  readonly windowMs?: number
  /** Skip the ztime check (recorded requests, vectors). Default false. */
  readonly skipTimeCheck?: boolean
  /** Which key signs the `api-ui/authkey.edit` URL, which has no `component` (§2.3). Default: not a URL. */
  readonly component?: string
}

/**
 * Verifies a received request as Safe Creative does: merges query and form parameters (first value of
 * a name wins), picks the key for the component from the §2.3 table, checks the SHA-1 signature and
 * then `ztime` (±5 s). Public components verify without a signature.
 */
export function verifySafeCreativeRequest(
  request: ReceivedRequest,
  options: SafeCreativeVerifyOptions,
): SafeCreativeVerifyResult {
  const keys = options.privateKeys
  const params = firstValues(receivedParams(request).pairs)
  const component = options.component ?? paramValue(params, 'component')
  if (component === undefined || component === '')
    return {
      ok: false,
      reason: 'MISSING_COMPONENT',
      message: 'The request has no component parameter.',
      token: 'component',
    }
  const kind = signingKeyFor(component)
  if (kind === undefined)
    return {
      ok: false,
      reason: 'UNKNOWN_COMPONENT',
      message: `Component ${JSON.stringify(component)} is not in the signing-key table.`,
      token: 'component',
    }
  if (kind === 'none') return { ok: true, notes: [`${component} is a public component; nothing to verify.`] }
  const key = typeof keys === 'function' ? keys(kind, params) : keys[kind]
  if (key === undefined || key === '')
    return {
      ok: false,
      reason: 'MISSING_KEY',
      message: `${component} is signed with the ${kind === 'app' ? "application's" : "authkey's"} private key, which the verifier was not given.`,
    }
  const signed = verifySafeCreativeParams(params, key, options)
  if (!signed.ok || options.skipTimeCheck) return signed
  const time = checkZtime(
    paramValue(params, 'ztime'),
    options.now ?? Date.now(),
    options.windowMs ?? ZTIME_WINDOW_MS,
  )
  if (time.ok) return signed
  return {
    ok: false,
    reason: time.problem === 'missing' ? 'MISSING_ZTIME' : 'INVALID_TIME',
    message: time.message,
    token: 'value:ztime',
  }
}
