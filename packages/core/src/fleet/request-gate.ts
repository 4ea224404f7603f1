/** What {@link RequestGate.admit} decided. */
export interface GateDecision {
  /** 0: send now; otherwise ask again after this many ms (a pause is in force, or no token is left). */
  readonly waitMs: number
  /**
   * True when this request is the one probe sent after a throttle: until it is answered without a
   * throttle ({@link RequestGate.recovered}), every other client waits.
   */
  readonly probe: boolean
}

/** Settings of a {@link RequestGate}. */
export interface RequestGateOptions {
  /** Requests per second every client of the gate may send together. Default: no limit (pauses only). */
  readonly ratePerSecond?: number | undefined
  /** Requests that may go at once after an idle spell (the bucket's size). Default: 1. */
  readonly burst?: number | undefined
  /** How long a probe may go unanswered before another client probes, in ms. Default 30 000. */
  readonly probeTimeoutMs?: number | undefined
}

/**
 * A gate every request of one credential passes, shared by the clients (and, through a shared store,
 * the processes) that use the credential: a token bucket limits the rate, and a throttle answer
 * (`Retry-After`, CloudKit's `retryAfter`, a 429) pauses all of them until the wait is over. After a
 * pause one probe goes first; the others follow once it was not throttled, so a throttle window is
 * answered with one 429, not one per client. The transport asks it before every attempt
 * (`TransportOptions.gate`).
 */
export interface RequestGate {
  /** Asks to send one request now. */
  admit(): Promise<GateDecision>
  /** The service asked to wait `waitMs`: every client of the gate pauses until then, then probes. */
  throttled(waitMs: number): Promise<void>
  /** The probe was answered without a throttle: the others may send again. */
  recovered(): Promise<void>
}
