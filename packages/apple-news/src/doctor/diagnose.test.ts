import { createHmac } from 'node:crypto'
import { type ReceivedRequest, renderTokens, textToken, toBase64 } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { type AppleNewsVectorCase, vectorBody, vectors } from '../__fixtures__/vectors.js'
import { formatAppleNewsAuthorization } from '../signing/authorization.js'
import { type AppleNewsCanonicalInput, appleNewsStringToSign } from '../signing/string-to-sign.js'
import { diagnoseAppleNewsRequest } from './diagnose.js'
import { APPLE_NEWS_FINDING_CODES } from './findings.js'

const secret = vectors.apiSecret
const key = Buffer.from(vectors.apiSecretDecodedHex, 'hex')

function received(
  v: { method: string; url: string; contentType: string | null; bodyBase64: string | null },
  authorization: string,
): ReceivedRequest {
  const url = new URL(v.url)
  return {
    method: v.method,
    target: url.pathname + url.search,
    headers: { authorization, host: url.host, ...(v.contentType ? { 'content-type': v.contentType } : {}) },
    body: vectorBody(v.bodyBase64),
  }
}

describe('diagnoseAppleNewsRequest: the negative vectors', () => {
  it.each(vectors.negative)('diagnoses $id as $expectedDiagnosis by candidate search', (n) => {
    const diagnosis = diagnoseAppleNewsRequest({
      request: received(n, n.authorizationHeader),
      secret,
      keyId: n.apiKeyId,
    })
    expect(diagnosis.findings[0]?.code).toBe(n.expectedDiagnosis)
    expect(diagnosis.ok).toBe(n.expectedVerdict === 'accept')
    if (n.expectedVerdict === 'accept')
      expect(diagnosis.findings.every((f) => f.severity === 'note')).toBe(true)
  })

  it.each(vectors.negative)('diagnoses $id as $expectedDiagnosis from the signed string', (n) => {
    const signedString =
      n.canonicalRequestText ??
      n.signedCanonicalText ??
      (n.signedDate ? `${n.method}${n.url}${n.signedDate}` : `${n.method}${n.url}${n.date}`)
    // With the secret, the case without a string difference (the wrong key) is still found.
    const withSecret = diagnoseAppleNewsRequest({
      request: received(n, n.authorizationHeader),
      secret,
      signedString,
    })
    expect(withSecret.findings[0]?.code).toBe(n.expectedDiagnosis)
    if (n.expectedDiagnosis !== 'secret-not-base64-decoded') {
      const alone = diagnoseAppleNewsRequest({ request: received(n, n.authorizationHeader), signedString })
      expect(alone.findings[0]?.code).toBe(n.expectedDiagnosis)
    }
  })
})

