import { createHash } from 'node:crypto'
import { renderTokensToString, toHex, traceTokens, utf8Encode } from '@sigwire/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ANALYSIS_SECRET_TEXT } from '../constants.js'
import { publishedAnalysis, signedVectors } from './__fixtures__/vectors.js'
import { analysisTokenLine } from './analysis.js'
import { buildStringToSign } from './string-to-sign.js'

describe('string to sign against the shared vectors (Python hashlib, OpenSSL)', () => {
  it('has the vectors', () => expect(signedVectors.length).toBeGreaterThanOrEqual(4))

  it.each(signedVectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const built = buildStringToSign(v.privateKey!, v.params)
    expect(built.pairs).toEqual(v.sortedParams)
    expect(built.render()).toBe(v.stringToSign)
    expect(toHex(utf8Encode(built.render()))).toBe(v.stringToSignUtf8Hex)
    expect(built.signature()).toBe(v.signature)
    expect(built.tokenDigestHex()).toBe(v.signature)
    const trace = traceTokens(built.tokens())
    expect(
      trace.map((t) =>
        t.secret ? { order: t.order, secret: true } : { order: t.order, value: t.text, hexvalue: t.hex },
      ),
    ).toEqual(
      v.tokens!.map((t) =>
        t.secret
          ? { order: t.order, secret: true }
          : { order: t.order, value: t.value, hexvalue: t.hexvalue },
      ),
    )
  })

  it('reproduces the published signature.analysis token lines exactly (key masked)', () => {
    const built = buildStringToSign('any-unpublished-key', publishedAnalysis.params)
    const lines = traceTokens(built.tokens(), { secretText: ANALYSIS_SECRET_TEXT }).map(analysisTokenLine)
    expect(lines).toEqual(publishedAnalysis.signatureAnalysisTokens!.map((t) => t.line))
  })
})

describe('string to sign: properties', () => {
  const param = fc.tuple(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' }))

  it('tokens render to the same string the signature hashes, in any input order', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.uniqueArray(param, { selector: (p) => p[0] }),
        (key, pairs) => {
          const built = buildStringToSign(key, pairs)
          expect(renderTokensToString(built.tokens())).toBe(built.render())
          expect(built.signature()).toBe(createHash('sha1').update(built.render(), 'utf8').digest('hex'))
          const shuffled = [...pairs].reverse()
          expect(buildStringToSign(key, shuffled).signature()).toBe(built.signature())
        },
      ),
    )
  })

  it('sorts numbered names as text (link10 before link2) and drops signature and debug-component', () => {
    const built = buildStringToSign('k', [
      ['link2', 'b'],
      ['signature', 'x'],
      ['link10', 'a'],
      ['debug-component', 'signature.analysis'],
    ])
    expect(built.render()).toBe('k&link10=a&link2=b')
  })

  it('never shows the private key in JSON or toString', () => {
    const built = buildStringToSign('very-secret-key', [['component', 'work.list']])
    expect(JSON.stringify(built)).not.toContain('very-secret-key')
    expect(String(built)).not.toContain('very-secret-key')
    expect(JSON.stringify(traceTokens(built.tokens()))).not.toContain('very-secret-key')
  })

  it('builds the doctor variants', () => {
    const pairs: Array<[string, string]> = [
      ['b', '2'],
      ['a', '1'],
    ]
    expect(buildStringToSign('K', pairs, { order: 'as-given' }).render()).toBe('K&b=2&a=1')
    expect(buildStringToSign('K', pairs, { key: 'suffix' }).render()).toBe('a=1&b=2&K')
    expect(buildStringToSign('K', pairs, { key: 'prefix-no-separator' }).render()).toBe('Ka=1&b=2')
    for (const key of ['suffix', 'prefix-no-separator'] as const) {
      const built = buildStringToSign('K', pairs, { key })
      expect(renderTokensToString(built.tokens())).toBe(built.render())
    }
  })

  it('rejects an empty key and non-string pairs with typed errors', () => {
    expect(() => buildStringToSign('', [['a', 'b']])).toThrow(
      expect.objectContaining({ code: 'EMPTY_PRIVATE_KEY' }),
    )
    expect(() => buildStringToSign('k', [['a', 1 as unknown as string]])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
