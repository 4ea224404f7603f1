import { type ByteSource, bytesToken, isOwnedBody, streamToken, type Token } from '@sigwire/core'

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

const LABELS = ['method', 'url', 'date', 'content-type'] as const

/** True when the request signs an entity: a non-empty body (GET and DELETE never do, §1.2). */
export function appleNewsSignsEntity(body: AppleNewsCanonicalInput['body']): boolean {
  return body !== undefined && body.byteLength > 0
}

/**
 * The text part of the canonical request: `METHOD + URL + DATE`, plus the Content-Type when the
 * request has a body (§1.1). The body bytes follow it. {@link appleNewsTokens} is built from this
 * string, so the signer's fast path (one HMAC update with this string, one with the body) and the
 * token list that is verified, diffed and traced cannot disagree.
 */
export function appleNewsCanonicalHead(input: AppleNewsCanonicalInput): string {
  const head = input.method + input.url + input.date
  return appleNewsSignsEntity(input.body) ? head + (input.contentType ?? '') : head
}

/**
 * THE token list of the Apple News HHMAC protocol (§1.1): `method`, `url`, `date`, and for a request
 * with a body `content-type` and `body`, concatenated without separators. The signer, the verifier,
 * the doctor and traces all use it. The text tokens are views into the UTF-8 bytes of
 * {@link appleNewsCanonicalHead}.
 */
export function appleNewsTokens(input: AppleNewsCanonicalInput): Token[] {
  const body = input.body
  const hasBody = appleNewsSignsEntity(body)
  const head = appleNewsCanonicalHead(input)
  const bytes = Buffer.from(head, 'utf8')
  const ascii = bytes.byteLength === head.length
  const texts = hasBody
    ? [input.method, input.url, input.date, input.contentType ?? '']
    : [input.method, input.url, input.date]
  const tokens: Token[] = []
  let offset = 0
  texts.forEach((text, i) => {
    const length = ascii ? text.length : Buffer.byteLength(text, 'utf8')
    tokens.push(bytesToken(LABELS[i]!, new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length)))
    offset += length
  })
  if (!hasBody || body === undefined) return tokens
  if (body instanceof Uint8Array) tokens.push(bytesToken('body', body))
  else {
    const inMemory = isOwnedBody(body) ? body.inMemoryBytes() : undefined
    tokens.push(inMemory ? bytesToken('body', inMemory) : streamToken('body', body))
  }
  return tokens
}
