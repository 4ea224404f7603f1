import type { TokenDifference } from '../tokens/diff-tokens.js'

/** The outcome of verifying a received request against the credentials that should have signed it. */
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

/** One diagnosis of `sigwire doctor`. */
export interface Finding {
  /** Stable code, e.g. `hash-hex-not-base64`. */
  readonly code: string
  /** What is wrong with the request. */
  readonly message: string
  /** What to change in the client. */
  readonly fix: string
  /** `error` makes the request fail; `note` is accepted by the service but worth knowing. */
  readonly severity: 'error' | 'note'
}

/** The doctor's report for one request. */
export interface Diagnosis {
  /** True when the request would be accepted (notes may still be present). */
  readonly ok: boolean
  /** Findings, most important first. */
  readonly findings: readonly Finding[]
}
