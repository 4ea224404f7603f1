import { type ByteSource, bytesToken, isOwnedBody, streamToken, type Token, textToken } from '@sigwire/core'

/** The parts of a request that HHMAC signs (§1.1). */
export interface AppleNewsCanonicalInput {
  /** The method exactly as sent (upper case for a correct client). */
  readonly method: string
  /** The full URL as signed: `https://news-api.apple.com` + path + `?query`, exactly as sent. */
  readonly url: string
  /** The date string exactly as it appears in the `date=` parameter of `Authorization`. */
  readonly date: string
  /** The exact `Content-Type` header value (boundary included); signed only with a body. */
  readonly contentType?: string | undefined
  /**
   * The body: bytes, or a streamed source (a file or multipart body) that is digested in one pass
   * without being held in memory. An empty body signs neither content type nor body.
   */
  readonly body?: Uint8Array | ByteSource | undefined
}

/**
 * THE token list of the Apple News HHMAC protocol (§1.1): `method`, `url`, `date`, and for a request
 * with a body `content-type` and `body`, concatenated without separators. The signer, the verifier,
 * the doctor and traces all use this one function.
 */
export function appleNewsTokens(input: AppleNewsCanonicalInput): Token[] {
  const tokens: Token[] = [
    textToken('method', input.method),
    textToken('url', input.url),
    textToken('date', input.date),
  ]
  const body = input.body
  if (body === undefined || body.byteLength === 0) return tokens
  // GET and DELETE never carry an entity; a request with a body signs its Content-Type and bytes (§1.2).
  tokens.push(textToken('content-type', input.contentType ?? ''))
  if (body instanceof Uint8Array) tokens.push(bytesToken('body', body))
  else {
    const inMemory = isOwnedBody(body) ? body.inMemoryBytes() : undefined
    tokens.push(inMemory ? bytesToken('body', inMemory) : streamToken('body', body))
  }
  return tokens
}
