/**
 * Where signers get the time. Injectable, so tests can pin it and clients can correct skew.
 */
export interface Clock {
  /** The current time as the service sees it (local time plus the learned offset). */
  now(): Date
  /** `now()` in epoch milliseconds, without a Date (optional; see {@link clockMs}). */
  nowMs?(): number
  /** Milliseconds added to local time. Positive when the local clock is behind the server. */
  readonly offsetMs: number
}

/** The clock's current time in epoch ms: `nowMs()` when it has one (no Date per call), else `now()`. */
export function clockMs(clock: Clock): number {
  return clock.nowMs === undefined ? clock.now().getTime() : clock.nowMs()
}

/** Options for {@link SkewClock}. */
export interface SkewClockOptions {
  /** Local time source in epoch milliseconds. Default `Date.now`. */
  source?: () => number
  /** Initial offset in milliseconds. Default 0. */
  offsetMs?: number
  /**
   * Smallest disagreement with a server `Date` header that changes the offset. HTTP dates have
   * one-second resolution, so anything below 2 s is noise. Default 2000.
   */
  thresholdMs?: number
}

/**
 * A clock that learns how far the local clock is from the server's, from `Date` response headers
 * (one-second resolution) or from a protocol's own precise time (Safe Creative's `ztime`).
 */
export class SkewClock implements Clock {
  readonly #source: () => number
  readonly #thresholdMs: number
  #offsetMs: number
  // A server's Date header changes once a second; parsing it for every response would be waste.
  #lastHeader: string | undefined
  #lastServerMs = Number.NaN

  constructor(options: SkewClockOptions = {}) {
    this.#source = options.source ?? Date.now
    this.#offsetMs = options.offsetMs ?? 0
    this.#thresholdMs = options.thresholdMs ?? 2000
  }

  /** The corrected current time. */
  now(): Date {
    return new Date(this.#source() + this.#offsetMs)
  }

  /** The corrected current time in epoch milliseconds. */
  nowMs(): number {
    return this.#source() + this.#offsetMs
  }

  /** The learned offset in milliseconds. */
  get offsetMs(): number {
    return this.#offsetMs
  }

  /** Sets the offset outright (from a precise server time). */
  setOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs
  }

  /** Learns the offset from a precise server time in epoch ms, observed at local time `localMs`. */
  syncTo(serverMs: number, localMs: number = this.#source()): void {
    this.#offsetMs = serverMs - localMs
  }

  /**
   * Compares an HTTP `Date` header with local time and adopts the difference when it exceeds the
   * threshold. Returns the measured offset in ms (undefined when the header is missing or invalid).
   */
  observeServerDate(dateHeader: string | undefined, localMs: number = this.#source()): number | undefined {
    if (!dateHeader) return undefined
    if (dateHeader !== this.#lastHeader) {
      this.#lastHeader = dateHeader
      this.#lastServerMs = Date.parse(dateHeader)
    }
    const serverMs = this.#lastServerMs
    if (!Number.isFinite(serverMs)) return undefined
    // The header truncates to the second, so the server's time lies within [serverMs, serverMs + 1000).
    const measured = serverMs + 500 - localMs
    if (Math.abs(measured - this.#offsetMs) >= this.#thresholdMs) this.#offsetMs = measured
    return measured
  }
}

/** A clock frozen at `date` (tests, vectors, `--date` flags). */
export function fixedClock(date: Date | string | number): Clock {
  const ms = new Date(date).getTime()
  return { now: () => new Date(ms), nowMs: () => ms, offsetMs: 0 }
}

/** The system clock with no offset. */
export const systemClock: Clock = { now: () => new Date(), nowMs: Date.now, offsetMs: 0 }
