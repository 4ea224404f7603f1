import { pbkdf2Sync } from 'node:crypto'
import {
  bytesToken,
  constantTimeEqual,
  digestTokensSync,
  sha256,
  type Token,
  utf8Encode,
} from '@sigwire/core'
import { type Diagnosis, diffTokens, type TokenDifference } from '@sigwire/core/doctor'
import { bigintFromBytes, bytesFromBigint } from '../srp/bigint.js'
import { SRP_GROUP_2048 } from '../srp/group.js'
import { derivePasswordKeySync, passwordDigestInput, type SrpProtocol } from '../srp/password.js'
import { serverSharedSecret, verifyClientProof } from '../srp/server.js'
import { m1Tokens } from '../srp/tokens.js'
import { ICLOUD_FINDINGS, type ICloudFinding, type ICloudFindingCode } from './findings.js'

/**
 * The input of {@link diagnoseICloudRequest}: what a server (the emulator) saw of one sign-in, plus
 * what the client can add. The doctor never needs the client's private `a`: M1 mistakes are found from the server side, password-derivation
 * mistakes from the client's claimed password key.
 */
export interface ICloudSignInEvidence {
  /** `accountName` as received in `signin/complete`. */
  readonly accountName: string
  /** `accountName` as received in `signin/init`, when known. */
  readonly initAccountName?: string
  /** The account's salt as `signin/init` sent it (base64-decoded bytes). */
  readonly salt: Uint8Array
  /** The PBKDF2 iteration count `signin/init` sent (`iteration`, §3.2). */
  readonly iterations: number
  /** The password protocol `signin/init` chose (`s2k` or `s2k_fo`, §3.2). */
  readonly protocol: SrpProtocol
  /** The stored verifier v. */
  readonly verifier: Uint8Array
  /** The client's public value A from `signin/init` (`a`, base64-decoded). */
  readonly A: Uint8Array
  /** The server's private value b (the emulator keeps it per conversation). */
  readonly b: Uint8Array
  /** The server's public value B that `signin/init` answered. */
  readonly B: Uint8Array
  /** The client's proof M1 from `signin/complete` (`m1`, base64-decoded). */
  readonly m1: Uint8Array
  /** The client's M2 from `signin/complete`, when it sent one; checked as `H(A ‖ M1 ‖ K)` (§3.3). */
  readonly m2?: Uint8Array
  /** The Apple ID as the user typed it, when known (a candidate for I). */
  readonly typedAccountName?: string
  /** `c` as issued by init and as echoed in complete. */
  readonly cIssued?: string
  /** `c` as `signin/complete` echoed it; it must equal `cIssued` untouched (§3.1). */
  readonly cReceived?: string
  /** The client's M1 input tokens (`m1Tokens` with its K), for a token-by-token diff. */
  readonly claimedM1Tokens?: readonly Token[]
  /** The password and the client's derived key p, for the derivation candidate search. */
  readonly password?: string
  /** The key p the client derived (32 bytes), compared with each derivation mistake of §3.2. */
  readonly claimedPasswordKey?: Uint8Array
}

function finding(
  code: ICloudFindingCode,
  message: string,
  fix: string,
  severity: 'error' | 'note' = 'error',
): ICloudFinding {
  return ICLOUD_FINDINGS.finding(code, message, { fix, severity })
}

/** The iCloud doctor's report; `firstDifference` is the first M1 input token the client got wrong. */
export type ICloudDiagnosis = Diagnosis<ICloudFinding>

/**
 * Says why a `signin/complete` was rejected: the conversation checks, then a candidate search that
 * recomputes M1 from the server's side under each known mistake (account-name form, padding, the
 * xor term with an unpadded g) and names the one the client's M1 matches; with the client's claimed
 * password key, the derivation mistake (s2k/s2k_fo swapped, SHA-1 PRF, iterations ignored, salt not
 * decoded, password not pre-hashed); with the client's M1 tokens, the first differing token.
 */
