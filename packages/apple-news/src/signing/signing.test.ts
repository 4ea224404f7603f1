import { bytesBody, createRequest, fixedClock, renderTokens, type SignOutput, textBody } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { protocolNoteVectors, vectorBody, vectors } from '../__fixtures__/vectors.js'
import { isAppleNewsError } from '../errors.js'
import { formatAppleNewsAuthorization, parseAppleNewsAuthorization } from './authorization.js'
import { parseAppleNewsSecret } from './credentials.js'
import { createAppleNewsSigner } from './signer.js'
import { appleNewsStringToSign } from './string-to-sign.js'

const credentials = { keyId: vectors.apiKeyId, secret: vectors.apiSecret }

describe('string to sign', () => {
  it.each(vectors.cases)('rebuilds the canonical request of $id byte for byte', (v) => {
    const tokens = appleNewsStringToSign({
      method: v.method,
      url: v.url,
      date: v.date,
      contentType: v.contentType ?? undefined,
      body: vectorBody(v.bodyBase64),
    }).tokens()
    const rendered = renderTokens(tokens)
    expect(Buffer.from(rendered).toString('base64')).toBe(v.canonicalRequestBase64)
    expect(rendered.byteLength).toBe(v.canonicalRequestLength)
    expect(tokens.map((t) => t.label)).toEqual(
      v.bodyBase64 === null ? ['method', 'url', 'date'] : ['method', 'url', 'date', 'content-type', 'body'],
    )
  })

  it.each(vectors.cases)('the text head plus the body renders the same bytes as the tokens ($id)', (v) => {
    const input = {
      method: v.method,
      url: v.url,
      date: v.date,
      contentType: v.contentType ?? undefined,
      body: vectorBody(v.bodyBase64),
    }
    const headAndBody = Buffer.concat([Buffer.from(appleNewsStringToSign(input).head), input.body])
    expect(headAndBody.equals(Buffer.from(renderTokens(appleNewsStringToSign(input).tokens())))).toBe(true)
    const unicode = { ...input, url: `${v.url}/caf\u00e9/\u{1F600}` }
    expect(Buffer.from(appleNewsStringToSign(unicode).head).byteLength).toBe(
      appleNewsStringToSign(unicode)
        .tokens()
        .slice(0, v.bodyBase64 ? 4 : 3)
        .reduce((n, t) => n + ('bytes' in t ? t.bytes.byteLength : 0), 0),
    )
  })

  it('signs neither content type nor body for an empty body', () => {
    const tokens = appleNewsStringToSign({
      method: 'POST',
      url: 'https://news-api.apple.com/x',
      date: 'd',
      contentType: 'application/json',
      body: new Uint8Array(0),
    }).tokens()
    expect(tokens.map((t) => t.label)).toEqual(['method', 'url', 'date'])
  })
})

