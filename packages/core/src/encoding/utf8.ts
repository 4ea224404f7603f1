const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true })
const lenientDecoder = new TextDecoder('utf-8')

/** UTF-8 bytes of `text`. Lone surrogates become U+FFFD, as in every HTTP client. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes UTF-8; invalid sequences become U+FFFD unless `strict` is set, which throws a `TypeError`. */
export function utf8Decode(bytes: Uint8Array, options: { strict?: boolean } = {}): string {
  return (options.strict ? strictDecoder : lenientDecoder).decode(bytes)
}

/** True when `bytes` is valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictDecoder.decode(bytes)
    return true
  } catch {
    return false
  }
}