export function diagnoseICloudRequest(e: ICloudSignInEvidence): ICloudDiagnosis {
  const findings: ICloudFinding[] = []
  let firstDifference: TokenDifference | undefined
  const done = (): ICloudDiagnosis => {
    const settled = ICLOUD_FINDINGS.settle(findings)
    return {
      ok: settled.every((f) => f.severity === 'note'),
      findings: settled,
      ...(firstDifference ? { firstDifference } : {}),
    }
  }
  if (e.cIssued !== undefined && e.cReceived !== e.cIssued)
    findings.push(
      finding(
        'c-not-echoed',
        'signin/complete did not echo the c value from signin/init.',
        'Send c back exactly as received.',
      ),
    )
  if (e.initAccountName !== undefined && e.initAccountName !== e.accountName)
    findings.push(
      finding(
        'account-name-mismatch',
        `init was sent accountName ${JSON.stringify(e.initAccountName)}, complete ${JSON.stringify(e.accountName)}.`,
        'Trim and lower-case the Apple ID once and send the same string in init and complete (and hash it as I).',
      ),
    )
  const proof = verifyClientProof({
    verifier: e.verifier,
    salt: e.salt,
    accountName: e.accountName,
    A: e.A,
    b: e.b,
    B: e.B,
    m1: e.m1,
    ...(e.m2 ? { m2: e.m2 } : {}),
  })
  if (proof.ok) {
    if (proof.variant !== 'minimal')
      findings.push(
        finding(
          'padded-proof',
          `M1 used the ${proof.variant} encoding of A, B and S (rclone style); Apple accepts it.`,
          'Nothing to fix; js-srp and python srp use minimal bytes.',
          'note',
        ),
      )
    return done()
  }
  if (proof.reason === 'M2_MISMATCH')
    findings.push(
      finding(
        'm2-mismatch',
        'M1 is right but M2 is not H(A | M1 | K).',
        'Compute M2 over A (minimal bytes), M1 and K.',
      ),
    )

  const group = SRP_GROUP_2048
  const A = bigintFromBytes(e.A)
  const B = bigintFromBytes(e.B)
  const S = serverSharedSecret(group, A, B, bigintFromBytes(e.verifier), bigintFromBytes(e.b))
  if (S !== undefined && proof.reason === 'M1_MISMATCH') {
    const K = sha256(bytesFromBigint(S))
    const base = { group, salt: e.salt, A: bytesFromBigint(A), B: bytesFromBigint(B), K }
    const m1For = (tokens: Token[]) => digestTokensSync(tokens, { hash: 'sha256' })
    const names = new Set(
      [e.accountName.trim().toLowerCase(), e.accountName.trim(), e.initAccountName ?? ''].filter(Boolean),
    )
    names.delete(e.accountName)
    for (const name of names) {
      if (constantTimeEqual(m1For(m1Tokens({ ...base, accountName: name })), e.m1))
        findings.push(
          finding(
            'account-name-form',
            `M1 hashed I = ${JSON.stringify(name)} but accountName was sent as ${JSON.stringify(e.accountName)}.`,
            'Hash exactly the accountName you send (trimmed and lower-cased).',
          ),
        )
    }
    const unpaddedXor = xor(sha256(group.NBytes), sha256(bytesFromBigint(group.g)))
    const tokens = m1Tokens({ ...base, accountName: e.accountName })
    tokens[0] = bytesToken('H(N) xor H(g)', unpaddedXor)
    if (constantTimeEqual(m1For(tokens), e.m1))
      findings.push(
        finding(
          'xor-unpadded-g',
          'M1 used H(N) xor H(g) with g as one byte.',
          'Pad g to 256 bytes before hashing it (GSA mode).',
        ),
      )
    if (e.claimedM1Tokens) {
      const diff = diffTokens(m1Tokens({ ...base, accountName: e.accountName }), e.claimedM1Tokens)
      firstDifference = diff
      if (diff)
        findings.push(
          finding(
            'm1-token-differs',
            `The client's M1 input differs first in token "${diff.label}" at byte ${diff.byteOffset} (expected ${diff.expected.hex.slice(0, 24)}…, got ${diff.actual.hex.slice(0, 24)}…).`,
            diff.label === 'K'
              ? 'K = H(S) differs: x or S is wrong; check the password derivation (s2k/s2k_fo, PBKDF2) and that x has no username.'
              : `Fix how the client encodes "${diff.label}".`,
          ),
        )
    }
  }
  if (e.password !== undefined && e.claimedPasswordKey !== undefined)
    findings.push(...derivationFindings(e.password, e.salt, e.iterations, e.protocol, e.claimedPasswordKey))
  if (findings.every((f) => f.severity === 'note'))
    findings.push(
      finding(
        'proof-mismatch',
        'M1 matches no known encoding: the password is wrong (app-specific passwords are refused) or x/S were computed wrongly.',
        'Check the password; then compare the client password key with derivePasswordKey() and x = H(salt | H(":" | p)) without the username.',
      ),
    )
  return done()
}

