import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSigwireError } from '../errors/sigwire-error.js'
import { fromBase64, isBase64, toBase64 } from './base64.js'
import { fromHex, toHex } from './hex.js'
import { formatIsoSeconds, parseIsoDateTime, parseIsoSeconds } from './iso-date.js'
import { formatQueryPairs, parseQueryPairs, percentDecode, percentEncode } from './percent-encode.js'
import { compareCodePoints } from './sort-params.js'
import { utf8Encode } from './utf8.js'

function problemOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    if (isSigwireError(error)) return error.details?.problem ?? error.code
    throw error
  }
  return 'no error'
}

describe('ISO 8601 seconds', () => {
  it('formats whole seconds in UTC with Z (CloudKit DOC example 2016-01-25T22:15:43Z = 1453760143)', () => {
    expect(formatIsoSeconds(new Date(1453760143_000))).toBe('2016-01-25T22:15:43Z')
    expect(formatIsoSeconds(new Date(1453760143_999))).toBe('2016-01-25T22:15:43Z')
  })

  it('parses the strict form', () => {
    expect(parseIsoSeconds('2016-08-14T14:32:20Z').getTime()).toBe(Date.UTC(2016, 7, 14, 14, 32, 20))
  })

  it.each([
    ['2016-08-14T14:32:20.123Z', 'fraction'],
    ['2016-08-14T14:32:20+00:00', 'offset'],
    ['2016-08-14T14:32:20+0000', 'offset'],
    ['2016-08-14T14:32:20', 'no-zone'],
    ['2016-02-30T14:32:20Z', 'range'],
    ['2016-08-14T24:00:00Z', 'range'],
    ['2016-08-14 14:32:20Z', 'format'],
    ['Sun, 14 Aug 2016 14:32:20 GMT', 'format'],
    ['', 'format'],
  ])('rejects %s (%s)', (text, problem) => {
    expect(problemOf(() => parseIsoSeconds(text))).toBe(problem)
  })

  it('parses offsets in both forms and reports which', () => {
    const z = parseIsoDateTime('2015-03-05T02:49:58Z')
    const colon = parseIsoDateTime('2015-03-05T02:49:58+00:00')
    const compact = parseIsoDateTime('2015-03-05T04:49:58+0200')
    expect(colon.date.getTime()).toBe(z.date.getTime())
    expect(compact.date.getTime()).toBe(z.date.getTime())
    expect([z.zone, colon.zone, compact.zone]).toEqual(['Z', 'colon-offset', 'compact-offset'])
    expect(problemOf(() => parseIsoDateTime('2015-03-05T02:49:58.5Z'))).toBe('fraction')
    expect(parseIsoDateTime('2015-03-05T02:49:58.5Z', { allowFraction: true }).date.getTime()).toBe(
      z.date.getTime() + 500,
    )
  })

  it('round-trips every second (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (seconds) => {
        const text = formatIsoSeconds(new Date(seconds * 1000))
        expect(parseIsoSeconds(text).getTime()).toBe(seconds * 1000)
      }),
    )
  })
})

describe('base64 and hex', () => {
  it('encodes the empty-body SHA-256 vector', () => {
    expect(toBase64(fromHex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'))).toBe(
      '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    )
  })

  it.each([['dGVzdHNlY3JldA=='], [''], ['AA=='], ['AAA=']])('accepts %j', (text) => {
    expect(isBase64(text)).toBe(true)
    expect(toBase64(fromBase64(text))).toBe(text)
  })

  it.each([['dGVzdHNlY3JldA'], ['dGVz dHNl'], ['dGVz_HNl'], ['not base64!'], ['A===']])(
    'rejects %j with INVALID_BASE64',
    (text) => {
      expect(problemOf(() => fromBase64(text))).toBe('INVALID_BASE64')
    },
  )

  it('decodes base64 of any size, and refuses a bad one of any size with INVALID_BASE64', () => {
    const bytes = Buffer.alloc(12 * 1024 * 1024, 0xa5)
    const text = toBase64(bytes)
    expect(text.length).toBeGreaterThan(16_000_000)
    expect(Buffer.from(fromBase64(text)).equals(bytes)).toBe(true)
    expect(problemOf(() => fromBase64(`${text.slice(0, -4)}A*A=`))).toBe('INVALID_BASE64')
    expect(problemOf(() => fromBase64(`${text} `))).toBe('INVALID_BASE64')
    expect(isBase64(`${text.slice(0, -1)}_`)).toBe(false)
  })

  it('says why a value is not base64', () => {
    const message = (text: string) => {
      try {
        fromBase64(text, 'secret')
      } catch (error) {
        return (error as Error).message
      }
      return ''
    }
    expect(message('dGVz dHNl')).toMatch(/whitespace/)
    expect(message('dGVz_HNl')).toMatch(/base64url/)
    expect(message('dGVzdHNlY3JldA')).toMatch(/multiple of 4/)
    expect(message('not!base')).toMatch(/characters outside/)
    expect(message(42 as unknown as string)).toMatch(/not a string/)
  })

  it('rejects bad hex', () => {
    expect(problemOf(() => fromHex('abc'))).toBe('INVALID_HEX')
    expect(problemOf(() => fromHex('zz'))).toBe('INVALID_HEX')
    expect(toHex(fromHex('00FFab'))).toBe('00ffab')
  })

  it('round-trips random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes)
        expect(fromHex(toHex(bytes))).toEqual(bytes)
      }),
    )
  })
})

describe('RFC 3986 percent-encoding', () => {
  it('escapes everything but unreserved characters', () => {
    expect(percentEncode("a b+c/d=e&f!'()*~._-")).toBe('a%20b%2Bc%2Fd%3De%26f%21%27%28%29%2A~._-')
    expect(percentEncode('ó😀')).toBe('%C3%B3%F0%9F%98%80')
    // CloudKit web auth tokens: + / = must be escaped (docs/protocols/cloudkit.md §3).
    expect(percentEncode('ab+/=')).toBe('ab%2B%2F%3D')
  })

  it('decodes + as space only when asked', () => {
    expect(percentDecode('a+b%20c', { plusAsSpace: true })).toBe('a b c')
    expect(percentDecode('a+b%20c')).toBe('a+b c')
    expect(problemOf(() => percentDecode('%E0%A4%A'))).toBe('INVALID_PERCENT_ENCODING')
    expect(problemOf(() => percentDecode('%C3'))).toBe('INVALID_PERCENT_ENCODING')
  })

  it('round-trips random unicode pairs through a query string (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }))),
        (pairs) => {
          const query = formatQueryPairs(pairs)
          expect(query).toMatch(/^[A-Za-z0-9\-._~%=&]*$/)
          expect(parseQueryPairs(query)).toEqual(pairs.length === 1 && query === '=' ? [['', '']] : pairs)
        },
      ),
    )
  })
})

describe('code-point order', () => {
  it('orders astral characters after U+FF61, unlike UTF-16 comparison', () => {
    expect('😀' < '｡').toBe(true)
    expect(compareCodePoints('😀', '｡')).toBeGreaterThan(0)
  })

  it('agrees with UTF-8 byte order for random strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(utf8Encode(a)), Buffer.from(utf8Encode(b))))
        expect(Math.sign(compareCodePoints(a, b))).toBe(bytes)
      }),
      { numRuns: 2000 },
    )
  })
})
