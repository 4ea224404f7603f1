import {
  type Clock,
  digestTokens,
  digestTokensSync,
  formatIsoSeconds,
  type HttpRequest,
  invalidArgument,
  isBytesToken,
  type RequestSigner,
  type SignOutput,
  type Token,
  type TokenTrace,
  toBase64,
  traceTokens,
} from '@sigwire/core'
import { type AppleNewsCredentials, checkAppleNewsKeyId, parseAppleNewsSecret } from './credentials.js'
import { formatAppleNewsAuthorization } from './authorization.js'
import { appleNewsTokens } from './string-to-sign.js'

/** Options of {@link createAppleNewsSigner}. */
export interface AppleNewsSignerOptions extends AppleNewsCredentials {
  /** Write `key="..."` quoted values (as the apple-news npm package does). Default false (Apple's sample). */
  readonly quoteValues?: boolean
}

/** An HHMAC signer: the core {@link RequestSigner} plus the pieces it is made of. */
export interface AppleNewsSigner extends RequestSigner {
  /** The API key ID. */
  readonly keyId: string
  /** The tokens signed for `request` at `date` (the date string exactly as it goes in the header). */
  tokens(request: HttpRequest, date: string): Token[]
  /** The base64 signature over `tokens`; streamed tokens are digested in one constant-memory pass. */
  signature(tokens: readonly Token[]): string | Promise<string>
  /**
   * Signs `request` at `clock.now()`: sets `Authorization`. Synchronous for in-memory bodies; a
   * streamed body (a file bundle) is hashed in one pass first. The `trace` is built when first read.
   */
  sign(request: HttpRequest, clock: Clock): SignOutput | Promise<SignOutput>
}

/**
 * Creates the Apple News HHMAC signer. The key ID and secret are validated here, once: a key ID that
 * is not a UUID throws `INVALID_KEY_ID`; a secret that is not strict base64 (or is hex, or empty)
 * throws `INVALID_SECRET`. The HMAC key is the base64-decoded secret, imported once.
 */
export function createAppleNewsSigner(options: AppleNewsSignerOptions): AppleNewsSigner {
  const keyId = checkAppleNewsKeyId(options.keyId)
  const { key } = parseAppleNewsSecret(options.secret)
  const how = { hmac: 'sha256', key } as const
  const quote = options.quoteValues === true

  const tokens = (request: HttpRequest, date: string): Token[] => {
    const body = request.body
    const contentType = request.headers['content-type']
    if (body.byteLength > 0 && contentType === undefined)
      throw invalidArgument(
        'An Apple News request with a body needs a Content-Type header: its exact value is signed.',
      )
    return appleNewsTokens({
      method: request.method,
      url: request.origin + request.target,
      date,
      contentType,
      body,
    })
  }

  const output = (list: readonly Token[], signature: string, date: string): SignOutput => {
    let trace: readonly TokenTrace[] | undefined
    return {
      headers: { authorization: formatAppleNewsAuthorization({ keyId, signature, date }, { quote }) },
      get trace() {
        trace ??= traceTokens(list)
        return trace
      },
    }
  }

  return {
    keyId,
    tokens,
    signature(list) {
      if (list.every(isBytesToken)) return toBase64(digestTokensSync(list, how))
      return digestTokens(list, how).then(toBase64)
    },
    sign(request, clock) {
      const date = formatIsoSeconds(clock.now())
      const list = tokens(request, date)
      if (list.every(isBytesToken)) return output(list, toBase64(digestTokensSync(list, how)), date)
      return digestTokens(list, how).then((digest) => output(list, toBase64(digest), date))
    },
  }
}
