import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto'
import type { SecurityKeyAssertion, SecurityKeyChallenge } from '../auth/security-key.js'

/** A FIDO2 authenticator in software, for tests and the emulator: an ES256 key pair and a counter. */
export interface SoftwareAuthenticator {
  /** The credential id, base64url (register it with the account's `securityKeys`). */
  readonly credentialId: string
  /** The public key, SPKI PEM (register it with the account's `securityKeys`). */
  readonly publicKeyPem: string
  /** The private key, PKCS#8 PEM (to make the same authenticator again elsewhere, such as a helper script). */
  readonly privateKeyPem: string
  /** The signature counter of the last assertion. */
  readonly signCount: number
  /**
   * Makes the assertion `navigator.credentials.get` would return for `challenge`: clientDataJSON of
   * type `webauthn.get` for the challenge and origin, authenticator data for the rpId with the
   * user-present flag and the next counter, and an ECDSA P-256 signature over both. `override` makes a
   * wrong assertion on purpose (tests of the verifier).
   */
  assert(
    challenge: Pick<SecurityKeyChallenge, 'challenge' | 'rpId' | 'origin'>,
    override?: {
      origin?: string
      rpId?: string
      challenge?: string
      userPresent?: boolean
      signCount?: number
    },
  ): SecurityKeyAssertion
}

/** Options of {@link createSoftwareAuthenticator}: an existing key to make the same authenticator again. */
export interface SoftwareAuthenticatorOptions {
  /** A P-256 private key, PKCS#8 PEM. Default: a new one. */
  readonly privateKeyPem?: string
  /** The credential id, base64url. Default: 32 random bytes. */
  readonly credentialId?: string
  /** The counter of the last assertion made with this key. Default 0. */
  readonly signCount?: number
}

/** Creates a {@link SoftwareAuthenticator}: a new P-256 key and a random 32-byte credential id, or the given ones. */
export function createSoftwareAuthenticator(
  options: SoftwareAuthenticatorOptions = {},
): SoftwareAuthenticator {
  const privateKey = options.privateKeyPem
    ? createPrivateKey(options.privateKeyPem)
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const publicKey = createPublicKey(privateKey)
  const credentialId = options.credentialId ?? randomBytes(32).toString('base64url')
  let counter = options.signCount ?? 0
  return {
    credentialId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    get signCount() {
      return counter
    },
    assert(challenge, override = {}) {
      counter = override.signCount ?? counter + 1
      return assertion(privateKey, credentialId, counter, {
        challenge: override.challenge ?? challenge.challenge,
        rpId: override.rpId ?? challenge.rpId,
        origin: override.origin ?? challenge.origin,
        userPresent: override.userPresent ?? true,
      })
    },
  }
}

function assertion(
  key: KeyObject,
  credentialId: string,
  signCount: number,
  input: { challenge: string; rpId: string; origin: string; userPresent: boolean },
): SecurityKeyAssertion {
  const clientData = Buffer.from(
    JSON.stringify({
      type: 'webauthn.get',
      challenge: input.challenge,
      origin: input.origin,
      crossOrigin: false,
    }),
  )
  const counter = Buffer.alloc(4)
  counter.writeUInt32BE(signCount >>> 0)
  const authData = Buffer.concat([
    createHash('sha256').update(input.rpId).digest(),
    Buffer.from([input.userPresent ? 0x01 : 0x00]),
    counter,
  ])
  const signature = sign(
    'sha256',
    Buffer.concat([authData, createHash('sha256').update(clientData).digest()]),
    key,
  )
  return {
    credentialId,
    clientDataJSON: clientData.toString('base64url'),
    authenticatorData: authData.toString('base64url'),
    signature: signature.toString('base64url'),
  }
}
