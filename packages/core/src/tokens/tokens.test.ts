import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha1 } from '../digest/digest.js'
import { toHex } from '../encoding/hex.js'
import { utf8Encode } from '../encoding/utf8.js'
import { safeCreativeCases } from './__fixtures__/safe-creative-analysis.js'
import { digestTokens, digestTokensSync, renderTokens, renderTokensToString } from './render-tokens.js'
import { bytesToken, streamToken, type Token, textToken } from './token.js'
import { traceTokens } from './trace-tokens.js'

/** The Safe Creative token structure: key, "&", name, "=", value, "&", ... (docs/protocols/safe-creative.md §5.1). */
function safeCreativeTokens(privateKey: string, pairs: Array<[string, string]>): Token[] {
  const tokens: Token[] = [textToken('private-key', privateKey, { secret: true })]
  for (const [name, value] of pairs)
    tokens.push(textToken('&', '&'), textToken('name', name), textToken('=', '='), textToken('value', value))
  return tokens
}

describe('canonical tokens against Safe Creative vectors (Python hashlib)', () => {
  const withKey = safeCreativeCases.filter((c) => c.privateKey !== null && c.tokens)
  it('has vectors to check', () => expect(withKey.length).toBeGreaterThan(3))

  it.each(withKey.map((c) => [c.id, c] as const))(
    '%s: renders the string, digest and token list',
    (_id, c) => {
      const tokens = safeCreativeTokens(c.privateKey!, c.sortedParams)
      expect(renderTokensToString(tokens)).toBe(c.stringToSign)
      const vectorTokens = c.tokens!
      const trace = traceTokens(tokens)
      expect(trace).toHaveLength(vectorTokens.length)
      for (const [i, expected] of vectorTokens.entries()) {
        if (expected.secret) {
          expect(trace[i]!.secret).toBe(true)
          expect(trace[i]!.hex).toBe('00000000000')
          expect(JSON.stringify(trace)).not.toContain(c.privateKey!)
        } else {
          expect(trace[i]!.text).toBe(expected.value)
          expect(trace[i]!.hex).toBe(expected.hexvalue)
        }
      }
      expect(toHex(digestTokensSync(tokens, { hash: 'sha1' }))).toBe(toHex(sha1(c.stringToSign!)))
    },
  )

  it('reproduces the published signature.analysis token list (values and hex, key masked)', () => {
    const published = safeCreativeCases.find((c) => c.id === 'wiki-signature-analysis-example')!
    const trace = traceTokens(safeCreativeTokens('unpublished-key', published.sortedParams), {
      secretText: '{Your *Userkey* private key}',
    })
    expect(trace.map((t) => ({ order: t.order, value: t.text, hexvalue: t.hex }))).toEqual(
      published.signatureAnalysisTokens!.map((t) => ({
        order: t.order,
        value: t.value,
        hexvalue: t.hexvalue,
      })),
    )
  })
})

describe('renderTokens and digestTokens', () => {
  it('streams large tokens with the same digest as in-memory rendering', async () => {
    const body = new Uint8Array(1_000_003).map((_, i) => i * 7)
    const source = {
      byteLength: body.byteLength,
      async *chunks() {
        for (let i = 0; i < body.byteLength; i += 65_536) yield body.subarray(i, i + 65_536)
      },
    }
    const head = [textToken('method', 'POST'), textToken('url', 'https://example.test/x')]
    const key = utf8Encode('k')
    const streamed = await digestTokens([...head, streamToken('body', source)], { hmac: 'sha256', key })
    const inMemory = digestTokensSync([...head, bytesToken('body', body)], { hmac: 'sha256', key })
    expect(toHex(streamed)).toBe(toHex(inMemory))
    expect(() => renderTokens([streamToken('body', source)])).toThrow(/streamed/)
    expect(traceTokens([streamToken('body', source)])[0]!.text).toBe('<1000003 bytes, streamed>')
  })

  it('truncates long tokens in traces', () => {
    const trace = traceTokens([textToken('body', 'x'.repeat(10))], { maxBytes: 4 })
    expect(trace[0]).toMatchObject({ text: 'xxxx', hex: '78787878', byteLength: 10, truncated: true })
  })

  it('renders the concatenation of UTF-8 encodings (property, random unicode)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string({ unit: 'grapheme' }))), (parts) => {
        const tokens = parts.map(([label, text]) => textToken(label, text))
        expect(
          Buffer.from(renderTokens(tokens)).equals(Buffer.from(utf8Encode(parts.map(([, t]) => t).join('')))),
        ).toBe(true)
        const trace = traceTokens(tokens)
        expect(trace.map((t) => t.text).join('')).toBe(parts.map(([, t]) => t).join(''))
      }),
    )
  })
})
