import type { TokenDifference } from './diff-tokens.js'

/**
 * What every verifier returns (`verifyXRequest(request, options)` of each adapter's `./doctor`): ok, or
 * a stable reason, a message and, when the client's string-to-sign is known, the first token that
 * differs from what the verifier rebuilt.
 */
export type VerifyResult<Reason extends string = string> =
  | { readonly ok: true; readonly notes?: readonly string[] }
  | {
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
