import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  createRequest,
  fixedClock,
  fromBase64,
  type HttpRequest,
  type ReceivedRequest,
  renderTokens,
  renderTokensToString,
  textBody,
  traceTokens,
  utf8Decode,
  utf8Encode,
} from '@sigwire/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMPTY_BODY_HASH } from '../constants.js'
import { type PositiveCase, vectors } from './__fixtures__/cloudkit-vectors.js'
import { cloudKitBodyHash } from './body-hash.js'
import { createCloudKitSigner } from './signer.js'
import { cloudKitMessage } from './string-to-sign.js'
import { verifyCloudKitRequest } from './verify.js'

const run = promisify(execFile)

function vectorRequest(c: PositiveCase): HttpRequest {
  return createRequest({
    method: c.method,
    url: c.host + c.requestTarget,
    body: c.body === null ? undefined : textBody(c.body),
  })
}

function received(c: PositiveCase, overrides: Partial<ReceivedRequest> = {}): ReceivedRequest {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(c.headers)) headers[name.toLowerCase()] = value
  return {
    method: c.method,
    target: c.requestTarget,
    headers,
    body: c.body === null ? new Uint8Array() : utf8Encode(c.body),
    ...overrides,
  }
}

/** What a server receives for a request our signer signed. */
async function receivedFromSigned(request: HttpRequest, date: Date): Promise<ReceivedRequest> {
  const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })
  const out = await signer.sign(request, fixedClock(date))
  return {
    method: request.method,
    target: request.target,
    headers: { ...request.headers, ...out.headers },
    body: request.body.inMemoryBytes()!,
  }
}

describe('string-to-sign against CloudKit JS 2.6.4 vectors', () => {
  const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })

  it('has the five positive cases', () => expect(vectors.cases).toHaveLength(5))

  it.each(vectors.cases.map((c) => [c.id, c] as const))(
    '%s: reproduces the message byte for byte and its signature verifies',
    async (_id, c) => {
      const request = vectorRequest(c)
      expect(request.target).toBe(c.requestTarget)
      expect(cloudKitBodyHash(c.body ?? '')).toBe(c.bodyHash)
      const tokens = await signer.tokens(request, new Date(c.date))
      expect(Buffer.from(renderTokensToString(tokens), 'utf8').equals(Buffer.from(c.message, 'utf8'))).toBe(
        true,
      )
      expect(tokens.map((t) => t.label)).toEqual(['date', ':', 'body-hash', ':', 'request-target'])
      expect(
        verifyCloudKitRequest(received(c), { publicKey: vectors.publicKeyPem, now: new Date(c.date) }),
      ).toEqual({
        ok: true,
      })
    },
  )

  it.each(vectors.cases.map((c) => [c.id, c] as const))(
    '%s: fails with the query dropped, and with the hash field emptied',
    (_id, c) => {
      const now = new Date(c.date)
      const noQuery = verifyCloudKitRequest(received(c, { target: c.path }), {
        publicKey: vectors.publicKeyPem,
        now,
      })
      expect(noQuery).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' })
      if (c.body === null) {
        const emptyField = verifyCloudKitRequest(received(c), {
          publicKey: vectors.publicKeyPem,
          now,
          emptyBodyHash: 'empty',
        })
        expect(emptyField).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' })
        expect(
          verifyCloudKitRequest(received(c), {
            publicKey: vectors.publicKeyPem,
            now,
            emptyBodyHash: 'either',
          }),
        ).toEqual({ ok: true })
      }
    },
  )

  it('signs a bodyless request over the hash of zero bytes', async () => {
    const c = vectors.cases.find((v) => v.body === null)!
    const tokens = await signer.tokens(vectorRequest(c), new Date(c.date))
    expect(new TextDecoder().decode(tokens[2]!.bytes)).toBe(EMPTY_BODY_HASH)
  })
})

