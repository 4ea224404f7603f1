import { describe, expect, it } from 'vitest'
import { splitAtByte, splitHexAtByte } from './byte-highlight.js'

describe('splitAtByte', () => {
  it('finds the character holding a byte, multi-byte characters included', () => {
    expect(splitAtByte('ztime', 0)).toEqual(['', 'z', 'time'])
    expect(splitAtByte('año=1', 1)).toEqual(['a', 'ñ', 'o=1'])
    // The second byte of ñ (U+00F1, c3 b1) still marks ñ.
    expect(splitAtByte('año=1', 2)).toEqual(['a', 'ñ', 'o=1'])
    expect(splitAtByte('año=1', 3)).toEqual(['añ', 'o', '=1'])
    expect(splitAtByte('a😀b', 3)).toEqual(['a', '😀', 'b'])
  })

  it('marks nothing past the end (a token that ran short)', () => {
    expect(splitAtByte('ab', 2)).toEqual(['ab', '', ''])
  })
})

describe('splitHexAtByte', () => {
  it('splits two hex digits per byte', () => {
    expect(splitHexAtByte('7a74696d65', 1)).toEqual(['7a', '74', '696d65'])
    expect(splitHexAtByte('7a74', 2)).toEqual(['7a74', '', ''])
  })
})
