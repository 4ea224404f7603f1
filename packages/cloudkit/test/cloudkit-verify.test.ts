import { createPrivateKey, sign as cryptoSign } from 'node:crypto'
import { createCloudKitSigner } from '@sigwire/cloudkit'
import { createRequest, fixedClock, jsonBody, percentEncode, toBase64 } from '@sigwire/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CloudKitEmulator,
  type CloudKitEmulatorOptions,
  startCloudKitEmulator,
} from '../src/emulator/index.js'
import { cloudKitVectors as v } from './__fixtures__/cloudkit-vectors.js'
import { sendRaw, testTransport } from './cloudkit-helpers.js'

const transport = testTransport()
const privateKey = createPrivateKey(v.privateKeyPem)
const API_TOKEN = 'f'.repeat(64)
let now = Date.parse(v.cases[0]!.date)

function options(extra: Partial<CloudKitEmulatorOptions> = {}): CloudKitEmulatorOptions {
  const keys = [{ keyId: v.keyID, publicKeyPem: v.publicKeyPem }]
  return {
    containers: [
      { container: v.container, environment: 'development', keys, apiTokens: [API_TOKEN] },
      // The published Ruby failure used this container; its reconstruction is signed with the vector key.
      { container: 'iCloud.ProjectDent.TwIM', environment: 'development', keys },
    ],
    now: () => now,
    ...extra,
  }
}

/** Signs `message` with the vector key and sends it with the three headers. */
function signedHeaders(date: string, message: string, signature?: string): Record<string, string> {
  return {
    'x-apple-cloudkit-request-keyid': v.keyID,
    'x-apple-cloudkit-request-iso8601date': date,
    'x-apple-cloudkit-request-signaturev1':
      signature ?? toBase64(cryptoSign('sha256', Buffer.from(message, 'utf8'), privateKey)),
    'content-type': 'text/plain',
  }
}

let emulator: CloudKitEmulator
beforeAll(async () => {
  // DOC's rule for used web auth tokens; the default follows the live service (see below).
  emulator = await startCloudKitEmulator(options({ webAuthTokenReuse: 'reject' }))
})
afterAll(async () => {
  await emulator.close()
  await transport.close()
})

