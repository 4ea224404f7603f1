import { verify as cryptoVerify, KeyObject } from 'node:crypto'
import {
  fromBase64,
  isSigwireError,
  parseIsoSeconds,
  type ReceivedRequest,
  receivedHeader,
  utf8Decode,
  utf8Encode,
} from '@sigwire/core'
import {
  diffTokens,
  type TokenDifference,
  tokenizeClaimedString,
  type VerifyResult,
} from '@sigwire/core/doctor'
import {
  DEFAULT_DATE_WINDOW_SECONDS,
  EMPTY_BODY_HASH,
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_NAMES_AS_SENT,
  HEADER_SIGNATURE,
} from '../constants.js'
import { cloudKitBodyHash } from './body-hash.js'
import { CLOUDKIT_GRAMMAR } from './claimed-grammar.js'
import { inspectEcdsaSignature } from './der.js'
import { type PublicKeyInput, parseCloudKitPublicKey } from './keys.js'
import { type CloudKitMessage, cloudKitMessage, TOKEN } from './string-to-sign.js'

/**
 * What a bodyless request's hash field must be. Apple's own client hashes zero bytes (the default);
 * one third-party report says the live service wants the field empty (docs/protocols/cloudkit.md §2.4).
 */
export type EmptyBodyHashRule = 'sha256-of-empty' | 'empty' | 'either'

/** Why {@link verifyCloudKitRequest} rejected a request. */
export type CloudKitVerifyReason =
  | 'MISSING_HEADER'
  | 'UNKNOWN_KEY_ID'
  | 'DATE_FORMAT'
  | 'DATE_OUT_OF_WINDOW'
  | 'SIGNATURE_ENCODING'
  | 'SIGNATURE_NOT_DER'
  | 'SIGNATURE_MISMATCH'

/** Options of {@link verifyCloudKitRequest}. */
export interface CloudKitVerifyOptions {
  /** The public key registered for the request's key ID (SPKI PEM, DER, JWK or a KeyObject). */
  publicKey: PublicKeyInput
  /** The server's current time. Default: now. */
  now?: Date | number
  /** Accepted distance between the signed date and `now`, in seconds. Default 600. */
  windowSeconds?: number
  /** The empty-body rule. Default `sha256-of-empty`. */
  emptyBodyHash?: EmptyBodyHashRule
  /** The key ID the public key is registered under; a request naming another fails `UNKNOWN_KEY_ID`. */
  keyId?: string
  /**
   * What the client says it signed (its string-to-sign, e.g. from a sigwire error trace). When the
   * signature does not verify, the verifier diffs it against the rebuilt message and names the first
   * differing token and byte.
   */
  signedString?: string | Uint8Array
}

/** The verifier's answer: core's {@link VerifyResult} plus the message it rebuilt. */
export type CloudKitVerifyResult = VerifyResult<CloudKitVerifyReason> & {
  /** The message rebuilt from the request as received (once the headers were readable). */
  readonly rebuiltMessage?: string
}

/**
 * Verifies a received CloudKit server-to-server request the way the service does, over the bytes
 * actually received: the three headers are present, the key ID matches, the date is strict
 * `YYYY-MM-DDTHH:MM:SSZ` and within the window, the signature is base64 DER, and it verifies with
 * `options.publicKey` over `date:base64(SHA-256(raw body)):raw request-target` (rebuilt with
 * {@link cloudKitMessage}, the signer's builder). Returns `ok`, or the first failing check with the
 * token it concerns (`key-id`, `date`, `signature`, `body-hash`, `request-target`) and why.
 */
