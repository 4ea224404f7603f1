import type { TokenDifference } from './diff-tokens.js'

/**
 * What every verifier returns (`verifyXRequest(request, options)` of each adapter's `./doctor`): ok, or
 * a stable reason, a message and, when the client's string-to-sign is known, the first token that
 * differs from what the verifier rebuilt.
 */
export type VerifyResult<Reason extends string = string> =
  | {
      /** The request would be accepted: the verifier rebuilt the same signature. */
      readonly ok: true
      /**
       * Things the service tolerates but a careful client would not send (an empty body hash on a bodyless
       * CloudKit request, an offset date instead of `Z` on Apple News, a public Safe Creative component);
       * absent when there is nothing to say.
       */
      readonly notes?: readonly string[]
    }
  | {
      /** The service would refuse the request; `reason` says why. */
      readonly ok: false
      /** Stable reason code (protocol-specific, e.g. `WRONG_SIGNATURE`, `DATE_NOT_RECENT`). */
      readonly reason: Reason
      /** What is wrong, in words, without secrets. */
      readonly message: string
      /** The first token that differs from what the verifier rebuilt, when the client's tokens are known. */
      readonly failedToken?: TokenDifference
      /** The label of the token the failure is about (`date`, `body-hash`, `request-target`, ...). */
      readonly token?: string
    }