describe('CloudKit JS 2.6.4 vectors against the emulator', () => {
  it.each(v.cases.map((c) => [c.id, c] as const))(
    '%s: accepted exactly as CloudKit JS sent it',
    async (_id, c) => {
      now = Date.parse(c.date)
      const answer = await sendRaw(transport, emulator.url, {
        method: c.method,
        target: c.requestTarget,
        headers: c.headers,
        body: c.body,
      })
      expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    },
  )

  it.each(v.cases.map((c) => [c.id, c] as const))('%s: rejected with the query dropped', async (_id, c) => {
    now = Date.parse(c.date)
    const before = emulator.rejections.length
    const answer = await sendRaw(transport, emulator.url, {
      method: c.method,
      target: c.path,
      headers: c.headers,
      body: c.body,
    })
    expect(answer.status).toBe(401)
    expect(answer.json).toMatchObject({
      serverErrorCode: 'AUTHENTICATION_FAILED',
      reason: 'Authentication failed',
    })
    expect(answer.json.uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(emulator.rejections[before]).toMatchObject({ reason: 'SIGNATURE_MISMATCH', status: 401 })
  })

  it('GET vectors are rejected when the emulator wants the empty hash field, accepted under "either"', async () => {
    const c = v.cases.find((x) => x.body === null)!
    now = Date.parse(c.date)
    for (const [rule, status] of [
      ['empty', 401],
      ['either', 200],
    ] as const) {
      const strict = await startCloudKitEmulator(options({ emptyBodyHash: rule }))
      try {
        const answer = await sendRaw(transport, strict.url, {
          method: 'GET',
          target: c.requestTarget,
          headers: c.headers,
        })
        expect(answer.status).toBe(status)
      } finally {
        await strict.close()
      }
    }
  })
})

describe('server-to-server rules', () => {
  const c = v.cases.find((x) => x.id === 'zones-list-get')!
  const date = c.date

  it('an empty hash field (MistKit style) is rejected by default, and the rejection is diagnosed', async () => {
    now = Date.parse(date)
    const answer = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: c.requestTarget,
      headers: signedHeaders(date, `${date}::${c.requestTarget}`),
    })
    expect(answer.status).toBe(401)
    const rejection = emulator.rejections.at(-1)!
    expect(rejection.reason).toBe('SIGNATURE_MISMATCH')
    expect(rejection.diagnosis?.findings[0]).toMatchObject({ code: 'signed-body-differs' })
    const relaxed = await startCloudKitEmulator(options({ emptyBodyHash: 'empty' }))
    try {
      const ok = await sendRaw(transport, relaxed.url, {
        method: 'GET',
        target: c.requestTarget,
        headers: signedHeaders(date, `${date}::${c.requestTarget}`),
      })
      expect(ok.status).toBe(200)
    } finally {
      await relaxed.close()
    }
  })

  it.each([
    ['x-apple-cloudkit-request-keyid', 'MISSING_HEADER'],
    ['x-apple-cloudkit-request-iso8601date', 'MISSING_HEADER'],
    ['x-apple-cloudkit-request-signaturev1', 'MISSING_HEADER'],
  ])('without %s: 401 %s', async (header, reason) => {
    now = Date.parse(date)
    const headers = { ...c.headers }
    for (const name of Object.keys(headers)) if (name.toLowerCase() === header) delete headers[name]
    const answer = await sendRaw(transport, emulator.url, { method: 'GET', target: c.requestTarget, headers })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toContain('missing-header')
  })

  it('an unknown key ID is rejected and diagnosed as wrong-key', async () => {
    now = Date.parse(date)
    const headers = { ...c.headers, 'X-Apple-CloudKit-Request-KeyID': 'not-registered' }
    const answer = await sendRaw(transport, emulator.url, { method: 'GET', target: c.requestTarget, headers })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'UNKNOWN_KEY_ID', token: 'key-id' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toContain('wrong-key')
  })

  it('enforces the date window (default 600 s, configurable)', async () => {
    now = Date.parse(date) + 601_000
    const late = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: c.requestTarget,
      headers: c.headers,
    })
    expect(late.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'DATE_OUT_OF_WINDOW', token: 'date' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toContain('clock-skew')
    now = Date.parse(date) + 599_000
    const inside = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: c.requestTarget,
      headers: c.headers,
    })
    expect(inside.status).toBe(200)
    const wide = await startCloudKitEmulator(options({ dateWindowSeconds: 3600 }))
    try {
      now = Date.parse(date) + 1800_000
      expect(
        (await sendRaw(transport, wide.url, { method: 'GET', target: c.requestTarget, headers: c.headers }))
          .status,
      ).toBe(200)
    } finally {
      await wide.close()
    }
  })

  it('rejects a date with milliseconds even when signed as sent', async () => {
    now = Date.parse(date)
    const ms = `${date.slice(0, 19)}.000Z`
    const answer = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: c.requestTarget,
      headers: signedHeaders(ms, `${ms}:${c.bodyHash}:${c.requestTarget}`),
    })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'DATE_FORMAT', token: 'date' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings[0]?.code).toBe('date-has-milliseconds')
  })

  it('accepts only DER: a raw r||s signature is rejected and diagnosed', async () => {
    now = Date.parse(date)
    const raw = cryptoSign('sha256', Buffer.from(c.message), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    const answer = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: c.requestTarget,
      headers: signedHeaders(date, c.message, toBase64(raw)),
    })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'SIGNATURE_NOT_DER', token: 'signature' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toEqual(['signature-not-der'])
  })

  it('server-to-server keys reach only the public database (configurable)', async () => {
    now = Date.parse(date)
    const target = c.requestTarget.replace('/public/', '/private/')
    const headers = signedHeaders(date, `${date}:${c.bodyHash}:${target}`)
    const answer = await sendRaw(transport, emulator.url, { method: 'GET', target, headers })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'S2S_ON_USER_DATABASE' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toContain(
      's2s-on-user-database',
    )
    const lenient = await startCloudKitEmulator(options({ s2sOnUserDatabases: 'allow' }))
    try {
      expect((await sendRaw(transport, lenient.url, { method: 'GET', target, headers })).status).toBe(200)
    } finally {
      await lenient.close()
    }
  })

  it('a capitalised environment is refused and diagnosed', async () => {
    now = Date.parse(date)
    const target = c.requestTarget.replace('/development/', '/Development/')
    const answer = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target,
      headers: signedHeaders(date, `${date}:${c.bodyHash}:${target}`),
    })
    expect(answer.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'ENVIRONMENT_INVALID' })
    expect(emulator.rejections.at(-1)!.diagnosis?.findings.map((f) => f.code)).toContain(
      'environment-invalid',
    )
  })

  it('APNs tokens under /database/1/... answer 405', async () => {
    now = Date.parse(date)
    const target = `/database/1/${v.container}/development/tokens/create`
    const body = '{"apnsEnvironment":"development"}'
    const signer = createCloudKitSigner({ keyId: v.keyID, privateKey: v.privateKeyPem })
    const request = createRequest({
      method: 'POST',
      url: emulator.url + target,
      body: jsonBody(JSON.parse(body)),
    })
    const signed = await signer.sign(request, fixedClock(now))
    const answer = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target,
      headers: { ...signed.headers },
      body,
    })
    expect(answer.status).toBe(405)
  })

  it('every published failure that carries a signature is rejected, and the rejection names the mistake', async () => {
    for (const n of v.negative.filter((x) => x.signature && x.request.bodyKnown)) {
      now = Date.parse(n.request.dateHeader)
      const answer = await sendRaw(transport, emulator.url, {
        method: n.request.method,
        target: n.request.requestTarget,
        headers: signedHeaders(n.request.dateHeader, n.signedMessage, n.signature),
        body: n.request.body,
      })
      expect(answer.status, n.id).toBe(401)
      const rejection = emulator.rejections.at(-1)!
      expect(rejection.reason).toBe('SIGNATURE_MISMATCH')
      expect(rejection.diagnosis?.findings[0]?.code, n.id).toBe(n.expectedDiagnosis)
      expect(new Set(rejection.diagnosis?.findings.map((f) => f.code))).toEqual(new Set(n.allDiagnoses))
    }
  })
})

