import { randomBytes } from 'node:crypto'
import { constantTimeEqual } from '@sigwire/core'
import { bigintFromBytes, bytesFromBigint, mod } from './bigint.js'
import { SRP_GROUP_2048, type SrpGroup } from './group.js'
import { privateKeyX, proofs, scramble } from './math.js'
import { powG, powMod } from './modpow.js'
import type { ProofEncoding } from './tokens.js'

/** v = g^x mod N for a password key and salt: what a server stores instead of the password. */
export function computeVerifier(
  passwordKey: Uint8Array,
  salt: Uint8Array,
  group: SrpGroup = SRP_GROUP_2048,
): Uint8Array {
  return bytesFromBigint(powG(group, privateKeyX(salt, passwordKey)))
}

/** A server's answer to `signin/init`. */
export interface SrpServerChallenge {
  /** The server's private value b (kept by the server until `signin/complete`). */
  readonly b: Uint8Array
  /** B = (k*v + g^b) mod N as minimal big-endian bytes. */
  readonly B: Uint8Array
}

/**
 * Picks b and computes B = (k*v + g^b) mod N. `b` may be fixed (vectors); `accept` lets a test server
 * insist on a particular B (for example one with a leading zero byte) by drawing b until it holds.
 */
export function createServerChallenge(
  verifier: Uint8Array,
  options: { b?: Uint8Array; group?: SrpGroup; accept?: (B: bigint) => boolean } = {},
): SrpServerChallenge {
  const group = options.group ?? SRP_GROUP_2048
  const v = bigintFromBytes(verifier)
  for (let tries = 0; ; tries++) {
    const bBytes = options.b ?? randomBytes(32)
    const B = mod(group.k * v + powG(group, bigintFromBytes(bBytes)), group.N)
    if (options.b !== undefined || options.accept === undefined || options.accept(B) || tries > 100_000)
      return { b: bBytes, B: bytesFromBigint(B) }
  }
}

/** The proof encodings a server tries, most common first (docs/protocols/icloud.md §3.3). */
export const SERVER_PROOF_ENCODINGS: ReadonlyArray<{ name: ProofVariant; encoding: ProofEncoding }> = [
  { name: 'minimal', encoding: { padPublicValues: false, padSharedSecret: false } },
  { name: 'padded', encoding: { padPublicValues: true, padSharedSecret: true } },
  { name: 'padded-public-values', encoding: { padPublicValues: true, padSharedSecret: false } },
  { name: 'padded-shared-secret', encoding: { padPublicValues: false, padSharedSecret: true } },
]

/** Which encoding of A, B and S a client's M1 used. `minimal` is js-srp GSA and python srp; `padded` is rclone. */
export type ProofVariant = 'minimal' | 'padded' | 'padded-public-values' | 'padded-shared-secret'

/** Input of {@link verifyClientProof}. */
export interface ClientProofInput {
  readonly verifier: Uint8Array
  readonly salt: Uint8Array
  /** `accountName` exactly as received. */
  readonly accountName: string
  /** A as received (base64-decoded `a` of init). */
  readonly A: Uint8Array
  readonly b: Uint8Array
  readonly B: Uint8Array
  /** The client's M1 (base64-decoded `m1`). */
  readonly m1: Uint8Array
  /** The client's M2, checked too when present. */
  readonly m2?: Uint8Array
  readonly group?: SrpGroup
}

/** The outcome of {@link verifyClientProof}. */
export type ClientProofResult =
  | { readonly ok: true; readonly variant: ProofVariant; readonly m2Checked: boolean }
  | { readonly ok: false; readonly reason: 'BAD_A' | 'M1_MISMATCH' | 'M2_MISMATCH' }

/**
 * Verifies a client's M1 (and M2) the way idmsa does: S = (A * v^u)^b mod N, then M1 under every
 * accepted encoding of A, B and S, reporting which one matched.
 */
export function verifyClientProof(input: ClientProofInput): ClientProofResult {
  const group = input.group ?? SRP_GROUP_2048
  const A = bigintFromBytes(input.A)
  if (mod(A, group.N) === 0n) return { ok: false, reason: 'BAD_A' }
  const B = bigintFromBytes(input.B)
  const v = bigintFromBytes(input.verifier)
  const S = serverSharedSecret(group, A, B, v, bigintFromBytes(input.b))
  if (S === undefined) return { ok: false, reason: 'BAD_A' }
  for (const { name, encoding } of SERVER_PROOF_ENCODINGS) {
    const expected = proofs(group, encoding, { accountName: input.accountName, salt: input.salt, A, B, S })
    if (!constantTimeEqual(expected.m1, input.m1)) continue
    if (input.m2 !== undefined && !constantTimeEqual(expected.m2, input.m2))
      return { ok: false, reason: 'M2_MISMATCH' }
    return { ok: true, variant: name, m2Checked: input.m2 !== undefined }
  }
  return { ok: false, reason: 'M1_MISMATCH' }
}

/** S = (A * v^u)^b mod N as the server computes it; undefined for a degenerate A. */
export function serverSharedSecret(
  group: SrpGroup,
  A: bigint,
  B: bigint,
  v: bigint,
  b: bigint,
): bigint | undefined {
  if (mod(A, group.N) === 0n) return undefined
  try {
    const base = mod(A * powMod(group, v, scramble(group, A, B)), group.N)
    return powMod(group, base, b)
  } catch {
    return undefined
  }
}
