import { createDiffieHellman, type DiffieHellman } from 'node:crypto'

import { ICloudError } from '../errors.js'
import { bigintFromBytes, bytesFromBigint, padBigint } from './bigint.js'
import type { SrpGroup } from './group.js'

// Modular exponentiation runs in OpenSSL through a Diffie-Hellman object built from the group's prime:
// with private key e, generateKeys() returns g^e mod N and computeSecret(base) returns base^e mod N.
// A pure-JS square-and-multiply over BigInt is 20-100x slower for 2048-bit moduli. Building the
// object runs OpenSSL's primality check on N once (about 0.2 s), so it is created once per group.
const engines = new WeakMap<SrpGroup, DiffieHellman>()

function engine(group: SrpGroup): DiffieHellman {
  let dh = engines.get(group)
  if (dh === undefined) {
    dh = createDiffieHellman(Buffer.from(group.NBytes), Buffer.from(bytesFromBigint(group.g)))
    engines.set(group, dh)
  }
  return dh
}

/** g^exponent mod N, computed natively. */
export function powG(group: SrpGroup, exponent: bigint): bigint {
  const dh = engine(group)
  dh.setPrivateKey(Buffer.from(bytesFromBigint(exponent)))
  return bigintFromBytes(dh.generateKeys())
}

/**
 * base^exponent mod N, computed natively. OpenSSL refuses bases outside 2..N-2 (such a base makes
 * SRP unsafe anyway: the result would be 0, 1 or ±1), so those fail with `SRP_INVALID_PUBLIC_VALUE`.
 */
export function powMod(group: SrpGroup, base: bigint, exponent: bigint): bigint {
  if (base <= 1n || base >= group.N - 1n)
    throw new ICloudError({
      code: 'SRP_INVALID_PUBLIC_VALUE',
      message:
        'The SRP public value received is degenerate (0, 1 or N-1 modulo N); the server or the value on the wire is wrong. Start the sign-in again.',
    })
  const dh = engine(group)
  dh.setPrivateKey(Buffer.from(bytesFromBigint(exponent)))
  return bigintFromBytes(dh.computeSecret(Buffer.from(padBigint(base, group.byteLength))))
}
