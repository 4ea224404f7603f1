import { createHmac, type KeyObject } from 'node:crypto'
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

/**
 * How the doctor rebuilds a string the way a client got it wrong (§5 #7, #9); signing and verifying
 * use the protocol's rule: Content-Type and body are signed exactly when the body is not empty.
 */
export interface AppleNewsStringToSignVariant {
  /** Sign the Content-Type (a GET that signed one; a POST that signed it but not the body). */
  readonly contentType?: boolean
  /** Sign the body (false: a POST whose client left the body out). */
  readonly body?: boolean
}

const LABELS = ['method', 'url', 'date', 'content-type'] as const

/** True when the request signs an entity: a non-empty body (GET and DELETE never do, §1.2). */
export function appleNewsSignsEntity(body: AppleNewsCanonicalInput['body']): boolean {
  return body !== undefined && body.byteLength > 0
}

/**
 * THE Apple News string to sign (§1.1): `method`, `url`, `date`, and for a request with a body its
 * `content-type` and `body`, concatenated without separators. Built only by
 * {@link appleNewsStringToSign}; the signer, the verifier, the doctor and traces all use it.
 *
 * The text part is one string (`head`) and the body stays as given, so the HMAC takes two updates
 * (`pnpm bench --only=signing-apple-news`); the token list is derived from the same two on demand.
 */
export class AppleNewsStringToSign {
  /** The text part: method + URL + date [+ Content-Type]. */
  readonly head: string
  /** The body bytes or source when they are signed, else undefined. */
  readonly body: Uint8Array | ByteSource | undefined
  readonly #method: string
  readonly #url: string
  readonly #date: string
  readonly #contentType: string | undefined
  #tokens: Token[] | undefined

  /** @internal Use {@link appleNewsStringToSign}. `contentType` is undefined when it is not signed. */
  constructor(
    method: string,
    url: string,
    date: string,
    contentType: string | undefined,
    body: Uint8Array | ByteSource | undefined,
  ) {
    this.head = contentType === undefined ? method + url + date : method + url + date + contentType
    this.body = body
    this.#method = method
    this.#url = url
    this.#date = date
    this.#contentType = contentType
  }

  /**
   * The token list: `method`, `url`, `date`, [`content-type`], [`body`]. The text tokens are views into
   * the UTF-8 bytes of {@link head}; an in-memory body is one token, a streamed one a streamed token.
   */
  tokens(): Token[] {
    if (this.#tokens) return this.#tokens
    const texts = [this.#method, this.#url, this.#date]
    if (this.#contentType !== undefined) texts.push(this.#contentType)
    const bytes = Buffer.from(this.head, 'utf8')
    const ascii = bytes.byteLength === this.head.length
    const tokens: Token[] = []
    let offset = 0
    texts.forEach((text, i) => {
      const length = ascii ? text.length : Buffer.byteLength(text, 'utf8')
      tokens.push(bytesToken(LABELS[i]!, new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length)))
      offset += length
    })
    const body = this.body
    if (body instanceof Uint8Array) tokens.push(bytesToken('body', body))
    else if (body !== undefined) {
      const inMemory = isOwnedBody(body) ? body.inMemoryBytes() : undefined
      tokens.push(inMemory ? bytesToken('body', inMemory) : streamToken('body', body))
    }
    this.#tokens = tokens
    return tokens
  }

  /**
   * The base64 HMAC-SHA256 keyed with `key` (the base64-decoded secret, §1.2): the `signature=` value.
   * Synchronous for an in-memory body; a streamed body is digested in one constant-memory pass.
   */
  signature(key: KeyObject | Uint8Array): string | Promise<string> {
    // No encoding argument: a string is hashed as UTF-8 without one (Node.js docs, hmac.update), and
    // naming it costs an encoding lookup per call: 2-5% of a bodyless HMAC in interleaved scratch runs.
    const hmac = createHmac('sha256', key).update(this.head)
    const body = this.body
    if (body === undefined) return hmac.digest('base64')
    if (body instanceof Uint8Array) return hmac.update(body).digest('base64')
    const bytes = isOwnedBody(body) ? body.inMemoryBytes() : undefined
    if (bytes !== undefined) return hmac.update(bytes).digest('base64')
    return (async () => {
      for await (const chunk of body.chunks()) hmac.update(chunk)
      return hmac.digest('base64')
    })()
  }
}

/**
 * Builds the Apple News string to sign from the request's parts: `method + url + date`, plus the
 * Content-Type and the body when the body is not empty (§1.1). `variant` is for the doctor only.
 */
export function appleNewsStringToSign(
  input: AppleNewsCanonicalInput,
  variant?: AppleNewsStringToSignVariant,
): AppleNewsStringToSign {
  const body = input.body
  const entity = body !== undefined && body.byteLength > 0
  const signsType = variant === undefined ? entity : (variant.contentType ?? entity)
  const signsBody = entity && (variant === undefined || (variant.body ?? true))
  return new AppleNewsStringToSign(
    input.method,
    input.url,
    input.date,
    signsType ? (input.contentType ?? '') : undefined,
    signsBody ? body : undefined,
  )
}
