import { bytesToken, sha256, type Token, textToken } from '@sigwire/core'
import type { SrpGroup } from './group.js'

/**
 * How A, B and S are encoded inside the proofs. Apple's server accepts both; js-srp GSA and python
 * srp use minimal bytes, rclone pads to the group width (docs/protocols/icloud.md §3.3).
 */
export interface ProofEncoding {
  /** A and B left-padded to 256 bytes inside M1 and M2 (rclone). Default false (js-srp GSA). */
  readonly padPublicValues: boolean
  /** S left-padded to 256 bytes before K = H(S) (rclone). Default false (js-srp GSA). */
  readonly padSharedSecret: boolean
}

/** The js-srp GSA encoding sigwire's client uses (docs/protocols/icloud.md §3.3, DECISION). */
export const GSA_ENCODING: ProofEncoding = { padPublicValues: false, padSharedSecret: false }

/** Inputs of M1 as bytes, already encoded. */
export interface M1Inputs {
  readonly group: SrpGroup
  /** The account name exactly as sent in `accountName` (UTF-8). */
  readonly accountName: string
  readonly salt: Uint8Array
  /** A as it enters M1 (minimal or padded per the encoding). */
  readonly A: Uint8Array
  /** B as it enters M1. */
  readonly B: Uint8Array
  /** K = H(S). */
  readonly K: Uint8Array
}

/**
 * THE token list of the protocol: M1 = H( H(N) xor H(PAD(g)) | H(I) | salt | A | B | K ). Used by the
 * client to compute M1, by the emulator to verify it, by the doctor to diff it, and for traces (K is
 * secret and masked).
 */
export function m1Tokens(inputs: M1Inputs): Token[] {
  return [
    bytesToken('H(N) xor H(PAD(g))', inputs.group.hNxorHg),
    bytesToken('H(I)', sha256(inputs.accountName)),
    bytesToken('salt', inputs.salt),
    bytesToken('A', inputs.A),
    bytesToken('B', inputs.B),
    bytesToken('K', inputs.K, { secret: true }),
  ]
}

/** M2 = H( A | M1 | K ): the second proof the GSA client sends along with M1. */
export function m2Tokens(A: Uint8Array, m1: Uint8Array, K: Uint8Array): Token[] {
  return [bytesToken('A', A), bytesToken('M1', m1), bytesToken('K', K, { secret: true })]
}

/** Tokens for a trace of one exchange: I, A, B, u, M1 and M2, with K present but secret (masked in traces). */
export function exchangeTraceTokens(values: {
  accountName: string
  A: Uint8Array
  B: Uint8Array
  u: Uint8Array
  m1: Uint8Array
  m2: Uint8Array
  K: Uint8Array
}): Token[] {
  return [
    textToken('I', values.accountName),
    bytesToken('A', values.A),
    bytesToken('B', values.B),
    bytesToken('u', values.u),
    bytesToken('K', values.K, { secret: true }),
    bytesToken('M1', values.m1),
    bytesToken('M2', values.m2),
  ]
}
