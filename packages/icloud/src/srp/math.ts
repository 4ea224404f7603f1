import { digestTokensSync, sha256 } from '@sigwire/core'
import { bigintFromBytes, bytesFromBigint, concatBytes, padBigint } from './bigint.js'
import type { SrpGroup } from './group.js'
import { m1Tokens, m2Tokens, type ProofEncoding } from './tokens.js'

/** u = H(PAD(A) | PAD(B)) (RFC 5054; both sides always pad here). */
export function scramble(group: SrpGroup, A: bigint, B: bigint): bigint {
  return bigintFromBytes(sha256(concatBytes(padBigint(A, group.byteLength), padBigint(B, group.byteLength))))
}

/** x = H(salt | H(":" | p)): GSA leaves the username out of x (docs/protocols/icloud.md §3.3). */
export function privateKeyX(salt: Uint8Array, passwordKey: Uint8Array): bigint {
  const inner = sha256(concatBytes(new Uint8Array([0x3a]), passwordKey))
  return bigintFromBytes(sha256(concatBytes(salt, inner)))
}

/** The proofs for a shared secret S under an encoding. */
export function proofs(
  group: SrpGroup,
  encoding: ProofEncoding,
  values: { accountName: string; salt: Uint8Array; A: bigint; B: bigint; S: bigint },
): { K: Uint8Array; m1: Uint8Array; m2: Uint8Array } {
  const encode = (n: bigint) =>
    encoding.padPublicValues ? padBigint(n, group.byteLength) : bytesFromBigint(n)
  const K = sha256(
    encoding.padSharedSecret ? padBigint(values.S, group.byteLength) : bytesFromBigint(values.S),
  )
  const A = encode(values.A)
  const m1 = digestTokensSync(
    m1Tokens({ group, accountName: values.accountName, salt: values.salt, A, B: encode(values.B), K }),
    { hash: 'sha256' },
  )
  const m2 = digestTokensSync(m2Tokens(A, m1, K), { hash: 'sha256' })
  return { K, m1, m2 }
}
