/**
 * Splits `text` around the character that holds UTF-8 byte `byteOffset`: `[before, at, after]`, where
 * `at` is empty when the offset is at or past the end (a token that ran short). The page marks `at`.
 */
export function splitAtByte(text: string, byteOffset: number): [string, string, string] {
  const encoder = new TextEncoder()
  let bytes = 0
  let index = 0
  for (const char of text) {
    const size = encoder.encode(char).byteLength
    if (byteOffset < bytes + size) return [text.slice(0, index), char, text.slice(index + char.length)]
    bytes += size
    index += char.length
  }
  return [text, '', '']
}

/** Splits lower-case hex around byte `byteOffset` (two hex digits), like {@link splitAtByte}. */
export function splitHexAtByte(hex: string, byteOffset: number): [string, string, string] {
  const at = byteOffset * 2
  if (at >= hex.length) return [hex, '', '']
  return [hex.slice(0, at), hex.slice(at, at + 2), hex.slice(at + 2)]
}