describe('diagnoseAppleNewsRequest: mutations of the positive vectors', () => {
  it.each(vectors.cases)('finds nothing wrong with $id', (v) => {
    const diagnosis = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeader),
      secret,
      now: new Date(v.date),
      signedString: Buffer.from(v.canonicalRequestBase64, 'base64'),
    })
    expect(diagnosis).toEqual({ ok: true, findings: [] })
  })

  type Mistake = {
    code: string
    applies?: (v: AppleNewsVectorCase) => boolean
    signed: (i: AppleNewsCanonicalInput) => AppleNewsCanonicalInput
    key?: Uint8Array
    sentContentType?: string
    extra?: string
  }
  const mistakes: Mistake[] = [
    { code: 'url-missing-scheme', signed: (i) => ({ ...i, url: i.url.replace('https://', '') }) },
    {
      code: 'query-not-signed',
      applies: (v) => v.url.includes('?'),
      signed: (i) => ({ ...i, url: i.url.split('?')[0]! }),
    },
    {
      code: 'url-not-signed-as-sent',
      signed: (i) => ({ ...i, url: i.url.replace('apple.com', 'apple.com:443') }),
    },
    {
      code: 'url-not-signed-as-sent',
      applies: (v) => v.url.includes('&'),
      signed: (i) => ({ ...i, url: i.url.replace('pageSize=2&sortDir=ASC', 'sortDir=ASC&pageSize=2') }),
    },
    { code: 'method-not-signed-as-sent', signed: (i) => ({ ...i, method: i.method.toLowerCase() }) },
    { code: 'date-not-signed-verbatim', signed: (i) => ({ ...i, date: i.date.replace('Z', '+00:00') }) },
    {
      code: 'content-type-not-signed',
      applies: (v) => v.bodyBase64 !== null,
      signed: (i) => ({ ...i, contentType: `${i.contentType}; charset=utf-8` }),
    },
    {
      code: 'content-type-not-signed',
      applies: (v) => v.bodyBase64 !== null,
      signed: (i) => ({ ...i, contentType: undefined, body: undefined }),
    },
    {
      code: 'content-type-not-signed',
      applies: (v) => v.bodyBase64 === null,
      sentContentType: 'application/json',
      signed: (i) => ({ ...i }),
      extra: 'application/json',
    },
    {
      code: 'signed-body-differs',
      applies: (v) => v.bodyBase64 !== null,
      signed: (i) => ({ ...i, body: (i.body as Uint8Array).subarray(0, -2) }),
    },
    { code: 'secret-not-base64-decoded', signed: (i) => i, key: Buffer.from(secret) },
  ]
  const cases = vectors.cases.flatMap((v) =>
    mistakes.filter((m) => m.applies?.(v) ?? true).map((m) => [v.id, m.code, v, m] as const),
  )

  it.each(cases)(
    '%s signed with %s: named by candidate search and from the signed string',
    (_id, code, v, mistake) => {
      const asSent: AppleNewsCanonicalInput = {
        method: v.method,
        url: v.url,
        date: v.date,
        contentType: v.contentType ?? undefined,
        body: vectorBody(v.bodyBase64),
      }
      // A GET that carries a Content-Type header and signed it (§5 #9).
      const signedTokens = [
        ...appleNewsStringToSign(mistake.signed(asSent)).tokens(),
        ...(mistake.extra ? [textToken('content-type', mistake.extra)] : []),
      ]
      const signature = toBase64(
        createHmac('sha256', mistake.key ?? key)
          .update(renderTokens(signedTokens))
          .digest(),
      )
      const header = formatAppleNewsAuthorization({ keyId: vectors.apiKeyId, signature, date: v.date })
      const request = received({ ...v, contentType: mistake.sentContentType ?? v.contentType }, header)
      const bySearch = diagnoseAppleNewsRequest({ request, secret })
      expect(bySearch.ok).toBe(false)
      expect(bySearch.findings[0]?.code).toBe(code)
      const byString = diagnoseAppleNewsRequest({
        request,
        signedString: renderTokens(signedTokens),
        ...(mistake.key ? { secret } : {}),
      })
      expect(byString.findings[0]?.code).toBe(code)
    },
  )

  it('reports clock skew with the offset, and a key that is not a UUID', () => {
    const v = vectors.cases[0]!
    const skewed = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeader),
      secret,
      now: Date.parse(v.date) + 10 * 60_000,
    })
    expect(skewed.ok).toBe(false)
    expect(skewed.findings.map((f) => f.code)).toEqual(['clock-skew'])
    expect(skewed.findings[0]!.message).toContain('600 s behind')
    const badKey = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeader.replace(vectors.apiKeyId, 'my-channel')),
    })
    expect(badKey.findings[0]?.code).toBe('key-not-uuid')
  })

  it('recognises a secret passed through a shell (trailing newline bytes stripped)', () => {
    const withNewline = Buffer.concat([key, Buffer.from([0x0a])])
    const v = vectors.cases[0]!
    const tokens = appleNewsStringToSign({ method: v.method, url: v.url, date: v.date }).tokens()
    const signature = toBase64(createHmac('sha256', key).update(renderTokens(tokens)).digest())
    const request = received(
      v,
      formatAppleNewsAuthorization({ keyId: vectors.apiKeyId, signature, date: v.date }),
    )
    const diagnosis = diagnoseAppleNewsRequest({ request, secret: withNewline.toString('base64') })
    expect(diagnosis.findings[0]?.code).toBe('secret-not-base64-decoded')
  })

  it('says when nothing explains the signature, and when the header does not parse', () => {
    const v = vectors.cases[0]!
    const wrong = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeader.replace(v.signature, vectors.cases[1]!.signature)),
      secret,
    })
    expect(wrong.findings.map((f) => f.code)).toEqual(['secret-mismatch'])
    const truncated = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeaderUnquoted.replace(v.signature, v.signature.slice(0, -1))),
      secret,
    })
    expect(truncated.findings.map((f) => f.code)).toEqual(['authorization-malformed'])
    const missing = diagnoseAppleNewsRequest({ request: received(v, 'key=1') })
    expect(missing).toMatchObject({ ok: false, findings: [{ code: 'authorization-malformed' }] })
  })

  it('uses only the documented finding codes, each with a fix', () => {
    const v = vectors.cases[3]!
    const diagnosis = diagnoseAppleNewsRequest({
      request: received(v, v.authorizationHeader),
      secret: vectors.cases[0]!.signature,
    })
    for (const f of diagnosis.findings) {
      expect(APPLE_NEWS_FINDING_CODES).toContain(f.code)
      expect(f.fix.length).toBeGreaterThan(10)
    }
  })
})
