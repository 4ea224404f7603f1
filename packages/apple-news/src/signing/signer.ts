import {
  type Clock,
  clockMs,
  formatIsoSeconds,
  type HttpRequest,
  invalidArgument,
  type RequestSigner,
  type SignOutput,
  type Token,
  type TokenTrace,
  traceTokens,
} from '@sigwire/core'
import { formatAppleNewsAuthorization } from './authorization.js'
import { type AppleNewsCredentials, checkAppleNewsKeyId, parseAppleNewsSecret } from './credentials.js'
import {
  type AppleNewsCanonicalInput,
  type AppleNewsStringToSign,
  appleNewsStringToSign,
} from './string-to-sign.js'

/** Options of {@link createAppleNewsSigner}. */
export interface AppleNewsSignerOptions extends AppleNewsCredentials {
  /** Write `key="..."` quoted values (as the apple-news npm package does). Default false (Apple's sample). */
  readonly quoteValues?: boolean
}

/** An HHMAC signer: the core {@link RequestSigner} plus the pieces it is made of. */
export interface AppleNewsSigner extends RequestSigner {
  /** The API key ID. */
  readonly keyId: string
  /** The tokens signed for `request` at `date` (the second; the header carries `YYYY-MM-DDTHH:MM:SSZ`). */
  tokens(request: HttpRequest, date: Date): Token[]
  /**
   * The base64 signature of a canonical input given part by part (the date string as it will be sent,
   * in any form Apple accepts); a streamed body is digested in one constant-memory pass.
   */
  signature(input: AppleNewsCanonicalInput): string | Promise<string>
  /**
   * Signs `request` at `clock.now()`: sets `Authorization`. Synchronous for in-memory bodies; a
   * streamed body (a file bundle) is hashed in one pass first. The `trace` is built when first read.
   */
  sign(request: HttpRequest, clock: Clock): SignOutput | Promise<SignOutput>
}

/**
 * Creates the Apple News HHMAC signer. The key ID and secret are validated here, once: a key ID that
 * is not a UUID throws `INVALID_KEY_ID`; a secret that is not strict base64 (or is hex, or empty)
 * throws `INVALID_SECRET`. The HMAC key is the base64-decoded secret, imported once as a KeyObject.
 */
export function createAppleNewsSigner(options: AppleNewsSignerOptions): AppleNewsSigner {
  const keyId = checkAppleNewsKeyId(options.keyId)
  const { key } = parseAppleNewsSecret(options.secret)
  const quote = options.quoteValues === true
  let lastSecond = Number.NaN
  let lastDate = ''

  const input = (request: HttpRequest, date: string): AppleNewsCanonicalInput => ({
    method: request.method,
    url: request.origin + request.target,
    date,
    contentType: contentTypeOf(request),
    body: request.body,
  })
  // formatAppleNewsAuthorization, split once around the two values that change per request.
  const [before, after] = formatAppleNewsAuthorization(
    { keyId, signature: '\0', date: '\0' },
    { quote },
  ).split('\0')
  const header = (signature: string, date: string) => before + signature + after + date + (quote ? '"' : '')

  return {
    keyId,
    tokens: (request, date) => appleNewsStringToSign(input(request, formatIsoSeconds(date))).tokens(),
    signature: (canonical) => appleNewsStringToSign(canonical).signature(key),
    sign(request, clock) {
      // The date string changes once a second; format it once per second, not once per request.
      const ms = clockMs(clock)
      const second = Math.floor(ms / 1000)
      if (second !== lastSecond) {
        lastSecond = second
        lastDate = formatIsoSeconds(new Date(second * 1000))
      }
      const date = lastDate
      const signed = appleNewsStringToSign(input(request, date))
      const signature = signed.signature(key)
      if (typeof signature === 'string') return new HhmacSignOutput(header(signature, date), signed)
      return signature.then((value) => new HhmacSignOutput(header(value, date), signed))
    },
  }
}

/** The Content-Type to sign; a request with a body must have one (its exact value is signed). */
function contentTypeOf(request: HttpRequest): string | undefined {
  const contentType = request.headers['content-type']
  if (contentType === undefined && request.body.byteLength > 0)
    throw invalidArgument(
      'An Apple News request with a body needs a Content-Type header: its exact value is signed.',
    )
  return contentType
}

/** A signer's output whose trace is built on first read (a prototype getter: no per-request closure). */
class HhmacSignOutput implements SignOutput {
  readonly headers: Readonly<Record<string, string>>
  readonly #signed: AppleNewsStringToSign
  #trace: readonly TokenTrace[] | undefined

  constructor(authorization: string, signed: AppleNewsStringToSign) {
    this.headers = { authorization }
    this.#signed = signed
  }

  /** The tokens that were signed, for errors and debugging. */
  get trace(): readonly TokenTrace[] {
    this.#trace ??= traceTokens(this.#signed.tokens())
    return this.#trace
  }
}
