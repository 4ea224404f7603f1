import { createPrivateKey, sign as cryptoSign, generateKeyPairSync } from 'node:crypto'
import { type ReceivedRequest, sha256, toBase64, toHex, utf8Encode } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { type NegativeCase, type PositiveCase, vectors } from '../signing/__fixtures__/cloudkit-vectors.js'
import { cloudKitBodyHash } from '../signing/body-hash.js'
import { rubyInspect } from './body-variants.js'
import { claimedFields } from './claimed-string.js'
import { diagnoseCloudKitRequest } from './diagnose.js'
import type { CloudKitFindingCode } from './findings.js'

const privateKey = createPrivateKey(vectors.privateKeyPem)
const sign = (message: string, options: { dsaEncoding?: 'der' | 'ieee-p1363'; hash?: string } = {}) =>
  cryptoSign(options.hash ?? 'sha256', Buffer.from(message, 'utf8'), {
    key: privateKey,
    dsaEncoding: options.dsaEncoding ?? 'der',
  })

function negativeRequest(c: NegativeCase, withSignature: boolean): ReceivedRequest {
  const headers: Record<string, string> = {
    'x-apple-cloudkit-request-keyid': vectors.keyID,
    'x-apple-cloudkit-request-iso8601date': c.request.dateHeader,
  }
  if (withSignature && c.signature) headers['x-apple-cloudkit-request-signaturev1'] = c.signature
  return {
    method: c.request.method,
    target: c.request.requestTarget,
    headers,
    body: c.request.body === null ? new Uint8Array() : utf8Encode(c.request.body),
  }
}

const errorCodes = (d: { findings: readonly { code: string; severity: string }[] }) =>
  d.findings.filter((f) => f.severity === 'error').map((f) => f.code)

describe('published failures (cloudkit.json negative cases)', () => {
  it('has the four published failures and their reconstructions', () =>
    expect(vectors.negative.length).toBeGreaterThanOrEqual(5))

  it.each(vectors.negative.map((c) => [c.id, c] as const))(
    '%s: diagnosed from the client string',
    (_id, c) => {
      const diagnosis = diagnoseCloudKitRequest({
        request: negativeRequest(c, true),
        signedString: c.signedMessage,
        now: new Date(c.request.dateHeader),
        bodyKnown: c.request.bodyKnown,
      })
      expect(diagnosis.ok).toBe(false)
      expect(diagnosis.findings[0]!.code).toBe(c.expectedDiagnosis)
      const codes = errorCodes(diagnosis).filter((code) => code !== 'missing-header')
      expect(new Set(codes)).toEqual(new Set(c.allDiagnoses))
      // Without a signature header the request is also missing one; nothing else is reported.
      if (!c.signature) expect(errorCodes(diagnosis)).toContain('missing-header')
      if (c.verifierRebuilds) expect(diagnosis.expectedMessage).toBe(c.verifierRebuilds.message)
    },
  )

  it.each(vectors.negative.filter((c) => c.signature && c.request.bodyKnown).map((c) => [c.id, c] as const))(
    '%s: diagnosed from signature and key alone (candidate search)',
    (_id, c) => {
      const diagnosis = diagnoseCloudKitRequest({
        request: negativeRequest(c, true),
        publicKey: vectors.publicKeyPem,
        now: new Date(c.request.dateHeader),
      })
      expect(diagnosis.signatureVerified).toBe(false)
      expect(diagnosis.matched?.message).toBe(c.signedMessage)
      expect(diagnosis.findings[0]!.code).toBe(c.expectedDiagnosis)
      expect(new Set(errorCodes(diagnosis))).toEqual(new Set(c.allDiagnoses))
    },
  )

  it('names the Ruby Hash#inspect text the published hash was computed over', () => {
    const ruby = vectors.negative.find((c) => c.id === 'ruby-hash-inspect-published')!
    expect(rubyInspect(JSON.parse(ruby.request.body!), '=>')).toBe(ruby.hashedText)
    const diagnosis = diagnoseCloudKitRequest({
      request: negativeRequest(ruby, true),
      publicKey: vectors.publicKeyPem,
      now: new Date(ruby.request.dateHeader),
    })
    expect(diagnosis.findings[0]!.message).toContain("Ruby's Hash#inspect text (Ruby before 3.4)")
  })

  it('finds the first differing token of a client string', () => {
    const ruby = vectors.negative.find((c) => c.id === 'ruby-hash-inspect-published')!
    const diagnosis = diagnoseCloudKitRequest({
      request: negativeRequest(ruby, true),
      signedString: ruby.signedMessage,
      now: new Date(ruby.request.dateHeader),
    })
    expect(diagnosis.firstDifference).toMatchObject({ label: 'body-hash', byteOffset: 21, kind: 'value' })
  })
})

