import { type BytesToken, bytesToken } from '@sigwire/core'

/**
 * Cuts a client's claimed string-to-sign at the boundaries of the expected tokens (the last token takes
 * the rest), so that a token diff attributes the first differing byte to the token that holds it.
 */
export function alignToTokens(expected: readonly BytesToken[], claimed: Uint8Array): BytesToken[] {
  const out: BytesToken[] = []
  let offset = 0
  expected.forEach((token, index) => {
    const end =
      index === expected.length - 1
        ? claimed.byteLength
        : Math.min(claimed.byteLength, offset + token.bytes.byteLength)
    out.push(bytesToken(token.label, claimed.subarray(offset, end)))
    offset = end
  })
  return out
}
