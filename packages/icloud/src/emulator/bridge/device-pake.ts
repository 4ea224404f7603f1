import { randomBytes } from 'node:crypto'
import {
  bridgePayloadKeys,
  confirmationsEqual,
  isBridgePoint,
  proverConfirmation,
  randomBridgeScalar,
  sealBridgePayload,
  stretchBridgeCode,
  verifierConfirmation,
  verifierKeys,
  verifierPoint,
  verifierShare,
} from '../../auth/bridge/pake.js'

/** What the emulated trusted device answers once it has the browser's share. */
export interface DeviceAnswer {
  /** The device's confirmation, HMAC over the browser's share. */
  readonly confirmation: Uint8Array
  /** True when the browser's confirmation proves it used the same code. */
  accepts(proverConfirmationBytes: Uint8Array): boolean
  /** The AES key of the final `encryptedCode`. */
  readonly verifierKey: Uint8Array
  /** Seals the validation code for the browser. */
  seal(text: string, iv?: Uint8Array): Uint8Array
}

/** The trusted device's side of the bridge PAKE (the verifier, docs/protocols/icloud.md §17.3). */
export interface DeviceSide {
  /** Y = y·G + w0·N. */
  readonly share: Uint8Array
  /** The answer to the browser's share X, or undefined when X is not a valid point. */
  answer(proverShareBytes: Uint8Array): DeviceAnswer | undefined
}

/** The device's state for `code` and `salt` (`y` fixed by tests, else random). */
export async function verifierSide(
  code: string,
  salt: Uint8Array,
  y = randomBridgeScalar(),
): Promise<DeviceSide> {
  const { w0, w1 } = await stretchBridgeCode(code, salt)
  const L = verifierPoint(w1)
  const share = verifierShare(y, w0)
  return {
    share,
    answer(X) {
      if (!isBridgePoint(X)) return undefined
      const keys = verifierKeys(w0, L, y, X, share)
      const { verifierKey } = bridgePayloadKeys(keys.sharedKey)
      const expected = proverConfirmation(keys, share)
      return {
        confirmation: verifierConfirmation(keys, X),
        accepts: (given) => confirmationsEqual(given, expected),
        verifierKey,
        seal: (text, iv = randomBytes(12)) => sealBridgePayload(verifierKey, iv, text),
      }
    },
  }
}
