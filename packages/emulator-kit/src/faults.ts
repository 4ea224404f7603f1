/** A fault an emulator can inject. */
export type FaultKind = 'throttle' | 'unavailable' | 'drop'

/** One queued fault. */
export interface Fault {
  /**
   * `throttle` and `unavailable` are answered with the service's own throttling or outage reply;
   * `drop` closes the connection without an answer (the request log records status 0).
   */
  readonly kind: FaultKind
  /** Seconds the service asks the client to wait (throttle and unavailable). */
  readonly retryAfterSeconds: number
  /** Only requests whose path starts with this are affected. */
  readonly pathPrefix?: string
}

/** Fault settings accepted by every emulator's options. */
export interface FaultOptions {
  /** Delay added before every answer, in ms. */
  latencyMs?: number
  /** Milliseconds added to the emulator's clock (a server whose clock is off). */
  clockOffsetMs?: number
  /** Faults answered to the next matching requests, in order. */
  next?: Array<{
    /** The fault to answer with (see {@link Fault.kind}). */
    kind: FaultKind
    /** How many consecutive matching requests get it. Default 1. */
    times?: number
    /** Seconds the service asks the client to wait (throttle and unavailable). Default 1. */
    retryAfterSeconds?: number
    /** Only requests whose path starts with this are affected. Default: every request. */
    pathPrefix?: string
  }>
}

/**
 * Live fault controls of an emulator. Tests and the demo change them while the emulator runs:
 * `emulator.faults.inject('throttle', { times: 2, retryAfterSeconds: 1 })`.
 */
export class FaultController {
  /** Delay added before every answer, in ms. */
  latencyMs: number
  /** Milliseconds added to the emulator's clock. */
  clockOffsetMs: number
  readonly #queue: Fault[] = []
  readonly #clock: () => number

  /** `clock` is the emulator's own clock (epoch ms) that `clockOffsetMs` is added to. Default `Date.now`. */
  constructor(options: FaultOptions = {}, clock: () => number = Date.now) {
    this.#clock = clock
    this.latencyMs = options.latencyMs ?? 0
    this.clockOffsetMs = options.clockOffsetMs ?? 0
    for (const f of options.next ?? []) this.inject(f.kind, f)
  }

  /** Queues `times` faults of `kind` (default 1). */
  inject(
    kind: FaultKind,
    options: { times?: number; retryAfterSeconds?: number; pathPrefix?: string } = {},
  ): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.#queue.push({
        kind,
        retryAfterSeconds: options.retryAfterSeconds ?? 1,
        ...(options.pathPrefix === undefined ? {} : { pathPrefix: options.pathPrefix }),
      })
    }
  }

  /** Removes every queued fault. */
  clear(): void {
    this.#queue.length = 0
  }

  /** Number of queued faults. */
  get pending(): number {
    return this.#queue.length
  }

  /** Takes the next fault that applies to `path`, if any. */
  take(path: string): Fault | undefined {
    const index = this.#queue.findIndex((f) => f.pathPrefix === undefined || path.startsWith(f.pathPrefix))
    if (index === -1) return undefined
    return this.#queue.splice(index, 1)[0]
  }

  /** The emulator's current time in epoch ms (local time plus `clockOffsetMs`). */
  now(): number {
    return this.#clock() + this.clockOffsetMs
  }
}