describe('our signatures verify with OpenSSL', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigwire-ck-openssl-'))
    await writeFile(join(dir, 'pub.pem'), vectors.publicKeyPem)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it.each(vectors.cases.map((c) => [c.id, c] as const))(
    '%s: openssl dgst -sha256 -verify accepts our signature over the message',
    async (_id, c) => {
      const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })
      const out = await signer.sign(vectorRequest(c), fixedClock(c.date))
      expect(out.headers!['x-apple-cloudkit-request-iso8601date']).toBe(c.date)
      expect(out.headers!['x-apple-cloudkit-request-keyid']).toBe(vectors.keyID)
      const message = join(dir, `${c.id}.msg`)
      const signature = join(dir, `${c.id}.sig`)
      await writeFile(message, c.message)
      await writeFile(signature, fromBase64(out.headers!['x-apple-cloudkit-request-signaturev1']!))
      const { stdout } = await run('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        signature,
        message,
      ])
      expect(stdout.trim()).toBe('Verified OK')
      // And OpenSSL rejects the same signature over the message without the query.
      await writeFile(message, c.message.replace(`?${c.query}`, ''))
      await expect(
        run('openssl', [
          'dgst',
          '-sha256',
          '-verify',
          join(dir, 'pub.pem'),
          '-signature',
          signature,
          message,
        ]),
      ).rejects.toMatchObject({ stdout: expect.stringContaining('Verification failure') })
    },
  )
})

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
const anyRequest = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 4 }),
  query: fc.array(
    fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 12 })),
    {
      maxLength: 4,
    },
  ),
  body: fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 200 })),
  seconds: fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
})

function build(input: { path: string[]; query: Array<[string, string]>; body: string }): HttpRequest {
  return createRequest({
    method: input.body === '' ? 'GET' : 'POST',
    url: `https://api.apple-cloudkit.com/database/1/${input.path.map(encodeURIComponent).join('/')}`,
    query: input.query,
    body: input.body === '' ? undefined : textBody(input.body),
  })
}

describe('sign then verify (property: unicode bodies, paths, queries)', () => {
  it('every signed request verifies', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, async (input) => {
        const date = new Date(input.seconds * 1000)
        const rec = await receivedFromSigned(build(input), date)
        expect(verifyCloudKitRequest(rec, { publicKey: vectors.publicKeyPem, now: date })).toEqual({
          ok: true,
        })
      }),
      { numRuns: 150 },
    )
  })
})