describe('splitting a claimed string', () => {
  it.each([
    [
      '2026-03-14T15:20:00Z:N7cDHu2NsRtX5fYPsIRqIFdODmkVs0HnJxQdtYoFQnA=:/database/1/a/b?x=1:2',
      'date:hash:target',
    ],
    [
      'POST:/database/1/a/development/public/records/query:2026-03-14T15:21:30Z:a4703e94e3d87a347137822cc1cf6457ca45157e6096d7849c8e2815514193d3',
      'method:target:date:hash',
    ],
    ['2016-02-06T20:41:00Z:YTdk:https://api.apple-cloudkit.com:443/database/1/x', 'date:hash:target'],
    ['2026-03-14T15:20:00Z:/7cDHu2NsRtX5fYPsIRqIFdODmkVs0HnJxQdtYoFQnA=:/database/1/a', 'date:hash:target'],
    ['2026-03-14T15:20:00.123Z::/database/1/a', 'date:hash:target'],
  ])('%s', (text, kinds) => {
    expect(
      claimedFields(text)
        .map((f) => f.kind)
        .join(':'),
    ).toBe(kinds)
    expect(
      claimedFields(text)
        .map((f) => f.text)
        .join(':'),
    ).toBe(text)
  })
})

interface Mistake {
  readonly code: CloudKitFindingCode
  /** Builds the mistaken request from a correct one. */
  readonly make: (
    c: PositiveCase,
  ) => { request: ReceivedRequest; now?: Date; registeredKeys?: boolean } | undefined
}

function correct(c: PositiveCase, message = c.message, signature?: string): ReceivedRequest {
  return {
    method: c.method,
    target: c.requestTarget,
    headers: {
      'x-apple-cloudkit-request-keyid': vectors.keyID,
      'x-apple-cloudkit-request-iso8601date': c.date,
      'x-apple-cloudkit-request-signaturev1': signature ?? toBase64(sign(message)),
      host: 'api.apple-cloudkit.com',
    },
    body: c.body === null ? new Uint8Array() : utf8Encode(c.body),
  }
}

const hexHash = (c: PositiveCase) => toHex(sha256(c.body ?? ''))
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })

