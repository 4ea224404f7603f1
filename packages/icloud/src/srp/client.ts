import { randomBytes } from 'node:crypto'
import { type TokenTrace, traceTokens } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { bigintFromBytes, bytesFromBigint, mod, padBigint } from './bigint.js'
import { SRP_GROUP_2048, type SrpGroup } from './group.js'
import { privateKeyX, proofs, scramble } from './math.js'
import { powG, powMod } from './modpow.js'
import { exchangeTraceTokens, GSA_ENCODING, type ProofEncoding } from './tokens.js'

/** Options of {@link createSrpClient}. */
export interface SrpClientOptions {
  /** The private value a (tests and vectors only). Default: 32 random bytes (256 bits). */
  a?: Uint8Array
  /** The group. Default the RFC 5054 2048-bit group. */
  group?: SrpGroup
  /** How A, B and S enter the proofs. Default the js-srp GSA encoding (minimal bytes). */
  encoding?: ProofEncoding
}

/** What the server sent in `signin/init`, decoded. */
export interface SrpChallenge {
  /** The account name exactly as sent in `accountName` (already trimmed and lower-cased). */
  accountName: string
  /** PBKDF2 output p (see `derivePasswordKey`). */
  passwordKey: Uint8Array
  /** Salt bytes (base64-decoded `salt`). */
  salt: Uint8Array
  /** B bytes (base64-decoded `b`). */
  B: Uint8Array
}

/** The client's proofs for one exchange. */
export interface SrpProof {
  /** M1 (`m1` on the wire, base64). */
  readonly m1: Uint8Array
  /** M2 (`m2` on the wire, base64). */
  readonly m2: Uint8Array
  /** The scrambling parameter u = H(PAD(A) | PAD(B)). */
  readonly u: Uint8Array
  /** I, A, B, u, K (masked), M1, M2, for errors and debug output. */
  readonly trace: readonly TokenTrace[]
}

/** One client side of one SRP exchange. */
export interface SrpClient {
  /** A = g^a mod N as minimal big-endian bytes (what `a` carries in `signin/init`, base64). */
  readonly A: Uint8Array
  /** Computes M1 and M2 for the server's challenge. Throws `SRP_INVALID_PUBLIC_VALUE` for a bad B. */
  computeProof(challenge: SrpChallenge): SrpProof
}

/**
 * Starts the client side of Apple's SRP-6a (GSA variant): picks a, computes A = g^a mod N natively, and
 * later S = (B - k*g^x)^(a + u*x) mod N with two native exponentiations and a few BigInt products.
 */
export function createSrpClient(options: SrpClientOptions = {}): SrpClient {
  const group = options.group ?? SRP_GROUP_2048
  const encoding = options.encoding ?? GSA_ENCODING
  const a = bigintFromBytes(options.a ?? randomBytes(32))
  if (a === 0n) throw invalid('a must not be zero')
  const A = powG(group, a)
  const ABytes = bytesFromBigint(A)
  return {
    A: ABytes,
    computeProof(challenge) {
      const B = bigintFromBytes(challenge.B)
      if (mod(B, group.N) === 0n) throw invalid('the server value B is 0 modulo N')
      const uBig = scramble(group, A, B)
      if (uBig === 0n) throw invalid('the scrambling parameter u is 0')
      const x = privateKeyX(challenge.salt, challenge.passwordKey)
      const base = mod(B - group.k * powG(group, x), group.N)
      const S = powMod(group, base, a + uBig * x)
      const { K, m1, m2 } = proofs(group, encoding, {
        accountName: challenge.accountName,
        salt: challenge.salt,
        A,
        B,
        S,
      })
      const u = padBigint(uBig, 32)
      let trace: readonly TokenTrace[] | undefined
      return {
        m1,
        m2,
        u,
        // Built on first read: the trace is for errors and debugging, not for the sign-in itself.
        get trace() {
          trace ??= traceTokens(
            exchangeTraceTokens({
              accountName: challenge.accountName,
              A: ABytes,
              B: challenge.B,
              u,
              m1,
              m2,
              K,
            }),
          )
          return trace
        },
      }
    },
  }
}

function invalid(why: string): ICloudError {
  return new ICloudError({
    code: 'SRP_INVALID_PUBLIC_VALUE',
    message: `SRP sign-in aborted: ${why}. The server or a proxy altered the exchange; start again.`,
  })
}
