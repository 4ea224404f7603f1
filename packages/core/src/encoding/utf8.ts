const strictDecoder = new TextDecoder('utf-8', { fatal: true })
const lenientDecoder = new TextDecoder('utf-8')

/**
 * UTF-8 bytes of `text`. Lone surrogates become U+FFFD, as in every HTTP client. A `Buffer` rather
 * than `TextEncoder.encode`: a short string is copied into Node's shared 8 KiB pool instead of a new
 * backing store, about 0.2 µs instead of 0.7 µs for a 200-byte JSON body, and less for the GC to free.
 * Like every view, read it through `byteOffset` and `byteLength`, never its whole `.buffer`.
 */
export function utf8Encode(text: string): Uint8Array {
  return Buffer.from(text, 'utf8')
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