describe('API token and web auth token', () => {
  const query = `/database/1/${v.container}/development/public/records/query`
  const modify = `/database/1/${v.container}/development/public/records/modify`
  const privateQuery = `/database/1/${v.container}/development/private/records/query`
  const body = JSON.stringify({ query: { recordType: 'Note' } })
  const withTokens = (target: string, web?: string, raw = false) =>
    `${target}?ckAPIToken=${API_TOKEN}${web === undefined ? '' : `&ckWebAuthToken=${raw ? web : percentEncode(web)}`}`

  it('an API token alone reads the public database; writes and user databases answer 421 with redirectURL', async () => {
    now = Date.now()
    expect(
      (await sendRaw(transport, emulator.url, { method: 'POST', target: withTokens(query), body })).status,
    ).toBe(200)
    const write = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(modify),
      body: JSON.stringify({ operations: [{ operationType: 'create', record: { recordType: 'Note' } }] }),
    })
    expect(write.status).toBe(421)
    expect(write.json).toMatchObject({
      serverErrorCode: 'AUTHENTICATION_REQUIRED',
      reason: 'request needs authorization',
    })
    expect(write.json.redirectURL).toMatch(/\/auth\/signin\?container=/)
    const user = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery),
      body,
    })
    expect(user.status).toBe(421)
  })

  it('signs in at redirectURL, rotates the token on every response and refuses a reused one', async () => {
    now = Date.now()
    const first = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery),
      body,
    })
    const signIn = await sendRaw(transport, '', { method: 'GET', target: String(first.json.redirectURL) })
    const token = String(signIn.json.ckWebAuthToken)
    expect(token).toMatch(/[+/]/)
    const ok = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery, token),
      body,
    })
    expect(ok.status).toBe(200)
    const rotated = ok.headers['x-apple-cloudkit-web-auth-token'] as string
    expect(rotated).toBeTruthy()
    expect(rotated).not.toBe(token)
    const reused = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery, token),
      body,
    })
    // A used token no longer signs anyone in: sign in again, as for an expired one (§3).
    expect(reused.status).toBe(421)
    expect(reused.json).toMatchObject({ serverErrorCode: 'AUTHENTICATION_REQUIRED' })
    expect(reused.json.redirectURL).toMatch(/\/auth\/signin\?container=/)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'WEB_AUTH_TOKEN_REUSED' })
    expect(emulator.rejections.at(-1)!.target).not.toContain(percentEncode(token))
    const next = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery, rotated),
      body,
    })
    expect(next.status).toBe(200)
  })

  it('refuses an unencoded web auth token, an unknown API token, and S2S headers with an API token', async () => {
    now = Date.now()
    const token = emulator.issueWebAuthToken({ container: v.container, environment: 'development' })
    const raw = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: withTokens(privateQuery, token, true),
      body,
    })
    expect(raw.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'WEB_AUTH_TOKEN_NOT_ENCODED' })
    const bad = await sendRaw(transport, emulator.url, {
      method: 'POST',
      target: `${query}?ckAPIToken=nope`,
      body,
    })
    expect(bad.status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'UNKNOWN_API_TOKEN' })
    const c = v.cases[0]!
    const mixed = await sendRaw(transport, emulator.url, {
      method: 'GET',
      target: `${c.requestTarget}&ckAPIToken=${API_TOKEN}`,
      headers: c.headers,
    })
    expect(mixed.status).toBe(401)
    expect(emulator.rejections.some((r) => r.reason === 'S2S_WITH_API_TOKEN')).toBe(true)
  })

  it('allows token reuse until expiry by default (the live service, MistKit issue 462)', async () => {
    now = Date.now()
    const lenient = await startCloudKitEmulator(options())
    try {
      const token = lenient.issueWebAuthToken({ container: v.container, environment: 'development' })
      for (let i = 0; i < 2; i++)
        expect(
          (
            await sendRaw(transport, lenient.url, {
              method: 'POST',
              target: withTokens(privateQuery, token),
              body,
            })
          ).status,
        ).toBe(200)
    } finally {
      await lenient.close()
    }
  })

  it('refuses requests with no authentication, and skips every check with verify: false', async () => {
    now = Date.now()
    expect((await sendRaw(transport, emulator.url, { method: 'POST', target: query, body })).status).toBe(401)
    expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'NO_AUTHENTICATION' })
    const open = await startCloudKitEmulator(options({ verify: false }))
    try {
      expect((await sendRaw(transport, open.url, { method: 'POST', target: query, body })).status).toBe(200)
    } finally {
      await open.close()
    }
  })
})
