import type { Clock } from '../clock/clock.js'
import type { Token, TokenTrace } from '../tokens/token.js'
import { type HttpRequest, withHeaders, withQuery } from './http-request.js'

/** What a signer adds to a request. */
export interface SignOutput {
  /** Headers to set (they replace headers of the same name). */
  readonly headers?: Readonly<Record<string, string>>
  /** Query pairs appended to the request-target (protocols that sign parameters, like Safe Creative). */
  readonly query?: ReadonlyArray<readonly [string, string]>
  /** The tokens that were signed, secrets masked. Attached to authentication errors. */
  readonly trace: readonly TokenTrace[]
}

/**
 * The one signer contract every adapter implements. Created once from credentials (keys parsed once);
 * `sign` is called for every attempt, so a retried request carries a fresh date and signature over
 * the same body bytes. Both methods build the string to sign with the protocol's one builder, so
 * `sign(request, fixedClock(date))` signs exactly `renderTokens(tokens(request, date))`.
 */
export interface RequestSigner {
  /**
   * The protocol's token list for this request at this date. Synchronous everywhere; a body that is not
   * in memory becomes a streamed token, or a typed error where the protocol signs its digest.
   */
  tokens(request: HttpRequest, date: Date): readonly Token[]
  /** Signs one attempt. Synchronous when the body is in memory; a Promise when it must be streamed. */
  sign(request: HttpRequest, clock: Clock): SignOutput | Promise<SignOutput>
}

/** The request with a signer's output applied. */
export function applySignature(request: HttpRequest, output: SignOutput): HttpRequest {
  let signed = request
  if (output.headers) signed = withHeaders(signed, output.headers)
  if (output.query) signed = withQuery(signed, output.query)
  return signed
}
