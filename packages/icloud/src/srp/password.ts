import { pbkdf2, pbkdf2Sync } from 'node:crypto'
import { promisify } from 'node:util'
import { sha256, toHex } from '@sigwire/core'
import { ICloudError } from '../errors.js'

const pbkdf2Async = promisify(pbkdf2)

/** The password protocols idmsa offers in `signin/init` (docs/protocols/icloud.md §3.2). */
export type SrpProtocol = 's2k' | 's2k_fo'

/** Protocols a client announces, in preference order. */
export const SRP_PROTOCOLS: readonly SrpProtocol[] = ['s2k', 's2k_fo']

/**
 * The PBKDF2 input for a protocol: SHA-256(password) as 32 raw bytes (`s2k`) or as its 64-character
 * lowercase hex text (`s2k_fo`). Mixing the two up is a known cause of -20101 (icloudpd #975).
 */
export function passwordDigestInput(password: string, protocol: SrpProtocol): Uint8Array {
  const digest = sha256(password)
  if (protocol === 's2k') return digest
  if (protocol === 's2k_fo') return new TextEncoder().encode(toHex(digest))
  throw unsupported(protocol)
}

function checkParams(protocol: string, iterations: number): void {
  if (protocol !== 's2k' && protocol !== 's2k_fo') throw unsupported(protocol)
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: `signin/init returned iteration ${String(iterations)}; expected a positive integer.`,
    })
}

/**
 * p = PBKDF2-HMAC-SHA256(SHA-256(password) [as hex for s2k_fo], salt, iterations, 32 bytes): the SRP
 * password of Apple's GSA variant (docs/protocols/icloud.md §3.2).
 */
export async function derivePasswordKey(
  password: string,
  salt: Uint8Array,
  iterations: number,
  protocol: SrpProtocol,
): Promise<Uint8Array> {
  checkParams(protocol, iterations)
  return new Uint8Array(
    await pbkdf2Async(passwordDigestInput(password, protocol), salt, iterations, 32, 'sha256'),
  )
}

/** Synchronous {@link derivePasswordKey} (blocks the event loop for the PBKDF2 iterations). */
export function derivePasswordKeySync(
  password: string,
  salt: Uint8Array,
  iterations: number,
  protocol: SrpProtocol,
): Uint8Array {
  checkParams(protocol, iterations)
  return new Uint8Array(pbkdf2Sync(passwordDigestInput(password, protocol), salt, iterations, 32, 'sha256'))
}

function unsupported(protocol: string): ICloudError {
  return new ICloudError({
    code: 'UNSUPPORTED_PROTOCOL',
    message: `signin/init chose password protocol ${JSON.stringify(protocol)}; sigwire supports s2k and s2k_fo. Update @sigwire/icloud.`,
    details: { protocol },
  })
}