function derivationFindings(
  password: string,
  salt: Uint8Array,
  iterations: number,
  protocol: SrpProtocol,
  claimed: Uint8Array,
): ICloudFinding[] {
  const right = derivePasswordKeySync(password, salt, iterations, protocol)
  if (constantTimeEqual(right, claimed)) return []
  if (claimed.byteLength !== 32)
    return [
      finding(
        'dklen-wrong',
        `The password key is ${claimed.byteLength} bytes, not 32.`,
        'Derive 32 bytes (dkLen = 32).',
      ),
    ]
  const other: SrpProtocol = protocol === 's2k' ? 's2k_fo' : 's2k'
  const candidates: Array<[ICloudFindingCode, Uint8Array, string, string]> = [
    [
      'protocol-mixed-up',
      derivePasswordKeySync(password, salt, iterations, other),
      `The key was derived as ${other}, but signin/init chose ${protocol}.`,
      's2k feeds SHA-256(password) as raw bytes, s2k_fo as lowercase hex text (icloudpd #975).',
    ],
    [
      'pbkdf2-sha1-prf',
      pbkdf2Sync(passwordDigestInput(password, protocol), salt, iterations, 32, 'sha1'),
      'PBKDF2 used HMAC-SHA1.',
      'Use PBKDF2-HMAC-SHA256.',
    ],
    [
      'iterations-ignored',
      pbkdf2Sync(passwordDigestInput(password, protocol), salt, 1, 32, 'sha256'),
      'PBKDF2 ran one iteration.',
      'Use the iteration count from signin/init.',
    ],
    [
      'salt-not-base64-decoded',
      pbkdf2Sync(
        passwordDigestInput(password, protocol),
        utf8Encode(Buffer.from(salt).toString('base64')),
        iterations,
        32,
        'sha256',
      ),
      'The salt was used as base64 text.',
      'Base64-decode the salt first.',
    ],
    [
      'password-not-prehashed',
      pbkdf2Sync(utf8Encode(password), salt, iterations, 32, 'sha256'),
      'PBKDF2 got the password itself, not SHA-256(password).',
      'Hash the password with SHA-256 first.',
    ],
  ]
  for (const [code, key, message, fix] of candidates)
    if (constantTimeEqual(new Uint8Array(key), claimed)) return [finding(code, message, fix)]
  return [
    finding(
      'password-key-unknown-derivation',
      'The password key matches no known derivation (or the password differs).',
      'Derive p = PBKDF2-HMAC-SHA256(SHA-256(password), salt, iterations, 32).',
    ),
  ]
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength)
  for (let i = 0; i < a.byteLength; i++) out[i] = a[i]! ^ b[i]!
  return out
}
