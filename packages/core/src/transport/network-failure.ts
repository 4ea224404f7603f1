import { SigwireError } from '../errors/sigwire-error.js'
import type { Redactor } from '../redact/redactor.js'
import type { Call } from './call.js'
import type { RetryMode } from './retry-policy.js'

/** A failed attempt that got no response: the error to throw and whether the attempt may be repeated. */
export interface NetworkFailure {
  readonly error: SigwireError
  readonly retry: RetryMode
}

/** What {@link networkFailure} needs to know about the attempt. */
export interface FailedAttempt {
  readonly call: Call
  readonly attempt: number
  /** The request reached a connected socket (the server may have acted on it). */
  readonly sent: boolean
  /** The request may be repeated (idempotent method, or the adapter said so). */
  readonly safe: boolean
  /** How to check whether a lost write was applied (the adapter's hint). */
  readonly outcomeHint: string | undefined
  readonly redactor: Redactor
}

// Nothing reached the server when the connection was refused or never established.
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * Reads an attempt that failed without a response. A sigwire error (a changed file body, a too-large
 * response, a throwing progress listener) stands as it is. An abort is `ABORTED` (the caller's
 * signal) or `TIMEOUT`. A connection that failed before the request left may always be retried. A
 * request that left and lost its response is retried only when it is safe to repeat; otherwise it
 * is `OUTCOME_UNKNOWN`: it may have been applied, and repeating it could apply it twice.
 */
export function networkFailure(error: unknown, failed: FailedAttempt): NetworkFailure {
  const { call, attempt } = failed
  if (error instanceof SigwireError) return { error, retry: 'never' }
  if (call.signal.aborted) {
    if (!call.abortedByCaller && failed.sent && !failed.safe)
      return {
        error: outcomeUnknown(failed, `no response came within ${call.timeoutMs} ms`, {
          timeoutMs: call.timeoutMs,
        }),
        retry: 'never',
      }
    return { error: call.abortError(), retry: 'never' }
  }
  const code = (error as { code?: string }).code ?? ''
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? ''
  const errno = code || cause || undefined
  const message = failed.redactor.redactText((error as Error).message ?? String(error))
  const notSent = !failed.sent || NOT_SENT.has(code) || NOT_SENT.has(cause)
  if (!notSent && !failed.safe)
    return {
      error: outcomeUnknown(failed, `the connection failed (${message}${code ? `, ${code}` : ''})`, {
        errno,
      }),
      retry: 'never',
    }
  return {
    error: new SigwireError({
      code: 'NETWORK_ERROR',
      message: `Request to ${call.url()} failed on attempt ${attempt}: ${message}${code ? ` (${code})` : ''}. Check the network and the service URL.`,
      details: { attempt, errno },
    }),
    retry: notSent ? 'always' : 'if-safe',
  }
}

function outcomeUnknown(failed: FailedAttempt, what: string, details: Record<string, unknown>): SigwireError {
  const { call } = failed
  const hint =
    failed.outcomeHint ?? 'Read the resource again to see whether the change is there before repeating it.'
  return new SigwireError({
    code: 'OUTCOME_UNKNOWN',
    message: `The ${call.request.method} to ${call.url()} may have been applied: it was sent, then ${what}, so its answer was lost. It was not repeated, since repeating it could apply it twice. ${hint}`,
    details: { attempt: failed.attempt, ...details },
  })
}
