import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8Decode, utf8Encode } from '../encoding/utf8.js'
import { renderTokens } from '../tokens/render-tokens.js'
import { type BytesToken, bytesToken, textToken } from '../tokens/token.js'
import { tokenizeClaimedString } from './claimed-string.js'
import { diffTokens } from './diff-tokens.js'
import { findingCatalog } from './finding.js'
import { findOneByteEdit } from './one-byte-edit.js'
import { permutations } from './permutations.js'

const firstDifferingByte = (a: Uint8Array, b: Uint8Array) => {
  const n = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return a.byteLength === b.byteLength ? undefined : n
}

const colonGrammar = { separators: [':'] }
const pairsGrammar = { separators: ['&', '='] }

describe('tokenizeClaimedString', () => {
  const expected = [
    textToken('date', '2016-08-14T14:23:35Z'),
    textToken(':', ':'),
    textToken('body-hash', 'POSU'),
    textToken(':', ':'),
    textToken('target', '/a?b=1'),
  ]

  it('lines an equal string up with the expected tokens', () => {
    const tokens = tokenizeClaimedString(utf8Decode(renderTokens(expected)), expected, colonGrammar)
    expect(tokens.map((t) => [t.label, utf8Decode(t.bytes)])).toEqual(
      expected.map((t) => [t.label, utf8Decode(t.bytes)]),
    )
    expect(diffTokens(expected, tokens)).toBeUndefined()
  })

  it('gives the differing token whole, between the tokens that match before and after it', () => {
    const tokens = tokenizeClaimedString('2016-08-14T14:23:35Z:e3b0c442:/a?b=1', expected, colonGrammar)
    expect(tokens.map((t) => utf8Decode(t.bytes))).toEqual([
      '2016-08-14T14:23:35Z',
      ':',
      'e3b0c442',
      ':',
      '/a?b=1',
    ])
    expect(diffTokens(expected, tokens)).toMatchObject({ index: 2, label: 'body-hash', byteOffset: 21 })
  })

  it('keeps a field empty between two separators and names extra leading fields', () => {
    const empty = tokenizeClaimedString('2016-08-14T14:23:35Z::/a?b=1', expected, colonGrammar)
    expect(empty.map((t) => [t.label, utf8Decode(t.bytes)])).toEqual([
      ['date', '2016-08-14T14:23:35Z'],
      [':', ':'],
      ['body-hash', ''],
      [':', ':'],
      ['target', '/a?b=1'],
    ])
    const method = tokenizeClaimedString('POST:2016-08-14T14:23:35Z:POSU:/a?b=1', expected, colonGrammar)
    expect(method.map((t) => utf8Decode(t.bytes))).toEqual([
      'POST',
      ':',
      '2016-08-14T14:23:35Z',
      ':',
      'POSU',
      ':',
      '/a?b=1',
    ])
    expect(diffTokens(expected, method)).toMatchObject({ index: 0, label: 'date', byteOffset: 0 })
  })

  it('keeps shaped tokens whole and splits the rest at the first shape without separators', () => {
    const grammar = { shapes: [{ label: 'date', pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/ }] }
    const tokens = [
      textToken('method', 'GET'),
      textToken('url', 'https://h/x'),
      textToken('date', '2026-03-14T15:09:26Z'),
    ]
    const claimed = tokenizeClaimedString('GEThttps://h/y2026-03-14T15:09:27Z', tokens, grammar)
    expect(claimed.map((t) => [t.label, utf8Decode(t.bytes)])).toEqual([
      ['method', 'GET'],
      ['url', 'https://h/y'],
      ['date', '2026-03-14T15:09:27Z'],
    ])
    const lexed = tokenizeClaimedString('2026-03-14T15:09:26Z:x::', [], {
      separators: [':'],
      shapes: grammar.shapes,
    })
    expect(lexed.map((t) => [t.label, utf8Decode(t.bytes)])).toEqual([
      ['date', '2026-03-14T15:09:26Z'],
      [':', ':'],
      ['text', 'x'],
      [':', ':'],
      ['text', ''],
      [':', ':'],
      ['text', ''],
    ])
  })

  it('lengthens a field when bytes are inserted right after it', () => {
    const pairs = [
      textToken('k', 'K'),
      textToken('&', '&'),
      textToken('value:a', '1'),
      textToken('&', '&'),
      textToken('name:b', 'b'),
    ]
    const tokens = tokenizeClaimedString('K&10&b', pairs, pairsGrammar)
    expect(diffTokens(pairs, tokens)).toMatchObject({ label: 'value:a', byteOffset: 3, offsetInToken: 1 })
    expect(diffTokens(pairs, tokens)!.actual.text).toBe('10')
    const target = [textToken('date', 'D'), textToken(':', ':'), textToken('request-target', '/a')]
    expect(diffTokens(target, tokenizeClaimedString('D:/a?x=1', target, colonGrammar))).toMatchObject({
      label: 'request-target',
      actual: { text: '/a?x=1' },
    })
    const ordered = {
      order: ['method', 'url', 'date', 'content-type', 'body'],
      shapes: [{ label: 'date', pattern: /\d{4}/ }],
    }
    const get = [textToken('method', 'GET'), textToken('url', '/x'), textToken('date', '2026')]
    expect(diffTokens(get, tokenizeClaimedString('GET/x2026text/plain', get, ordered))).toMatchObject({
      label: 'content-type',
      kind: 'extra',
    })
  })

  it('never cuts the differing token before its first differing byte (value holding a separator)', () => {
    const pairs = [
      textToken('private-key', 'K', { secret: true }),
      textToken('&', '&'),
      textToken('name:a', 'a'),
      textToken('=', '='),
      textToken('value:a', 'x&y'),
      textToken('&', '&'),
      textToken('name:b', 'b'),
      textToken('=', '='),
      textToken('value:b', '2'),
    ]
    const tokens = tokenizeClaimedString('K&a=x&z&b=2', pairs, pairsGrammar)
    expect(diffTokens(pairs, tokens)).toMatchObject({ label: 'value:a', byteOffset: 6, offsetInToken: 2 })
    expect(diffTokens(pairs, tokens)!.actual.text).toBe('x&z')
  })

  it('masks the pieces in the place of a secret token or holding its bytes', () => {
    const pairs = [
      textToken('private-key', 'hunter2', { secret: true }),
      textToken('&', '&'),
      textToken('n', 'a'),
    ]
    const swapped = tokenizeClaimedString('a&hunter2', pairs, pairsGrammar)
    expect(swapped.filter((t) => t.secret).map((t) => t.label)).toEqual(['private-key', 'n'])
    expect(JSON.stringify(diffTokens(pairs, swapped))).not.toContain('hunter2')
  })

  it('names the token holding the first differing byte, at that byte (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', ':', '&', '='), fc.string({ maxLength: 6 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.string({ maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(colonGrammar, pairsGrammar, {}),
        (parts, insert, at, cut, grammar) => {
          const expectedTokens = parts.map(([label, text]) => textToken(label, text))
          const rendered = utf8Decode(renderTokens(expectedTokens))
          const from = at % (rendered.length + 1)
          const to = Math.min(rendered.length, from + (cut % 3))
          const claimed = rendered.slice(0, from) + insert + rendered.slice(to)
          const claimedBytes = utf8Encode(claimed)
          const tokens = tokenizeClaimedString(claimed, expectedTokens, grammar)
          expect(utf8Decode(renderTokens(tokens))).toBe(claimed)
          const diff = diffTokens(expectedTokens, tokens)
          const d = firstDifferingByte(renderTokens(expectedTokens), claimedBytes)
          if (d === undefined) expect(diff).toBeUndefined()
          else {
            expect(diff?.byteOffset).toBe(d)
            // The token holding that byte; for bytes inserted right after a field, that field.
            const holder = tokensHolding(expectedTokens, d)
            const labels = [holder?.label, ...tokensEndingAt(expectedTokens, d).map((t) => t.label)]
            if (holder !== undefined) expect(labels).toContain(diff?.label)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})

/** The expected tokens that end at offset `at` (empty ones included). */
function tokensEndingAt(tokens: readonly BytesToken[], at: number): BytesToken[] {
  let offset = 0
  const found: BytesToken[] = []
  for (const token of tokens) {
    offset += token.bytes.byteLength
    if (offset === at) found.push(token)
  }
  return found
}

/** The expected token whose bytes hold offset `at` (skipping empty tokens). */
function tokensHolding(tokens: readonly BytesToken[], at: number): BytesToken | undefined {
  let offset = 0
  for (const token of tokens) {
    if (at < offset + token.bytes.byteLength) return token
    offset += token.bytes.byteLength
  }
  return undefined
}

describe('permutations', () => {
  it('lists every ordering once', () => {
    expect(permutations([1, 2, 3]).map((p) => p.join(''))).toEqual(['123', '132', '213', '231', '312', '321'])
    expect(permutations([])).toEqual([[]])
    expect(new Set(permutations([1, 2, 3, 4, 5]).map((p) => p.join(''))).size).toBe(120)
  })
})

describe('findingCatalog', () => {
  const catalog = findingCatalog(['b', 'a', 'n'] as const, {
    a: { fix: 'fix a', token: 'date' },
    b: { fix: 'fix b' },
    n: { fix: 'fix n' },
  })

  it('builds findings with the catalogue fix and token', () => {
    expect(catalog.finding('a', 'm')).toEqual({
      code: 'a',
      message: 'm',
      fix: 'fix a',
      severity: 'error',
      token: 'date',
    })
    expect(catalog.finding('b', 'm', { severity: 'note', fix: 'other' })).toEqual({
      code: 'b',
      message: 'm',
      fix: 'other',
      severity: 'note',
    })
  })

  it('settles: repeats dropped, errors before notes, catalogue order on request', () => {
    const list = [
      catalog.finding('n', 'x', { severity: 'note' }),
      catalog.finding('a', 'one'),
      catalog.finding('a', 'one'),
      catalog.finding('a', 'two'),
      catalog.finding('b', 'three'),
    ]
    expect(catalog.settle(list).map((f) => `${f.code}:${f.message}`)).toEqual([
      'a:one',
      'a:two',
      'b:three',
      'n:x',
    ])
    expect(
      catalog.settle(list, { oncePerCode: true, byCode: true }).map((f) => `${f.code}:${f.message}`),
    ).toEqual(['b:three', 'a:one', 'n:x'])
  })
})

describe('findOneByteEdit', () => {
  const key = Buffer.alloc(32, 7)
  const tokens = (url: string, date = '2026-03-14T15:09:26Z') => [
    textToken('method', 'GET'),
    textToken('url', url),
    textToken('date', date),
  ]

  it('finds the byte that differs and returns the tokens as signed', () => {
    const signed = renderTokens(tokens('https://h/a?x=1'))
    const edited = findOneByteEdit(
      tokens('https://h/a?x=2'),
      (m) => Buffer.from(m).equals(signed),
      new Set(['url']),
    )
    expect(edited && Buffer.from(renderTokens(edited)).toString()).toBe(Buffer.from(signed).toString())
    expect(edited?.map((t) => t.label)).toEqual(['method', 'url', 'date'])
  })

  it('edits only the tokens it is given and gives up on a longer change', () => {
    const signed = renderTokens(tokens('https://h/a', '2026-03-14T15:09:27Z'))
    const matches = (m: Uint8Array) => Buffer.from(m).equals(signed)
    expect(findOneByteEdit(tokens('https://h/a'), matches, new Set(['url']))).toBeUndefined()
    expect(findOneByteEdit(tokens('https://h/a'), matches, new Set(['date']))).toBeDefined()
    expect(findOneByteEdit(tokens('https://h/abc'), () => false, new Set(['url']))).toBeUndefined()
  })

  it('works with a real HMAC as the matcher', () => {
    const mac = createHmac('sha256', key)
      .update(renderTokens(tokens('https://h/%2f')))
      .digest()
    const edited = findOneByteEdit(
      tokens('https://h/%2F'),
      (m) => createHmac('sha256', key).update(m).digest().equals(mac),
      new Set(['url']),
    )
    expect(edited?.[1] && Buffer.from((edited[1] as BytesToken).bytes).toString()).toBe('https://h/%2f')
  })
})

describe('bytesToken views', () => {
  it('tokenizes bytes that are not valid UTF-8', () => {
    const body = new Uint8Array([0xff, 0x00, 0x80])
    const expected = [textToken('head', 'x'), bytesToken('body', body)]
    const claimed = new Uint8Array([0x78, 0xff, 0x01, 0x80])
    expect(diffTokens(expected, tokenizeClaimedString(claimed, expected))).toMatchObject({
      label: 'body',
      byteOffset: 2,
    })
  })
})