const mistakes: Mistake[] = [
  {
    code: 'hash-hex-not-base64',
    make: (c) => ({ request: correct(c, `${c.date}:${hexHash(c)}:${c.requestTarget}`) }),
  },
  {
    code: 'hash-hex-not-base64',
    make: (c) => ({
      request: correct(c, `${c.date}:${toBase64(utf8Encode(hexHash(c)))}:${c.requestTarget}`),
    }),
  },
  {
    code: 'host-in-subpath',
    make: (c) => ({
      request: correct(c, `${c.date}:${c.bodyHash}:https://api.apple-cloudkit.com${c.requestTarget}`),
    }),
  },
  { code: 'query-not-signed', make: (c) => ({ request: correct(c, `${c.date}:${c.bodyHash}:${c.path}`) }) },
  { code: 'method-in-message', make: (c) => ({ request: correct(c, `${c.method}:${c.message}`) }) },
  {
    code: 'wrong-token-order',
    make: (c) => ({ request: correct(c, `${c.bodyHash}:${c.date}:${c.requestTarget}`) }),
  },
  {
    code: 'date-has-milliseconds',
    make: (c) => ({ request: correct(c, `${c.date.slice(0, 19)}.000Z:${c.bodyHash}:${c.requestTarget}`) }),
  },
  {
    code: 'date-has-milliseconds',
    make: (c) => ({ request: correct(c, `${c.date.slice(0, 19)}.437Z:${c.bodyHash}:${c.requestTarget}`) }),
  },
  {
    code: 'date-not-utc',
    make: (c) => ({ request: correct(c, `${c.date.slice(0, 19)}+00:00:${c.bodyHash}:${c.requestTarget}`) }),
  },
  {
    code: 'signed-body-differs',
    make: (c) =>
      c.body === null
        ? { request: correct(c, `${c.date}::${c.requestTarget}`) }
        : {
            request: correct(
              c,
              `${c.date}:${cloudKitBodyHash(JSON.stringify(JSON.parse(c.body), null, 2))}:${c.requestTarget}`,
            ),
          },
  },
  {
    code: 'signed-body-differs',
    make: (c) =>
      c.body === null || !/[^\x00-\x7f]/.test(c.body)
        ? undefined
        : {
            request: correct(
              c,
              `${c.date}:${toBase64(sha256(Buffer.from(c.body, 'latin1')))}:${c.requestTarget}`,
            ),
          },
  },
  {
    code: 'signature-not-der',
    make: (c) => ({
      request: correct(c, c.message, toBase64(sign(c.message, { dsaEncoding: 'ieee-p1363' }))),
    }),
  },
  { code: 'signature-not-der', make: (c) => ({ request: correct(c, c.message, toHex(sign(c.message))) }) },
  {
    code: 'signature-not-der',
    make: (c) => ({ request: correct(c, c.message, toBase64(sign(c.message, { hash: 'sha1' }))) }),
  },
  {
    code: 'wrong-key',
    make: (c) => ({
      request: correct(
        c,
        c.message,
        toBase64(cryptoSign('sha256', Buffer.from(c.message), otherKey.privateKey)),
      ),
      registeredKeys: true,
    }),
  },
  {
    // With a body, a foreign key looks like a changed body (see the test of that ambiguity below).
    code: 'wrong-key',
    make: (c) =>
      c.body === null
        ? {
            request: correct(
              c,
              c.message,
              toBase64(cryptoSign('sha256', Buffer.from(c.message), otherKey.privateKey)),
            ),
          }
        : undefined,
  },
  {
    code: 'wrong-key',
    make: (c) => {
      const request = correct(c)
      return {
        request: { ...request, headers: { ...request.headers, 'x-apple-cloudkit-request-keyid': 'unknown' } },
        registeredKeys: true,
      }
    },
  },
  {
    code: 'environment-invalid',
    make: (c) => {
      const target = c.requestTarget.replace('/development/', '/Development/')
      return { request: { ...correct(c, `${c.date}:${c.bodyHash}:${target}`), target } }
    },
  },
  {
    code: 's2s-on-user-database',
    make: (c) => {
      const target = c.requestTarget.replace('/public/', '/private/')
      return { request: { ...correct(c, `${c.date}:${c.bodyHash}:${target}`), target } }
    },
  },
  {
    code: 'missing-header',
    make: (c) => {
      const { 'x-apple-cloudkit-request-keyid': _, ...headers } = correct(c).headers
      return { request: { ...correct(c), headers } }
    },
  },
  {
    code: 'clock-skew',
    make: (c) => ({ request: correct(c), now: new Date(new Date(c.date).getTime() + 11 * 60_000) }),
  },
]

