import { constantTimeEqual, diffTokens, type ReceivedRequest, type VerifyResult } from '@sigwire/core'
import { ZTIME_WINDOW_MS } from '../constants.js'
import { tokenizeClaimedString } from './claimed-string.js'
import { type SigningKeyKind, signingKeyFor } from './component-keys.js'
import { type ParamPair, paramValue } from './params.js'
import { firstValues, receivedParams } from './received-params.js'
import { buildStringToSign, sha1Signature, sortedSignedPairs } from './string-to-sign.js'
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

/** Options of {@link verifySafeCreativeParams}. */
export interface VerifyParamsOptions {
  /** The string the client says it signed (private key in clear); a mismatch then names the first differing token. */
  readonly clientString?: string
  /** Accept upper-case hex signatures (Safe Creative documents lower case; default false). */
  readonly acceptUppercaseHex?: boolean
}

/**
 * Verifies the `signature` among decoded parameters with the private key that should have signed them.
 * Returns ok, or the reason; with `clientString`, the first token where the client's string differs.
 */
export function verifySafeCreativeParams(
  params: readonly ParamPair[],
  privateKey: string,
  options: VerifyParamsOptions = {},
): VerifyResult<SafeCreativeVerifyReason> {
  const provided = paramValue(params, 'signature')
  if (provided === undefined || provided === '')
    return {
      ok: false,
      reason: 'MISSING_SIGNATURE',
      message: 'The request has no signature parameter.',
      token: 'signature',
    }
  // Checks the key as buildStringToSign does (EMPTY_PRIVATE_KEY); the pairs are then sorted once and
  // hashed once. The string-to-sign object is built only to explain a mismatch.
  if (typeof privateKey !== 'string' || privateKey.length === 0) buildStringToSign(privateKey, [])
  const wanted = sha1Signature(privateKey, sortedSignedPairs(params))
  const given = options.acceptUppercaseHex ? provided.toLowerCase() : provided
  if (sameText(wanted, given)) return { ok: true }
  const built = options.clientString === undefined ? undefined : buildStringToSign(privateKey, params)
  const failedToken =
    built === undefined || options.clientString === undefined
      ? undefined
      : diffTokens(built.tokens(), tokenizeClaimedString(options.clientString, built.tokens()))
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
export type VerifyKeys =
  | { readonly app?: string; readonly authkey?: string }
  | ((kind: Exclude<SigningKeyKind, 'none'>, params: readonly ParamPair[]) => string | undefined)

/** Options of {@link verifySafeCreativeRequest}. */
export interface VerifyRequestOptions extends VerifyParamsOptions {
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
  keys: VerifyKeys,
  options: VerifyRequestOptions = {},
): VerifyResult<SafeCreativeVerifyReason> {
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
