/** Retry settings of a transport. */
export interface RetryOptions {
  /** Attempts in total, first included. Default 4. */
  maxAttempts?: number
  /** First backoff step in ms. Default 200. */
  baseDelayMs?: number
  /** Longest computed backoff in ms. Default 10 000. */
  maxDelayMs?: number
  /** A server-requested wait longer than this is not waited for: the response is returned instead. Default 60 000. */
  maxRetryAfterMs?: number
}

/** Resolved retry settings. */
export type RetrySettings = Required<RetryOptions>

/** Fills in retry defaults. */
export function retrySettings(options: RetryOptions = {}): RetrySettings {
  return {
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  }
}

/**
 * Whether a failed attempt may be repeated:
 * - `never`: do not retry;
 * - `if-safe`: retry only idempotent methods or operations the adapter marked safe to repeat;
 * - `always`: the service guarantees it did not act on the request (429, connection refused).
 */
export type RetryMode = 'never' | 'if-safe' | 'always'

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries from many
 * clients spread out but never collapse to zero. `attempt` is the attempt that just failed (1-based).
 */
export function backoffDelay(
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number {
  const step = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(step / 2 + random() * (step / 2))
}

/**
 * Parses a `Retry-After` header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) into milliseconds
 * from `nowMs`. Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const when = Date.parse(text)
  if (!Number.isFinite(when)) return undefined
  return Math.max(0, when - nowMs)
}

/** The default verdict on an HTTP status when the adapter gives none. */
export function defaultRetryMode(status: number): RetryMode {
  // RFC 6585 §4: 429 means the request was refused, not processed.
  if (status === 429) return 'always'
  if (status === 502 || status === 503 || status === 504) return 'if-safe'
  return 'never'
}