describe('mutations of the positive vectors, each diagnosed by candidate search', () => {
  const cases = vectors.cases.flatMap((c) =>
    mistakes.map((m, i) => [`${c.id} #${i} ${m.code}`, c, m] as const),
  )

  it.each(cases)('%s', (_name, c, m) => {
    const made = m.make(c)
    if (!made) return
    const registeredKeys = made.registeredKeys
      ? [
          {
            keyId: vectors.keyID,
            publicKeyPem: vectors.publicKeyPem,
            container: vectors.container,
            environment: 'development',
          },
          {
            keyId: 'OTHERKEY',
            publicKeyPem: otherKey.publicKey,
            container: vectors.container,
            environment: 'production',
          },
        ]
      : undefined
    const diagnosis = diagnoseCloudKitRequest({
      request: made.request,
      ...(registeredKeys ? { registeredKeys } : { publicKey: vectors.publicKeyPem }),
      now: made.now ?? new Date(c.date),
    })
    expect(diagnosis.ok).toBe(false)
    expect(errorCodes(diagnosis)).toContain(m.code)
  })

  it.each(vectors.cases.map((c) => [c.id, c] as const))(
    '%s: a correct request is ok with no findings',
    (_id, c) => {
      const diagnosis = diagnoseCloudKitRequest({
        request: correct(c),
        publicKey: vectors.publicKeyPem,
        signedString: c.message,
        now: new Date(c.date),
      })
      expect(diagnosis).toMatchObject({
        ok: true,
        findings: [],
        signatureVerified: true,
        expectedMessage: c.message,
      })
    },
  )

  it('a signature by another registered key names that key', () => {
    const c = vectors.cases[0]!
    const diagnosis = diagnoseCloudKitRequest({
      request: correct(
        c,
        c.message,
        toBase64(cryptoSign('sha256', Buffer.from(c.message), otherKey.privateKey)),
      ),
      registeredKeys: [
        { keyId: vectors.keyID, publicKeyPem: vectors.publicKeyPem },
        { keyId: 'OTHERKEY', publicKeyPem: otherKey.publicKey },
      ],
      now: new Date(c.date),
    })
    expect(diagnosis.findings).toEqual([
      expect.objectContaining({ code: 'wrong-key', message: expect.stringContaining('"OTHERKEY"') }),
    ])
    expect(diagnosis.matched?.keyId).toBe('OTHERKEY')
  })

  it('names a body changed after signing as a body difference, not a wrong key (the verifier cannot tell either)', () => {
    // Signed {"a":1}, sent {"a":2}, with the right key.
    const c = vectors.cases.find((v) => v.body !== null)!
    const signed = `${c.date}:${cloudKitBodyHash('{"a":1}')}:${c.requestTarget}`
    const request = { ...correct(c, signed), body: utf8Encode('{"a":2}') }
    for (const search of ['full', 'quick'] as const) {
      const diagnosis = diagnoseCloudKitRequest({
        request,
        publicKey: vectors.publicKeyPem,
        now: new Date(c.date),
        search,
      })
      expect(diagnosis.ok).toBe(false)
      expect(errorCodes(diagnosis)).toEqual(['signed-body-differs'])
      // The signature alone cannot exclude a foreign key: the message says so, and how to tell.
      expect(diagnosis.findings[0]!.message).toMatch(/does not belong to key ID/)
      expect(diagnosis.findings[0]!.fix).toMatch(/private key whose public key is registered/)
    }
    // The client's string settles it: its hash field is of other bytes than the body sent.
    const withClaim = diagnoseCloudKitRequest({
      request,
      publicKey: vectors.publicKeyPem,
      signedString: signed,
      now: new Date(c.date),
    })
    expect(errorCodes(withClaim)).toEqual(['signed-body-differs'])
  })

  it('a foreign key on a request with a body gets the same finding, naming the key as the other cause', () => {
    const c = vectors.cases.find((v) => v.body !== null)!
    const diagnosis = diagnoseCloudKitRequest({
      request: correct(
        c,
        c.message,
        toBase64(cryptoSign('sha256', Buffer.from(c.message), otherKey.privateKey)),
      ),
      publicKey: vectors.publicKeyPem,
      now: new Date(c.date),
    })
    expect(errorCodes(diagnosis)).toEqual(['signed-body-differs'])
    expect(diagnosis.findings[0]!.message).toContain(`key ID ${JSON.stringify(vectors.keyID)}`)
    // Without a body nothing else is left to change: the key is named outright.
    const bodyless = vectors.cases.find((v) => v.body === null)!
    const without = diagnoseCloudKitRequest({
      request: correct(
        bodyless,
        bodyless.message,
        toBase64(cryptoSign('sha256', Buffer.from(bodyless.message), otherKey.privateKey)),
      ),
      publicKey: vectors.publicKeyPem,
      now: new Date(bodyless.date),
    })
    expect(errorCodes(without)).toEqual(['wrong-key'])
  })

  it('quick search still finds a two-field mistake', () => {
    const c = vectors.cases[1]!
    const message = `${c.method}:${c.requestTarget}:${c.date}:${hexHash(c)}`
    const diagnosis = diagnoseCloudKitRequest({
      request: correct(c, message),
      publicKey: vectors.publicKeyPem,
      now: new Date(c.date),
      search: 'quick',
    })
    expect(errorCodes(diagnosis)).toEqual(['wrong-token-order', 'method-in-message', 'hash-hex-not-base64'])
  })
})
