import { digestTokensSync, fromBase64, fromHex, sha256 } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { srpVectors } from '../srp/__fixtures__/icloud-srp.js'
import { bigintFromBytes, bytesFromBigint } from '../srp/bigint.js'
import { createSrpClient } from '../srp/client.js'
import { SRP_GROUP_2048 } from '../srp/group.js'
import { derivePasswordKeySync } from '../srp/password.js'
import { computeVerifier, serverSharedSecret } from '../srp/server.js'
import { m1Tokens } from '../srp/tokens.js'
import { diagnoseICloudRequest } from './diagnose.js'

const [basic, typed, zero] = srpVectors.cases as [
  (typeof srpVectors.cases)[0],
  (typeof srpVectors.cases)[0],
  (typeof srpVectors.cases)[0],
]

function evidence(c: typeof basic, m1: string) {
  const salt = fromBase64(c.salt)
  return {
    accountName: c.accountName,
    salt,
    iterations: c.iterations,
    protocol: c.protocol,
    verifier: computeVerifier(fromHex(c.p), salt),
    A: fromBase64(c.A),
    b: fromHex(c.b),
    B: fromBase64(c.B),
    m1: fromBase64(m1),
  }
}

describe('diagnoseICloudRequest', () => {
  it('accepts the vectors and notes the padded alternative', () => {
    expect(diagnoseICloudRequest(evidence(basic, basic.M1))).toEqual({ ok: true, findings: [] })
    const padded = diagnoseICloudRequest(evidence(zero, zero.alternatives!.paddedAandBInM1M2!.M1))
    expect(padded.ok).toBe(true)
    expect(padded.findings.map((f) => f.code)).toEqual(['padded-proof'])
  })

  it('names an M1 that hashed the account name as typed while sending it lower-cased', () => {
    const client = createSrpClient({ a: fromHex(typed.a) })
    const proof = client.computeProof({
      accountName: typed.accountNameAsTyped,
      passwordKey: fromHex(typed.p),
      salt: fromBase64(typed.salt),
      B: fromBase64(typed.B),
    })
    const e = { ...evidence(typed, typed.M1), m1: proof.m1, initAccountName: typed.accountNameAsTyped }
    const result = diagnoseICloudRequest(e)
    expect(result.ok).toBe(false)
    expect(result.findings.map((f) => f.code)).toEqual(['account-name-mismatch', 'account-name-form'])
  })

  it('names the xor term computed with an unpadded g, and diffs claimed M1 tokens', () => {
    const e = evidence(basic, basic.M1)
    const S = serverSharedSecret(
      SRP_GROUP_2048,
      bigintFromBytes(e.A),
      bigintFromBytes(e.B),
      bigintFromBytes(e.verifier),
      bigintFromBytes(e.b),
    )!
    const tokens = m1Tokens({
      group: SRP_GROUP_2048,
      accountName: basic.accountName,
      salt: e.salt,
      A: e.A,
      B: e.B,
      K: sha256(bytesFromBigint(S)),
    })
    const hN = sha256(SRP_GROUP_2048.NBytes)
    const hG = sha256(new Uint8Array([2]))
    tokens[0] = { label: 'H(N) xor H(PAD(g))', bytes: hN.map((x, i) => x ^ hG[i]!) }
    const result = diagnoseICloudRequest({
      ...e,
      m1: digestTokensSync(tokens, { hash: 'sha256' }),
      claimedM1Tokens: tokens,
    })
    expect(result.findings.map((f) => f.code)).toEqual(['xor-unpadded-g', 'm1-token-differs'])
    expect(result.findings[1]!.message).toContain('"H(N) xor H(PAD(g))" at byte 0')
  })

  it('names password-derivation mistakes from the claimed key', () => {
    const salt = fromBase64(basic.salt)
    const wrongProtocol = derivePasswordKeySync(basic.password, salt, basic.iterations, 's2k_fo')
    const result = diagnoseICloudRequest({
      ...evidence(basic, typed.M1),
      password: basic.password,
      claimedPasswordKey: wrongProtocol,
    })
    expect(result.findings.map((f) => f.code)).toEqual(['protocol-mixed-up'])
  })

  it('falls back to proof-mismatch and flags an un-echoed c', () => {
    const result = diagnoseICloudRequest({
      ...evidence(basic, typed.M1),
      cIssued: 'd-1:MSA',
      cReceived: 'd-2:MSA',
    })
    expect(result.findings.map((f) => f.code)).toEqual(['c-not-echoed'])
    expect(diagnoseICloudRequest(evidence(basic, typed.M1)).findings.map((f) => f.code)).toEqual([
      'proof-mismatch',
    ])
  })
})
