import {
  bytesBody,
  createRequest,
  fixedClock,
  type HttpRequest,
  percentEncode,
  type ReceivedRequest,
  readBody,
  renderTokens,
  textBody,
  tokensByteLength,
} from '@sigwire/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { protocolNoteVectors, vectorBody, vectors } from '../__fixtures__/vectors.js'
import { formatAppleNewsAuthorization } from './authorization.js'
import { createAppleNewsSigner } from './signer.js'
import { type AppleNewsVerifyOptions, verifyAppleNewsRequest } from './verify.js'

const secret = vectors.apiSecret
const ORIGIN = 'https://news-api.apple.com'

function received(
  v: { method: string; url: string; contentType: string | null; bodyBase64: string | null },
  authorization: string | undefined,
): ReceivedRequest {
  const url = new URL(v.url)
  return {
    method: v.method,
    target: url.pathname + url.search,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(v.contentType ? { 'content-type': v.contentType } : {}),
    },
    body: vectorBody(v.bodyBase64),
  }
}

async function toReceived(request: HttpRequest): Promise<ReceivedRequest> {
  return {
    method: request.method,
    target: request.target,
    headers: request.headers,
    body: await readBody(request.body),
  }
}

describe('verifyAppleNewsRequest with the shared vectors', () => {
  it.each(vectors.cases)('accepts $id with quoted and bare header values', async (v) => {
    for (const header of [v.authorizationHeader, v.authorizationHeaderUnquoted]) {
      const result = await verifyAppleNewsRequest(received(v, header), { secret, now: new Date(v.date) })
      expect(result).toMatchObject({ ok: true, keyId: vectors.apiKeyId, date: v.date })
    }
  })

  it.each(vectors.negative)('handles negative case $id: $expectedVerdict', async (n) => {
    const result = await verifyAppleNewsRequest(received(n, n.authorizationHeader), {
      secret,
      now: Date.parse(n.date.replace('+00:00', 'Z')),
    })
    expect(result.ok).toBe(n.expectedVerdict === 'accept')
    if (result.ok) expect(result.notes).toEqual([n.expectedDiagnosis])
    else {
      expect(result.reason).toBe('WRONG_SIGNATURE')
      expect(result.token).toBe('signature')
    }
  })

  it('names the date token when the client signed the Z form of an offset date', async () => {
    const n = vectors.negative.find((c) => c.id === 'date-not-signed-verbatim')!
    const signer = createAppleNewsSigner({ keyId: vectors.apiKeyId, secret })
    const clientTokens = signer.tokens(
      createRequest({ method: n.method, url: n.url }),
      new Date(n.signedDate!),
    )
    const result = await verifyAppleNewsRequest(received(n, n.authorizationHeader), {
      secret,
      now: Date.parse(n.signedDate!),
      signedString: renderTokens(clientTokens),
    })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.token).toBe('date')
      expect(result.failedToken?.byteOffset).toBe('GET'.length + n.url.length + '2026-03-14T15:09:26'.length)
    }
  })

  it('accepts A1-A5 of the protocol notes and rejects A1 keyed with the undecoded secret', async () => {
    for (const c of protocolNoteVectors.cases) {
      const body = c.body === 'A4' ? protocolNoteVectors.a4Body : (c.body ?? '')
      const request: ReceivedRequest = {
        method: c.method,
        target: c.url.slice(ORIGIN.length),
        headers: {
          authorization: formatAppleNewsAuthorization({
            keyId: '00000000-0000-4000-8000-000000000000',
            signature: c.signature,
            date: c.date,
          }),
          ...(c.contentType ? { 'content-type': c.contentType } : {}),
        },
        body: Buffer.from(body),
      }
      const result = await verifyAppleNewsRequest(request, {
        secret: protocolNoteVectors.secret,
        now: Date.parse('2015-03-05T02:49:58Z'),
      })
      expect(result.ok, c.id).toBe(true)
    }
    const a1 = protocolNoteVectors.cases[0]!
    const wrong = await verifyAppleNewsRequest(
      {
        method: 'GET',
        target: a1.url.slice(ORIGIN.length),
        headers: {
          authorization: formatAppleNewsAuthorization({
            keyId: '00000000-0000-4000-8000-000000000000',
            signature: protocolNoteVectors.a1Wrong,
            date: a1.date,
          }),
        },
        body: new Uint8Array(),
      },
      { secret: protocolNoteVectors.secret, now: Date.parse(a1.date) },
    )
    expect(wrong.ok ? 'ok' : wrong.reason).toBe('WRONG_SIGNATURE')
  })
})

