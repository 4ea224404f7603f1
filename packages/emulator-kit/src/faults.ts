/** A fault an emulator can inject. */
export type FaultKind = 'throttle' | 'unavailable' | 'drop'

/** One queued fault. */
export interface Fault {
  readonly kind: FaultKind
  /** Seconds the service asks the client to wait (throttle and unavailable). */
  readonly retryAfterSeconds: number
  /** Only requests whose path starts with this are affected. */
  readonly pathPrefix?: string
  /**
   * For `drop`: answer normally but close the connection after this many bytes of the response body
   * (a download that breaks mid-body). Without it the connection is closed before any answer.
   */
  readonly afterBytes?: number
}

/** Fault settings accepted by every emulator's options. */
export interface FaultOptions {
  /** Delay added before every answer, in ms. */
  latencyMs?: number
  /** Milliseconds added to the emulator's clock (a server whose clock is off). */
  clockOffsetMs?: number
  /** Faults answered to the next matching requests, in order. */
  next?: Array<{
    kind: FaultKind
    times?: number
    retryAfterSeconds?: number
    pathPrefix?: string
    afterBytes?: number
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
    options: { times?: number; retryAfterSeconds?: number; pathPrefix?: string; afterBytes?: number } = {},
  ): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.#queue.push({
        kind,
        retryAfterSeconds: options.retryAfterSeconds ?? 1,
        ...(options.pathPrefix === undefined ? {} : { pathPrefix: options.pathPrefix }),
        ...(kind === 'drop' && options.afterBytes !== undefined ? { afterBytes: options.afterBytes } : {}),
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
