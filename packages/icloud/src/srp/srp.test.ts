import { fromBase64, fromHex, toBase64, toHex } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { srpVectors } from './__fixtures__/icloud-srp.js'
import { bigintFromBytes } from './bigint.js'
import { createSrpClient } from './client.js'
import { SRP_GROUP_2048 } from './group.js'
import { privateKeyX } from './math.js'
import { derivePasswordKey, derivePasswordKeySync } from './password.js'
import { computeVerifier, createServerChallenge, verifyClientProof } from './server.js'

describe('SRP group', () => {
  it('matches the vector file group values', () => {
    expect(SRP_GROUP_2048.N.toString(16)).toBe(srpVectors.group.N)
    expect(SRP_GROUP_2048.k.toString(16).padStart(64, '0')).toBe(srpVectors.group.k)
    expect(toHex(SRP_GROUP_2048.hNxorHg)).toBe(srpVectors.group.HNxorHPADg)
  })
})

describe('password derivation (docs/protocols/icloud.md §3.4 derived vectors)', () => {
  const salt = fromBase64('AAECAwQFBgcICQoLDA0ODw==')
  it('derives p and x for s2k and s2k_fo', async () => {
    const s2k = await derivePasswordKey('correct horse battery staple', salt, 1000, 's2k')
    const fo = derivePasswordKeySync('correct horse battery staple', salt, 1000, 's2k_fo')
    expect(toHex(s2k)).toBe('6b7cc6edb94620dcf9811c616742ca428fe81b5bede8478a876a895345ded185')
    expect(toHex(fo)).toBe('5df3f8614930d6e2cf855fc8ddec13b51431c6c08e3375a1ef346686965d049e')
    expect(privateKeyX(salt, s2k).toString(16).padStart(64, '0')).toBe(
      '23c0e6f4524a5e5a38f50343aa8b6dac9caf00e54b4fb95e98ffdb1fe76a42df',
    )
    expect(privateKeyX(salt, fo).toString(16).padStart(64, '0')).toBe(
      '42bb4a1784a729202320441ea9cb4866966552e000de056e690160dfad2266f4',
    )
  })

  it('rejects unknown protocols and bad iteration counts with typed errors', async () => {
    await expect(derivePasswordKey('x', salt, 10, 's2k_xx' as 's2k')).rejects.toMatchObject({
      code: 'UNSUPPORTED_PROTOCOL',
    })
    await expect(derivePasswordKey('x', salt, 0, 's2k')).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
  })
})

describe.each(srpVectors.cases)('vector $id', (c) => {
  const salt = fromBase64(c.salt)

  it('derives p, x and v', async () => {
    expect(c.accountNameAsTyped.trim().toLowerCase()).toBe(c.accountName)
    const p = await derivePasswordKey(c.password, salt, c.iterations, c.protocol)
    expect(toHex(p)).toBe(c.p)
    expect(privateKeyX(salt, p).toString(16).padStart(64, '0')).toBe(c.x)
    expect(bigintFromBytes(computeVerifier(p, salt))).toBe(BigInt(`0x${c.v}`))
  })

  it('computes A, u, M1 and M2 on the client', () => {
    const client = createSrpClient({ a: fromHex(c.a) })
    expect(toBase64(client.A)).toBe(c.A)
    expect(client.A.byteLength).toBe(c.AByteLength)
    const proof = client.computeProof({
      accountName: c.accountName,
      passwordKey: fromHex(c.p),
      salt,
      B: fromBase64(c.B),
    })
    expect(toHex(proof.u)).toBe(c.u)
    expect(toBase64(proof.m1)).toBe(c.M1)
    expect(toBase64(proof.m2)).toBe(c.M2)
    // the trace shows the public values and masks K
    const labels = proof.trace.map((t) => t.label)
    expect(labels).toEqual(['I', 'A', 'B', 'u', 'K', 'M1', 'M2'])
    const k = proof.trace.find((t) => t.label === 'K')!
    expect(k.secret).toBe(true)
    expect(JSON.stringify(proof.trace)).not.toContain(c.K)
  })

  it('computes B on the server and accepts the client proof', () => {
    const verifier = computeVerifier(fromHex(c.p), salt)
    const challenge = createServerChallenge(verifier, { b: fromHex(c.b) })
    expect(toBase64(challenge.B)).toBe(c.B)
    const result = verifyClientProof({
      verifier,
      salt,
      accountName: c.accountName,
      A: fromBase64(c.A),
      b: challenge.b,
      B: challenge.B,
      m1: fromBase64(c.M1),
      m2: fromBase64(c.M2),
    })
    expect(result).toEqual({ ok: true, variant: 'minimal', m2Checked: true })
  })

  it('rejects a proof for another password or account name', () => {
    const verifier = computeVerifier(fromHex(c.p), salt)
    const base = {
      verifier,
      salt,
      A: fromBase64(c.A),
      b: fromHex(c.b),
      B: fromBase64(c.B),
      m1: fromBase64(c.M1),
    }
    expect(verifyClientProof({ ...base, accountName: c.accountNameAsTyped })).toMatchObject({
      ok: c.accountNameAsTyped === c.accountName,
    })
    expect(
      verifyClientProof({
        ...base,
        accountName: c.accountName,
        verifier: computeVerifier(fromHex(c.x), salt),
      }),
    ).toEqual({ ok: false, reason: 'M1_MISMATCH' })
  })

  if (c.alternatives?.paddedAandBInM1M2) {
    const alt = c.alternatives.paddedAandBInM1M2
    it('accepts the padded-A-and-B alternative on the server and names it', () => {
      expect(c.AByteLength).toBeLessThan(256)
      const result = verifyClientProof({
        verifier: computeVerifier(fromHex(c.p), salt),
        salt,
        accountName: c.accountName,
        A: fromBase64(c.A),
        b: fromHex(c.b),
        B: fromBase64(c.B),
        m1: fromBase64(alt.M1),
        m2: fromBase64(alt.M2),
      })
      // S is 256 bytes in this case, so padding S changes nothing and the first padded variant matches.
      expect(result.ok && result.variant).toMatch(/^padded/)
    })

    it('produces the padded alternative when the client is told to pad', () => {
      const client = createSrpClient({
        a: fromHex(c.a),
        encoding: { padPublicValues: true, padSharedSecret: true },
      })
      const proof = client.computeProof({
        accountName: c.accountName,
        passwordKey: fromHex(c.p),
        salt,
        B: fromBase64(c.B),
      })
      expect(toBase64(proof.m1)).toBe(alt.M1)
      expect(toBase64(proof.m2)).toBe(alt.M2)
    })
  }
})

describe('degenerate server values', () => {
  it('refuses B = 0 mod N with a typed error', () => {
    const client = createSrpClient()
    const N = Buffer.from(SRP_GROUP_2048.NBytes)
    expect(() =>
      client.computeProof({
        accountName: 'a',
        passwordKey: new Uint8Array(32),
        salt: new Uint8Array(16),
        B: N,
      }),
    ).toThrow(expect.objectContaining({ code: 'SRP_INVALID_PUBLIC_VALUE' }))
  })
})