describe('verification order (§1.4)', () => {
  const v = vectors.cases[0]!
  const now = { now: new Date(v.date) }
  const header = (params: string) => received(v, `HHMAC; ${params}`)
  const sig = `signature=${v.signature}`
  const cases: Array<[string, ReceivedRequest, string, AppleNewsVerifyOptions?]> = [
    ['no header', received(v, undefined), 'UNAUTHORIZED'],
    ['wrong scheme', received(v, `Basic abc`), 'INVALID_AUTH_SCHEME'],
    ['bad element', header('key'), 'INVALID_AUTH_FORMAT'],
    ['duplicate param before key checks', header('key=x; key=y'), 'DUPLICATE_AUTH_PARAMETER'],
    ['no key', header(`${sig}; date=${v.date}`), 'MISSING_API_KEY_ID'],
    ['key not uuid', header(`key=abc; ${sig}; date=${v.date}`), 'INVALID_API_KEY_FORMAT'],
    ['no signature', header(`key=${vectors.apiKeyId}; date=${v.date}`), 'MISSING_SIGNATURE'],
    ['no date', header(`key=${vectors.apiKeyId}; ${sig}`), 'MISSING_DATE'],
    ['bad date', header(`key=${vectors.apiKeyId}; ${sig}; date=14 Mar 2026`), 'INVALID_DATE_FORMAT'],
    [
      'fraction',
      header(`key=${vectors.apiKeyId}; ${sig}; date=2026-03-14T15:09:26.000Z`),
      'INVALID_DATE_FORMAT',
    ],
    ['old date', header(`key=${vectors.apiKeyId}; ${sig}; date=2026-03-14T15:04:25Z`), 'DATE_NOT_RECENT'],
    ['future date', header(`key=${vectors.apiKeyId}; ${sig}; date=2026-03-14T15:14:27Z`), 'DATE_NOT_RECENT'],
    [
      'signature changed in the unused bits of its last character',
      header(`key=${vectors.apiKeyId}; signature=${v.signature.replace(/I=$/, 'J=')}; date=${v.date}`),
      'WRONG_SIGNATURE',
    ],
    [
      'truncated signature',
      header(`key=${vectors.apiKeyId}; signature=${v.signature.slice(0, -1)}; date=${v.date}`),
      'WRONG_SIGNATURE',
    ],
  ]
  it.each(cases)('%s -> %s', async (_name, request, code, options) => {
    const result = await verifyAppleNewsRequest(request, { secret, ...now, ...options })
    expect(result.ok ? 'ok' : result.reason).toBe(code)
  })

  it('accepts dates at the edge of the window and with +0000', async () => {
    const signer = createAppleNewsSigner({ keyId: vectors.apiKeyId, secret })
    for (const date of ['2026-03-14T15:09:26Z', '2026-03-14T15:09:26+0000', '2026-03-14T16:09:26+01:00']) {
      const signature = await signer.signature({ method: 'GET', url: v.url, date })
      const request = received(v, formatAppleNewsAuthorization({ keyId: vectors.apiKeyId, signature, date }))
      for (const at of [Date.parse('2026-03-14T15:04:26Z'), Date.parse('2026-03-14T15:14:26Z')]) {
        const result = await verifyAppleNewsRequest(request, { secret, now: at })
        expect(result.ok, date).toBe(true)
      }
    }
  })

  it('looks keys up: unknown key IDs get API_KEY_NOT_FOUND', async () => {
    const request = received(v, v.authorizationHeader)
    const known = await verifyAppleNewsRequest(request, {
      secret: (id) => (id === vectors.apiKeyId ? secret : undefined),
      ...now,
    })
    expect(known.ok).toBe(true)
    const unknown = await verifyAppleNewsRequest(request, { secret: () => undefined, ...now })
    expect(unknown.ok ? 'ok' : unknown.reason).toBe('API_KEY_NOT_FOUND')
  })

  it('verifies over publicOrigin, so a loopback server can check a news-api.apple.com signature', async () => {
    const request = received(v, v.authorizationHeader)
    const other = await verifyAppleNewsRequest(request, {
      secret,
      ...now,
      publicOrigin: 'http://127.0.0.1:8080',
    })
    expect(other.ok ? 'ok' : other.reason).toBe('WRONG_SIGNATURE')
  })
})

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
const requestArbitrary = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.array(segment, { minLength: 1, maxLength: 4 }),
  query: fc.array(fc.tuple(segment, fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 3 }),
  body: fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }).map((text) => ({
      contentType: 'application/json',
      bytes: Buffer.from(JSON.stringify({ text })),
    })),
    fc.uint8Array({ minLength: 1, maxLength: 256 }).map((bytes) => ({
      contentType: `multipart/form-data; boundary=${Buffer.from(bytes.slice(0, 12)).toString('hex') || 'b'}`,
      bytes,
    })),
  ),
  seconds: fc.integer({ min: 0, max: 2_000_000_000 }),
  position: fc.nat(),
  flip: fc.integer({ min: 1, max: 255 }),
})

type RequestInput = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never

