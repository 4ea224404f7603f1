/** The options every client call takes last (one shape for every sigwire client). */
export interface CallOptions {
  /** Cancels the call, retries and waits included (`ABORTED`). */
  signal?: AbortSignal | undefined
  /** Time limit for this call in ms, retries and waits included (`TIMEOUT`). Default: the transport's. */
  timeoutMs?: number | undefined
}

/**
 * The signal of one call of a client created with a `signal` of its own: either one aborting aborts
 * the call. Returns the one that is set when only one is (no new signal per call in the common case).
 */
export function callSignal(
  clientSignal: AbortSignal | undefined,
  signal: AbortSignal | undefined,
): AbortSignal | undefined {
  if (clientSignal === undefined) return signal
  if (signal === undefined || signal === clientSignal) return clientSignal
  return AbortSignal.any([clientSignal, signal])
}
