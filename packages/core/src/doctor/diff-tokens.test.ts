import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { renderTokens } from '../tokens/render-tokens.js'
import { bytesToken, textToken } from '../tokens/token.js'
import { diffTokens } from './diff-tokens.js'

describe('diffTokens', () => {
  const expected = [
    textToken('date', '2016-08-14T14:23:35Z'),
    textToken(':', ':'),
    textToken('body-hash', 'POSU'),
    textToken(':', ':'),
    textToken('target', '/a'),
  ]

  it('finds the first differing token and the byte offset', () => {
    const actual = [...expected]
    actual[2] = textToken('body-hash', 'POXU')
    const diff = diffTokens(expected, actual)!
    expect(diff).toMatchObject({
      index: 2,
      label: 'body-hash',
      byteOffset: 20 + 1 + 2,
      offsetInToken: 2,
      kind: 'value',
    })
    expect(diff.expected).toEqual({ label: 'body-hash', text: 'POSU', hex: '504f5355' })
    expect(diff.actual.text).toBe('POXU')
  })

  it('carries both strings as trace rows, secrets masked', () => {
    const signed = [textToken('key', 'hunter2', { secret: true }), ...expected]
    const actual = [...signed]
    actual[3] = textToken('body-hash', 'POXU')
    const diff = diffTokens(signed, actual)!
    expect(diff.expectedTokens!.map((t) => t.text)).toEqual([
      '{secret}',
      '2016-08-14T14:23:35Z',
      ':',
      'POSU',
      ':',
      '/a',
    ])
    expect(diff.actualTokens![3]).toMatchObject({
      order: 3,
      label: 'body-hash',
      text: 'POXU',
      hex: '504f5855',
    })
    expect(JSON.stringify(diff)).not.toContain('hunter2')
    expect(JSON.stringify(diffTokens(expected, expected.slice(0, 2))!.actualTokens)).toContain('"order":1')
  })

  it('reports missing and extra tokens', () => {
    expect(diffTokens(expected, expected.slice(0, 3))).toMatchObject({
      index: 3,
      kind: 'missing',
      byteOffset: 25,
    })
    expect(diffTokens(expected.slice(0, 3), expected)).toMatchObject({ index: 3, kind: 'extra' })
    expect(diffTokens(expected, [...expected])).toBeUndefined()
  })

  it('never shows a secret token', () => {
    const diff = diffTokens(
      [textToken('key', 'supersecretvalue', { secret: true })],
      [textToken('key', 'supersecretother', { secret: true })],
    )!
    expect(JSON.stringify(diff)).not.toMatch(/supersecret/)
    expect(diff.expected.hex).toBe('00000000000')
  })

  it('locates any single-byte mutation exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1 }), { minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (chunks, pick, delta) => {
          const tokens = chunks.map((bytes, i) => bytesToken(`t${i}`, bytes))
          const total = chunks.reduce((sum, c) => sum + c.byteLength, 0)
          const at = pick % total
          const rendered = renderTokens(tokens)
          rendered[at] = (rendered[at]! + delta) % 256
          let offset = 0
          const mutated = chunks.map((c, i) => {
            const token = bytesToken(`t${i}`, rendered.slice(offset, offset + c.byteLength))
            offset += c.byteLength
            return token
          })
          const diff = diffTokens(tokens, mutated)!
          expect(diff.byteOffset).toBe(at)
          expect(renderTokens(tokens.slice(0, diff.index)).byteLength).toBeLessThanOrEqual(at)
        },
      ),
    )
  })
})