describe('property: sign then verify', () => {
  const signer = createAppleNewsSigner({ keyId: vectors.apiKeyId, secret })

  async function signed(input: RequestInput) {
    const hasBody = input.method === 'POST'
    const request = createRequest({
      method: input.method,
      url: `http://127.0.0.1:4321/${input.path.map(percentEncode).join('/')}`,
      query: input.query,
      headers: hasBody ? { 'content-type': input.body.contentType } : {},
      ...(hasBody ? { body: bytesBody(input.body.bytes) } : {}),
    })
    const clock = fixedClock(input.seconds * 1000)
    const output = await signer.sign(request, clock)
    const date = `${clock.now().toISOString().slice(0, 19)}Z`
    const rx = await toReceived({ ...request, headers: { ...request.headers, ...output.headers } })
    return {
      request,
      rx,
      date,
      now: input.seconds * 1000,
      clientTokens: signer.tokens(request, new Date(date)),
    }
  }

  it('every signed request verifies', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (input) => {
        const { request, rx, now } = await signed(input)
        const result = await verifyAppleNewsRequest(rx, { secret, publicOrigin: request.origin, now })
        expect(result.ok).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it('a one-byte change anywhere in what was signed fails and names the token', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (input) => {
        const { request, rx, now, clientTokens } = await signed(input)
        const canonical = renderTokens(clientTokens)
        const at = input.position % tokensByteLength(clientTokens)
        let offset = 0
        const token = clientTokens.find((t) => {
          const length = 'bytes' in t ? t.bytes.byteLength : 0
          offset += length
          return at < offset
        })!
        const inToken = at - (offset - ('bytes' in token ? token.bytes.byteLength : 0))
        // Replace one character by another printable one (text tokens are ASCII on the wire: URLs are
        // percent-encoded); quotes, semicolons and spaces would break the header instead of the token.
        const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-:+/.%'
        const mutate = (text: string, i: number): string => {
          let next = ALPHABET[input.flip % ALPHABET.length]!
          if (next === text[i]) next = ALPHABET[(input.flip + 1) % ALPHABET.length]!
          return text.slice(0, i) + next + text.slice(i + 1)
        }
        let changed: ReceivedRequest = rx
        let publicOrigin = request.origin
        let header = rx.headers.authorization as string
        switch (token.label) {
          case 'method':
            changed = { ...rx, method: mutate(rx.method, inToken) }
            break
          case 'url':
            if (inToken < request.origin.length) publicOrigin = mutate(request.origin, inToken)
            else changed = { ...rx, target: mutate(rx.target, inToken - request.origin.length) }
            break
          case 'date': {
            const date = header.match(/date=(.*)$/)![1]!
            header = header.replace(`date=${date}`, `date=${mutate(date, inToken)}`)
            changed = { ...rx, headers: { ...rx.headers, authorization: header } }
            break
          }
          case 'content-type':
            changed = {
              ...rx,
              headers: {
                ...rx.headers,
                'content-type': mutate(rx.headers['content-type'] as string, inToken),
              },
            }
            break
          case 'body': {
            const body = new Uint8Array(rx.body)
            body[inToken] = body[inToken]! ^ input.flip
            changed = { ...rx, body }
            break
          }
        }
        expect(canonical.byteLength).toBeGreaterThan(at)
        const result = await verifyAppleNewsRequest(changed, {
          secret,
          publicOrigin,
          now,
          signedString: canonical,
        })
        expect(result.ok).toBe(false)
        if (!result.ok) expect(result.token).toBe(token.label)
      }),
      { numRuns: 300 },
    )
  })

  it('a one-byte change in the signature or key fails and names it', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, fc.constantFrom('key', 'signature'), async (input, field) => {
        const { request, rx, now } = await signed(input)
        const header = rx.headers.authorization as string
        const value = header.match(new RegExp(`${field}=([^;]*)`))![1]!
        const i = input.position % value.length
        const replacement = value[i] === 'A' ? 'B' : 'A'
        const mutated = value.slice(0, i) + replacement + value.slice(i + 1)
        const changed = {
          ...rx,
          headers: {
            ...rx.headers,
            authorization: header.replace(`${field}=${value}`, `${field}=${mutated}`),
          },
        }
        const result = await verifyAppleNewsRequest(changed, {
          secret: (id) => (id === vectors.apiKeyId ? secret : undefined),
          publicOrigin: request.origin,
          now,
        })
        expect(result.ok).toBe(false)
        if (!result.ok) expect(result.token).toBe(field)
      }),
      { numRuns: 300 },
    )
  })

  it('verifies a streamed body source', async () => {
    const request = createRequest({
      method: 'POST',
      url: 'https://news-api.apple.com/x',
      headers: { 'content-type': 'text/plain' },
      body: textBody('hello'),
    })
    const output = await signer.sign(request, fixedClock(0))
    const result = await verifyAppleNewsRequest(
      {
        method: 'POST',
        target: '/x',
        headers: { ...request.headers, ...output.headers },
        body: new Uint8Array(),
      },
      {
        secret,
        now: 0,
        body: {
          byteLength: 5,
          async *chunks() {
            yield Buffer.from('hel')
            yield Buffer.from('lo')
          },
        },
      },
    )
    expect(result.ok).toBe(true)
  })
})