describe('mutation: any one changed byte of body, target or date fails and names the token', () => {
  it('names body-hash, request-target or date', async () => {
    const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })
    await fc.assert(
      fc.asyncProperty(
        anyRequest.filter((r) => r.body !== ''),
        fc.constantFrom('body', 'target', 'date'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (input, where, pick, delta) => {
          const date = new Date(input.seconds * 1000)
          const request = build(input)
          const rec = await receivedFromSigned(request, date)
          const signedString = renderTokensToString(await signer.tokens(request, date))
          const dateHeader = rec.headers['x-apple-cloudkit-request-iso8601date'] as string
          const flip = (bytes: Uint8Array) => {
            const copy = new Uint8Array(bytes)
            const at = pick % copy.byteLength
            copy[at] = (copy[at]! + delta) % 256
            return copy
          }
          const mutated: ReceivedRequest =
            where === 'body'
              ? { ...rec, body: flip(rec.body) }
              : where === 'target'
                ? { ...rec, target: utf8Decode(flip(utf8Encode(rec.target))) }
                : {
                    ...rec,
                    headers: {
                      ...rec.headers,
                      'x-apple-cloudkit-request-iso8601date': utf8Decode(flip(utf8Encode(dateHeader))),
                    },
                  }
          const result = verifyCloudKitRequest(mutated, {
            publicKey: vectors.publicKeyPem,
            now: date,
            signedString,
          })
          expect(result.ok).toBe(false)
          const expected = { body: 'body-hash', target: 'request-target', date: 'date' }[where]
          expect(result.ok === false && result.token).toBe(expected)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('verifier rules', () => {
  const c = vectors.cases[1]!
  const now = new Date(c.date)

  it('requires all three headers', () => {
    const rec = received(c)
    const { 'x-apple-cloudkit-request-signaturev1': _, ...rest } = rec.headers
    expect(
      verifyCloudKitRequest({ ...rec, headers: rest }, { publicKey: vectors.publicKeyPem, now }),
    ).toMatchObject({
      ok: false,
      reason: 'MISSING_HEADER',
      token: 'signature',
    })
  })

  it('checks the key ID when told which one the key is registered under', () => {
    expect(
      verifyCloudKitRequest(received(c), { publicKey: vectors.publicKeyPem, now, keyId: 'other' }),
    ).toMatchObject({
      reason: 'UNKNOWN_KEY_ID',
      token: 'key-id',
    })
  })

  it.each([
    ['2026-03-14T15:09:27.000Z', 'fractional seconds'],
    ['2026-03-14T15:09:27+00:00', 'UTC offset'],
    ['2026-03-14T15:09:27', 'no zone'],
  ])('rejects the date %s (%s)', (date) => {
    const rec = received(c)
    const result = verifyCloudKitRequest(
      { ...rec, headers: { ...rec.headers, 'x-apple-cloudkit-request-iso8601date': date } },
      { publicKey: vectors.publicKeyPem, now },
    )
    expect(result).toMatchObject({ ok: false, reason: 'DATE_FORMAT', token: 'date' })
  })

  it('enforces the window both ways, configurable', () => {
    const later = new Date(now.getTime() + 601_000)
    expect(verifyCloudKitRequest(received(c), { publicKey: vectors.publicKeyPem, now: later })).toMatchObject(
      {
        reason: 'DATE_OUT_OF_WINDOW',
        message: expect.stringContaining('601 s behind'),
      },
    )
    const earlier = new Date(now.getTime() - 601_000)
    expect(
      verifyCloudKitRequest(received(c), { publicKey: vectors.publicKeyPem, now: earlier }),
    ).toMatchObject({
      reason: 'DATE_OUT_OF_WINDOW',
      message: expect.stringContaining('ahead of'),
    })
    expect(
      verifyCloudKitRequest(received(c), { publicKey: vectors.publicKeyPem, now: later, windowSeconds: 700 }),
    ).toEqual({
      ok: true,
    })
  })

  it('accepts only base64 DER: raw r||s, hex and base64url are rejected', () => {
    const der = fromBase64(c.signature)
    const raw = derToRaw(der)
    const rec = received(c)
    const withSig = (value: string) => ({
      ...rec,
      headers: { ...rec.headers, 'x-apple-cloudkit-request-signaturev1': value },
    })
    expect(
      verifyCloudKitRequest(withSig(Buffer.from(raw).toString('base64')), {
        publicKey: vectors.publicKeyPem,
        now,
      }),
    ).toMatchObject({
      reason: 'SIGNATURE_NOT_DER',
      message: expect.stringContaining('64 raw bytes'),
    })
    expect(
      verifyCloudKitRequest(withSig(c.signatureDerHex), { publicKey: vectors.publicKeyPem, now }),
    ).toMatchObject({
      reason: 'SIGNATURE_ENCODING',
      message: expect.stringContaining('hex'),
    })
    const url = Buffer.from(der).toString('base64url')
    expect(verifyCloudKitRequest(withSig(url), { publicKey: vectors.publicKeyPem, now })).toMatchObject({
      reason: 'SIGNATURE_ENCODING',
    })
  })

  it('reports the rebuilt message when the signature does not verify', () => {
    const rec = received(c, { body: utf8Encode(`${c.body} `) })
    const result = verifyCloudKitRequest(rec, { publicKey: vectors.publicKeyPem, now })
    expect(result).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' })
    expect(result.rebuiltMessage).toBe(`${c.date}:${cloudKitBodyHash(`${c.body} `)}:${c.requestTarget}`)
  })
})

function derToRaw(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(64)
  let offset = 2
  for (const half of [0, 1]) {
    const length = der[offset + 1]!
    const value = der.subarray(offset + 2, offset + 2 + length)
    const trimmed = value.subarray(Math.max(0, value.byteLength - 32))
    out.set(trimmed, half * 32 + (32 - trimmed.byteLength))
    offset += 2 + length
  }
  return out
}

describe('message bytes and the lazy trace', () => {
  it('the message bytes are the rendered tokens (property, unicode targets)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        fc.string({ unit: 'grapheme' }),
        (date, hash, target) => {
          const message = cloudKitMessage({ date, bodyHash: hash, target })
          expect(Buffer.from(renderTokens(message.tokens)).equals(Buffer.from(message.bytes))).toBe(true)
          expect(utf8Decode(message.bytes)).toBe(`${date}:${hash}:${target}`)
        },
      ),
    )
  })

  it('a signer trace reads, iterates and serializes like traceTokens', async () => {
    const c = vectors.cases[2]!
    const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })
    const out = await signer.sign(vectorRequest(c), fixedClock(c.date))
    const eager = traceTokens(await signer.tokens(vectorRequest(c), new Date(c.date)))
    expect(out.trace.length).toBe(5)
    expect([...out.trace]).toEqual(eager)
    expect(JSON.parse(JSON.stringify(out.trace))).toEqual(JSON.parse(JSON.stringify(eager)))
    expect(out.trace[4]!.text).toBe(c.requestTarget)
    expect(out.trace.map((t) => t.label)).toEqual(['date', ':', 'body-hash', ':', 'request-target'])
    expect(Array.isArray(out.trace)).toBe(true)
  })
})