export function verifyCloudKitRequest(
  request: ReceivedRequest,
  options: CloudKitVerifyOptions,
): CloudKitVerifyResult {
  const publicKey = options.publicKey
  const keyId = receivedHeader(request, HEADER_KEY_ID)
  const date = receivedHeader(request, HEADER_DATE)
  const signatureText = receivedHeader(request, HEADER_SIGNATURE)
  const missing = [
    keyId === undefined ? HEADER_NAMES_AS_SENT.keyId : undefined,
    date === undefined ? HEADER_NAMES_AS_SENT.date : undefined,
    signatureText === undefined ? HEADER_NAMES_AS_SENT.signature : undefined,
  ].filter((h) => h !== undefined)
  if (missing.length > 0)
    return fail('MISSING_HEADER', `The request lacks ${missing.join(', ')}.`, {
      token: keyId === undefined ? 'key-id' : date === undefined ? TOKEN.date : 'signature',
    })
  if (options.keyId !== undefined && keyId !== options.keyId)
    return fail(
      'UNKNOWN_KEY_ID',
      `Key ID ${JSON.stringify(keyId)} is not the key ID this public key is registered under.`,
      {
        token: 'key-id',
      },
    )

  let signedAt: Date
  try {
    signedAt = parseIsoSeconds(date!)
  } catch (error) {
    if (!isSigwireError(error)) throw error
    return fail('DATE_FORMAT', `${HEADER_NAMES_AS_SENT.date}: ${error.message}`, { token: TOKEN.date })
  }
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime()
  const windowSeconds = options.windowSeconds ?? DEFAULT_DATE_WINDOW_SECONDS
  const skewSeconds = Math.round((signedAt.getTime() - now) / 1000)
  if (Math.abs(signedAt.getTime() - now) > windowSeconds * 1000)
    return fail(
      'DATE_OUT_OF_WINDOW',
      `The signed date ${date} is ${Math.abs(skewSeconds)} s ${skewSeconds < 0 ? 'behind' : 'ahead of'} the server's clock (accepted: ±${windowSeconds} s). Sync the client's clock (NTP) or sign with the server's time.`,
      { token: TOKEN.date },
    )

  let signature: Uint8Array
  try {
    signature = fromBase64(signatureText!, `${HEADER_NAMES_AS_SENT.signature} header`)
  } catch (error) {
    if (!isSigwireError(error)) throw error
    const hex = /^[0-9a-fA-F]+$/.test(signatureText!)
      ? ' It looks like hex; send base64 of the DER bytes.'
      : ''
    return fail('SIGNATURE_ENCODING', `${error.message}${hex}`, { token: 'signature' })
  }
  const shape = inspectEcdsaSignature(signature)
  if (shape.kind === 'raw')
    return fail(
      'SIGNATURE_NOT_DER',
      'The signature is 64 raw bytes (r || s, as WebCrypto and CryptoKit rawRepresentation produce); CloudKit needs the DER encoding (SEQUENCE of two INTEGERs, 70-72 bytes). Sign with Node crypto.sign (DER by default) or CryptoKit derRepresentation.',
      { token: 'signature' },
    )
  if (shape.kind === 'invalid')
    return fail('SIGNATURE_NOT_DER', `The signature is not a DER ECDSA signature: ${shape.problem}.`, {
      token: 'signature',
    })

  const key =
    publicKey instanceof KeyObject && publicKey.type === 'public'
      ? publicKey
      : parseCloudKitPublicKey(publicKey)
  const candidates = bodyHashFields(request.body, options.emptyBodyHash ?? 'sha256-of-empty')
  let rebuilt: CloudKitMessage | undefined
  for (const [index, bodyHash] of candidates.entries()) {
    const message = cloudKitMessage({ date: date!, bodyHash, target: request.target })
    rebuilt ??= message
    if (verifyDer(key, message.bytes, signature)) {
      return index === 0 || request.body.byteLength > 0
        ? { ok: true }
        : {
            ok: true,
            notes: ['The hash field of this bodyless request is empty (accepted by the "either" rule).'],
          }
    }
  }
  const rebuiltMessage = utf8Decode(rebuilt!.bytes)
  if (options.signedString === undefined)
    return fail(
      'SIGNATURE_MISMATCH',
      `The signature does not verify over the rebuilt message ${JSON.stringify(rebuiltMessage)}: a token differs from what the client signed, or the key is not the one registered for key ID ${JSON.stringify(keyId)}. Pass signedString (or run diagnoseCloudKitRequest) to find which.`,
      { rebuiltMessage },
    )
  const claimed =
    typeof options.signedString === 'string' ? utf8Encode(options.signedString) : options.signedString
  const difference = diffTokens(
    rebuilt!.tokens,
    tokenizeClaimedString(claimed, rebuilt!.tokens, CLOUDKIT_GRAMMAR),
  )
  const signedClaim = verifyDer(key, claimed, signature)
  if (difference === undefined)
    return fail(
      'SIGNATURE_MISMATCH',
      `The client's string-to-sign equals the rebuilt message, yet the signature does not verify: the private key does not match the public key registered for key ID ${JSON.stringify(keyId)}.`,
      { token: 'signature', rebuiltMessage },
    )
  return fail(
    'SIGNATURE_MISMATCH',
    `${describeDifference(difference)}${signedClaim ? '' : ' (the signature does not verify over the client string either: the key differs too)'}.`,
    { token: difference.label, failedToken: difference, rebuiltMessage },
  )
}

/** The hash fields a bodyless request may carry under `rule`; a request with a body has exactly one. */
function bodyHashFields(body: Uint8Array, rule: EmptyBodyHashRule): string[] {
  if (body.byteLength > 0) return [cloudKitBodyHash(body)]
  if (rule === 'empty') return ['']
  if (rule === 'either') return [EMPTY_BODY_HASH, '']
  return [EMPTY_BODY_HASH]
}

/** Verifies a DER ECDSA P-256/SHA-256 signature. */
export function verifyDer(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return cryptoVerify('sha256', message, { key, dsaEncoding: 'der' }, signature)
  } catch {
    return false
  }
}

function describeDifference(d: TokenDifference): string {
  return `The client signed a different ${d.label} token than the request carries: first difference at byte ${d.byteOffset} of the message (byte ${d.offsetInToken} of ${d.label}); the request gives ${JSON.stringify(d.expected.text)}, the client signed ${JSON.stringify(d.actual.text)}`
}

function fail(
  reason: CloudKitVerifyReason,
  message: string,
  extra: { token?: string; failedToken?: TokenDifference; rebuiltMessage?: string } = {},
): CloudKitVerifyResult {
  return { ok: false, reason, message, ...extra }
}
