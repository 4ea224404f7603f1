import { formatQueryPairs, utf8Encode } from '@sigwire/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ParamPair } from '../signing/params.js'
import { formBody } from './form-body.js'

const same = (pairs: readonly ParamPair[]) =>
  Buffer.from(formBody(pairs).inMemoryBytes()!).equals(utf8Encode(formatQueryPairs(pairs)))

describe('formBody', () => {
  it('is the UTF-8 of formatQueryPairs for an upload chunk (long base64 value)', () => {
    const data = Buffer.from(Array.from({ length: 50 * 1024 }, (_, i) => (i * 131) % 256)).toString('base64')
    const pairs: ParamPair[] = [
      ['uploadid', 'u-1 +/'],
      ['offset', '0'],
      ['data', data],
    ]
    expect(same(pairs)).toBe(true)
  })

  it('is the UTF-8 of formatQueryPairs for any pairs, long or short, ASCII or not', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary-ascii', minLength: 4096, maxLength: 5000 }),
      fc.string({ unit: 'grapheme', minLength: 4096, maxLength: 4200 }),
    )
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), text), { maxLength: 4 }),
        (pairs) => {
          expect(same(pairs)).toBe(true)
        },
      ),
      { numRuns: 60 },
    )
  })
})