describe('createAppleNewsSigner', () => {
  it.each(vectors.cases)('produces the Authorization header of $id (bare and quoted)', async (v) => {
    const request = createRequest({
      method: v.method,
      url: v.url,
      headers: v.contentType ? { 'content-type': v.contentType } : {},
      body: bytesBody(vectorBody(v.bodyBase64)),
    })
    const bare = await createAppleNewsSigner(credentials).sign(request, fixedClock(v.date))
    expect(bare.headers?.authorization).toBe(v.authorizationHeaderUnquoted)
    const quoted = await createAppleNewsSigner({ ...credentials, quoteValues: true }).sign(
      request,
      fixedClock(v.date),
    )
    expect(quoted.headers?.authorization).toBe(v.authorizationHeader)
  })

  it('matches the protocol notes vectors A1-A4 (secret dGVzdHNlY3JldA==)', async () => {
    const signer = createAppleNewsSigner({
      keyId: '00000000-0000-4000-8000-000000000000',
      secret: protocolNoteVectors.secret,
    })
    for (const c of protocolNoteVectors.cases) {
      const body = c.body === 'A4' ? protocolNoteVectors.a4Body : c.body
      if (c.body === 'A4') expect(Buffer.byteLength(body!)).toBe(325)
      const signature = signer.signature({
        method: c.method,
        url: c.url,
        date: c.date,
        contentType: c.contentType,
        body: body === undefined ? undefined : textBody(body),
      })
      expect(await signature, c.id).toBe(c.signature)
    }
  })

  it('traces what it signed, with the body shown and nothing secret', () => {
    const v = vectors.cases[0]!
    const out = createAppleNewsSigner(credentials).sign(
      createRequest({ method: v.method, url: v.url }),
      fixedClock(v.date),
    )
    expect('then' in out).toBe(false)
    const trace = (out as SignOutput).trace
    expect(trace.map((t) => [t.label, t.text])).toEqual([
      ['method', 'GET'],
      ['url', v.url],
      ['date', v.date],
    ])
    expect(JSON.stringify(trace)).not.toContain(vectors.apiSecret)
  })

  it('refuses a body without a Content-Type', () => {
    const signer = createAppleNewsSigner(credentials)
    expect(() =>
      signer.sign(
        createRequest({ method: 'POST', url: 'https://news-api.apple.com/x', body: textBody('{}') }),
        fixedClock(0),
      ),
    ).toThrow(/Content-Type/)
  })

  it.each([
    ['not a uuid', 'INVALID_KEY_ID', /not a UUID/],
    ['', 'INVALID_KEY_ID', /not a UUID/],
  ])('rejects the key ID %j with %s', (keyId, code, message) => {
    try {
      createAppleNewsSigner({ keyId, secret: vectors.apiSecret })
      expect.unreachable()
    } catch (error) {
      expect(isAppleNewsError(error, code as 'INVALID_KEY_ID')).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
  })

  it.each([
    ['gAAzV+Mbq54Tc+twjFe544Mrv3ENn/a983ZDJ7k7grc', /multiple of 4/],
    ['gAAzV+Mbq54Tc+twjFe544Mrv3ENn/a983ZDJ7k7grc=\n', /whitespace/],
    ['gAAzV-Mbq54Tc-twjFe544Mrv3ENn_a983ZDJ7k7grc=', /base64url/],
    ['80003357e31bab9e1373eb708c57b9e3832bbf710d9ff6bdf3764327b93b82b7', /looks like hex/],
    ['', /empty/],
    ['not base64!', /not valid base64/],
  ])('rejects the secret %j with INVALID_SECRET saying why', (secret, message) => {
    try {
      createAppleNewsSigner({ keyId: vectors.apiKeyId, secret })
      expect.unreachable()
    } catch (error) {
      expect(isAppleNewsError(error, 'INVALID_SECRET')).toBe(true)
      expect((error as Error).message).toMatch(message)
      if (secret.length > 6) expect((error as Error).message).not.toContain(secret.trim())
    }
  })

  it('decodes the secret: the key is the bytes of apiSecretDecodedHex', () => {
    const secret = parseAppleNewsSecret(vectors.apiSecret)
    expect(Buffer.from(secret.key.export()).toString('hex')).toBe(vectors.apiSecretDecodedHex)
  })
})

describe('Authorization header', () => {
  it('parses bare, quoted and spaced forms alike, splitting on the first "="', () => {
    for (const header of [
      vectors.cases[0]!.authorizationHeader,
      vectors.cases[0]!.authorizationHeaderUnquoted,
      'HHMAC ;key = 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b ;  signature= "ti9ieKr6KmT6KAemMpUWB1RxqEJmc78Y85jrPnsIkwI=";date=2026-03-14T15:09:26Z;',
    ]) {
      const parsed = parseAppleNewsAuthorization(header)
      expect(parsed.ok && parsed.params).toEqual({
        key: vectors.apiKeyId,
        signature: 'ti9ieKr6KmT6KAemMpUWB1RxqEJmc78Y85jrPnsIkwI=',
        date: '2026-03-14T15:09:26Z',
      })
    }
  })

  it.each([
    [undefined, 'UNAUTHORIZED'],
    ['Bearer x', 'INVALID_AUTH_SCHEME'],
    ['HHMAC key=a; signature=b; date=c', 'INVALID_AUTH_FORMAT'],
    ['HHMAC; key', 'INVALID_AUTH_FORMAT'],
    ['HHMAC; key="abc', 'INVALID_AUTH_FORMAT'],
    ['HHMAC; key=a; key=b', 'DUPLICATE_AUTH_PARAMETER'],
    ['HHMAC; key=a; HHMAC; signature=b', 'DUPLICATE_AUTH_ELEMENT'],
  ])('%j fails with %s', (header, code) => {
    const parsed = parseAppleNewsAuthorization(header)
    expect(parsed.ok ? 'ok' : parsed.code).toBe(code)
  })

  it('formats what it parses', () => {
    const params = { keyId: vectors.apiKeyId, signature: 'abc=', date: '2026-01-01T00:00:00Z' }
    for (const quote of [false, true]) {
      const parsed = parseAppleNewsAuthorization(formatAppleNewsAuthorization(params, { quote }))
      expect(parsed.ok && parsed.params).toEqual({ key: params.keyId, signature: 'abc=', date: params.date })
    }
  })
})
