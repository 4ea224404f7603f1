import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBase64 } from '../encoding/base64.js'
import { toHex } from '../encoding/hex.js'
import { utf8Encode } from '../encoding/utf8.js'
import { digestStream, hmacSha256, hmacSha256Stream, sha1, sha256 } from './digest.js'

describe('digests (FIPS 180 and RFC 4231 vectors)', () => {
  it('SHA-256 of the empty string and of a CloudKit body', () => {
    expect(toBase64(sha256(''))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    expect(toBase64(sha256('{"query":{"recordType":"Note"}}'))).toBe(
      'pHA+lOPYejRxN4Iswc9kV8pFFX5glteEnI4oFVFBk9M=',
    )
  })

  it('SHA-1 of "abc"', () => {
    expect(toHex(sha1('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
  })

  it('HMAC-SHA256 RFC 4231 test case 2', () => {
    expect(toHex(hmacSha256(utf8Encode('Jefe'), 'what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })

  it('stream digests equal one-shot digests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array()), fc.uint8Array({ minLength: 1 }), async (chunks, key) => {
        const whole = Buffer.concat(chunks)
        expect(toHex(await digestStream('sha256', Readable.from(chunks.map((c) => Buffer.from(c)))))).toBe(
          toHex(sha256(whole)),
        )
        expect(toHex(await hmacSha256Stream(key, Readable.from(chunks.map((c) => Buffer.from(c)))))).toBe(
          toHex(hmacSha256(key, whole)),
        )
      }),
      { numRuns: 50 },
    )
  })
})
