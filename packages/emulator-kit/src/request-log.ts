import type { Finding } from '@sigwire/core/doctor'

/**
 * How a request ended: `accepted` (2xx/3xx), `refused` (authentication refused; the doctor ran),
 * `failed` (any other error answer), `fault` (an injected throttle, outage or dropped connection),
 * `error` (the emulator failed: a bug, or its state could not be written).
 */
export type RequestVerdict = 'accepted' | 'refused' | 'failed' | 'fault' | 'error'

/** One request in the log. Holds no secret: the target is redacted and no header value is kept. */
export interface RequestLogEntry {
  /** Increasing from 1; `GET /_emulator/requests?after=<id>` lists the later ones. */
  readonly id: number
  /** ISO 8601 time the request arrived (emulator clock). */
  readonly at: string
  /** HTTP method as received. */
  readonly method: string
  /** The request-target with token and signature values masked. */
  readonly target: string
  /** The route's label (`POST /database/1/:container/...`), when one matched. */
  readonly route?: string
  /** HTTP status answered; 0 when an injected `drop` fault closed the connection. */
  readonly status: number
  /** How the request ended (see {@link RequestVerdict}). */
  readonly verdict: RequestVerdict
  /** The service's error code. */
  readonly code?: string
  /** The verifier's or the policy's reason (`SIGNATURE_MISMATCH`, `UNKNOWN_KEY_ID`, ...). */
  readonly reason?: string
  /** What went wrong, in words (the error's explanation, or `Injected <kind> fault.`); absent if accepted. */
  readonly message?: string
  /** The token the verifier named. */
  readonly token?: string
  /** The doctor's findings for a refused request, or the deviations of one accepted leniently. */
  readonly findings?: readonly Finding[]
  /** The service doctor's full diagnosis (its own type). */
  readonly diagnosis?: unknown
  /** Body bytes the emulator read (a refused request's body is not read past a small sample). */
  readonly bodyBytes: number
  /** Names of the request's headers, lower case, as received. */
  readonly headerNames: readonly string[]
  /** Milliseconds from arrival to the reply. */
  readonly durationMs: number
}

/** A listener of the request log (a UI, `/_emulator/stats` counters). */
export type RequestLogListener = (entry: RequestLogEntry) => void

/** The last `capacity` requests of an emulator, with listeners called for every new one. */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = []
  readonly #listeners = new Set<RequestLogListener>()
  readonly #capacity: number
  #next = 1

  constructor(capacity = 1000) {
    this.#capacity = capacity
  }

  /** Adds an entry (the id is assigned here) and tells the listeners. */
  add(entry: Omit<RequestLogEntry, 'id'>): RequestLogEntry {
    const full: RequestLogEntry = { id: this.#next++, ...entry }
    this.#entries.push(full)
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity)
    for (const listener of this.#listeners) {
      try {
        listener(full)
      } catch {
        // A failing listener must not fail the request it observes.
      }
    }
    return full
  }

  /** The entries kept, oldest first; with `after`, only those with a larger id. */
  entries(after = 0): readonly RequestLogEntry[] {
    return after > 0 ? this.#entries.filter((e) => e.id > after) : [...this.#entries]
  }

  /** Calls `listener` for every later entry; returns a function that stops it. */
  subscribe(listener: RequestLogListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
