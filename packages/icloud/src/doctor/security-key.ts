import { createHash, createPublicKey, verify } from 'node:crypto'
import { ICLOUD_FINDINGS, type ICloudFinding } from './findings.js'

/** The origins a security-key assertion for idmsa may name: pyicloud's and the sign-in page's. */
export const SECURITY_KEY_ORIGINS: readonly string[] = ['https://apple.com', 'https://idmsa.apple.com']

/** A registered security key, as the server knows it. */
export interface RegisteredSecurityKey {
  /** The credential id, base64url (or base64). */
  readonly credentialId: string
  /** The public key, SPKI PEM (P-256 for ES256, or Ed25519). */
  readonly publicKeyPem: string
  /** The highest signature counter seen so far. */
  readonly signCount: number
}

/** The body of `POST {auth}/verify/security/key` (docs/protocols/icloud.md §4.4, §14). */
export interface SecurityKeyAssertionBody {
  /** The `fsaChallenge.challenge` the client answers (the server checks the one in clientDataJSON). */
  readonly challenge?: unknown
  /** clientDataJSON, base64. */
  readonly clientData?: unknown
  /** The signature, base64. */
  readonly signatureData?: unknown
  /** Authenticator data, base64. */
  readonly authenticatorData?: unknown
  /** The user handle the authenticator returned, base64, or null. */
  readonly userHandle?: unknown
  /** The credential id, base64. */
  readonly credentialID?: unknown
  /** The relying party id the client used (`apple.com`). */
  readonly rpId?: unknown
}

/** What a server checks a security-key assertion against. */
export interface SecurityKeyExpectation {
  /** The `fsaChallenge.challenge` of this sign-in, base64url. */
  readonly challenge: string
  /** `apple.com`. */
  readonly rpId: string
  /** Origins accepted in clientDataJSON (default {@link SECURITY_KEY_ORIGINS}). */
  readonly origins?: readonly string[]
  /** The keys registered to the account. */
  readonly keys: readonly RegisteredSecurityKey[]
}

/** The verdict on an assertion: the key and its new counter, or the finding that explains the refusal. */
export type SecurityKeyVerdict =
  | {
      /** The assertion verifies. */
      readonly ok: true
      /** The credential that made it. */
      readonly credentialId: string
      /** Its signature counter (store it: the next one must be higher). */
      readonly signCount: number
    }
  | {
      /** The assertion is refused. */
      readonly ok: false
      /** Why (a `security-key-…` finding). */
      readonly finding: ICloudFinding
    }

/**
 * Verifies a WebAuthn assertion the way a relying party does (W3C WebAuthn Level 2, "Verifying an Authentication Assertion"): the credential
 * is registered, clientDataJSON is a `webauthn.get` for this challenge and an accepted origin, the
 * authenticator data is for `rpId` with the user-present flag, the signature over
 * `authenticatorData || SHA-256(clientDataJSON)` verifies with the registered public key, and the
 * signature counter grew. Every refusal is named by a doctor finding.
 */
export function verifySecurityKeyAssertion(
  body: SecurityKeyAssertionBody,
  expected: SecurityKeyExpectation,
): SecurityKeyVerdict {
  const fail = (
    code: Parameters<typeof ICLOUD_FINDINGS.finding>[0],
    message: string,
  ): SecurityKeyVerdict => ({
    ok: false,
    finding: ICLOUD_FINDINGS.finding(code, message),
  })
  const credential = bytes(body.credentialID)
  const key = credential
    ? expected.keys.find((k) => Buffer.from(bytes(k.credentialId) ?? []).equals(credential))
    : undefined
  if (!key)
    return fail(
      'security-key-unknown-credential',
      'The assertion names a credential not registered to this Apple ID.',
    )
  const clientDataBytes = bytes(body.clientData)
  let clientData: { type?: unknown; challenge?: unknown; origin?: unknown } | undefined
  try {
    clientData = clientDataBytes ? JSON.parse(clientDataBytes.toString('utf8')) : undefined
  } catch {
    clientData = undefined
  }
  const signed = typeof clientData?.challenge === 'string' ? bytes(clientData.challenge) : undefined
  const issued = bytes(expected.challenge)
  if (clientData?.type !== 'webauthn.get' || !signed || !issued || !signed.equals(issued))
    return fail(
      'security-key-challenge',
      'clientDataJSON is not a webauthn.get for the fsaChallenge of this sign-in.',
    )
  const origins = expected.origins ?? SECURITY_KEY_ORIGINS
  if (typeof clientData.origin !== 'string' || !origins.includes(clientData.origin))
    return fail(
      'security-key-origin',
      `clientDataJSON names the origin ${JSON.stringify(clientData.origin)}, not one of ${origins.join(', ')}.`,
    )
  const authData = bytes(body.authenticatorData)
  if (!authData || authData.length < 37)
    return fail('security-key-rp-id', 'The authenticator data is shorter than 37 bytes.')
  const rpIdHash = createHash('sha256').update(expected.rpId).digest()
  if (!authData.subarray(0, 32).equals(rpIdHash))
    return fail('security-key-rp-id', `The authenticator data is not for the relying party ${expected.rpId}.`)
  if ((authData[32]! & 0x01) === 0)
    return fail('security-key-user-presence', 'The authenticator data does not have the user-present flag.')
  const signature = bytes(body.signatureData)
  let valid = false
  try {
    const publicKey = createPublicKey(key.publicKeyPem)
    const data = Buffer.concat([authData, createHash('sha256').update(clientDataBytes!).digest()])
    valid =
      signature !== undefined &&
      verify(publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, publicKey, signature)
  } catch {
    valid = false
  }
  if (!valid)
    return fail('security-key-signature', 'The signature does not verify with the registered public key.')
  const signCount = authData.readUInt32BE(33)
  if ((signCount !== 0 || key.signCount !== 0) && signCount <= key.signCount)
    return fail(
      'security-key-counter',
      `The signature counter is ${signCount}, not above the ${key.signCount} seen before.`,
    )
  return { ok: true, credentialId: key.credentialId, signCount }
}

/** Bytes of a base64 or base64url string (Node decodes both alphabets), or undefined. */
function bytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/_-]+=*$/.test(value)) return undefined
  return Buffer.from(value, 'base64')
}
