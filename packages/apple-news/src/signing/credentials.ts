import { createSecretKey, type KeyObject } from 'node:crypto'
import { fromBase64, isSigwireError } from '@sigwire/core'
import { UUID_PATTERN } from '../constants.js'
import { appleNewsError } from '../errors.js'

/** An API key as Apple issues it: a UUID key ID and a base64 secret. */
export interface AppleNewsCredentials {
  /** The API key ID, a UUID (`3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b`). */
  readonly keyId: string
  /** The API key secret exactly as Apple shows it: standard base64 (`gAAzV+Mb...grc=`). */
  readonly secret: string
}

/**
 * A secret parsed once: the HMAC key is the base64-**decoded** secret (§1.2: "Decode the secret that you
 * received as a Base64-encoded string"), imported as a `KeyObject` so no request parses it again.
 */
export interface AppleNewsSecret {
  /** The HMAC-SHA256 key. */
  readonly key: KeyObject
  /** Decoded key length in bytes (Apple issues 32). */
  readonly byteLength: number
}

const HEX_ONLY = /^[0-9a-fA-F]+$/

/** Throws `INVALID_KEY_ID` unless `keyId` is a UUID. */
export function checkAppleNewsKeyId(keyId: unknown): string {
  if (typeof keyId !== 'string' || !UUID_PATTERN.test(keyId)) {
    const shown = typeof keyId === 'string' ? JSON.stringify(keyId.slice(0, 60)) : typeof keyId
    throw appleNewsError(
      'INVALID_KEY_ID',
      `The Apple News API key ID ${shown} is not a UUID. Use the "API Key ID" shown with the key in News Publisher (like 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b), not the channel ID or the secret.`,
    )
  }
  return keyId
}

/**
 * Parses an API secret: strict base64 (no whitespace, right padding), decoding to a usable key.
 * Throws `INVALID_SECRET` saying what is wrong; the message never contains the secret.
 */
export function parseAppleNewsSecret(secret: unknown): AppleNewsSecret {
  if (typeof secret !== 'string' || secret.length === 0)
    throw appleNewsError(
      'INVALID_SECRET',
      'The Apple News API secret is empty. Pass the "API Key Secret" from News Publisher, a base64 string.',
    )
  let bytes: Uint8Array
  try {
    bytes = fromBase64(secret, 'Apple News API secret')
  } catch (error) {
    if (!isSigwireError(error, 'INVALID_BASE64')) throw error
    throw appleNewsError(
      'INVALID_SECRET',
      `${error.message} Pass the secret exactly as News Publisher shows it; sigwire decodes it (do not decode it yourself).`,
      { details: { problem: 'not-base64' } },
    )
  }
  // A hex string uses only base64 letters, so it decodes silently to the wrong key: catch it here.
  if (HEX_ONLY.test(secret) && secret.length >= 32)
    throw appleNewsError(
      'INVALID_SECRET',
      `The Apple News API secret looks like hex (${secret.length} hex digits), not the base64 string Apple issues. Convert it: Buffer.from(hex, 'hex').toString('base64').`,
      { details: { problem: 'hex' } },
    )
  if (bytes.byteLength === 0)
    throw appleNewsError('INVALID_SECRET', 'The Apple News API secret decodes to no bytes.', {
      details: { problem: 'empty' },
    })
  return Object.freeze({ key: createSecretKey(bytes), byteLength: bytes.byteLength })
}
