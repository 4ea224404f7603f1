import { seededRandom } from './seeded-random.js'

/**
 * A fault an emulator can inject:
 * - `throttle`, `unavailable`: the service's own 429 / 503 answer, the request not applied;
 * - `drop`: the connection is closed before the request is applied (nothing changed);
 * - `drop-after`: the request is applied and committed, then the connection is closed instead of
 *   answering (the client loses the answer of a write that happened);
 * - `latency`: the answer is delayed by the fault's `latencyMs`, then sent as usual.
 */
export type FaultKind = 'throttle' | 'unavailable' | 'drop' | 'drop-after' | 'latency'

/** Every fault kind, in a stable order (for counters and reports). */
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'unavailable', 'drop', 'drop-after', 'latency']

/** One fault, queued or drawn. */
export interface Fault {
  /** What happens to the request (see {@link FaultKind}). */
  readonly kind: FaultKind
  /** Seconds the service asks the client to wait (throttle and unavailable). */
  readonly retryAfterSeconds: number
  /** Delay of a `latency` fault, in ms. */
  readonly latencyMs: number
  /** Only requests whose path starts with this are affected. */
  readonly pathPrefix?: string
  /**
   * For `drop`: answer normally but close the connection after this many bytes of the response body
   * (a download that breaks mid-body). Without it the connection is closed before any answer.
   */
  readonly afterBytes?: number
}

/** Settings of one queued fault (see {@link FaultController.inject}). */
export interface FaultInjection {
  /** How many requests get the fault. Default 1. */
  times?: number
  /** Seconds the service asks the client to wait (throttle and unavailable). Default 1. */
  retryAfterSeconds?: number
  /** Only requests whose path starts with this are affected. */
  pathPrefix?: string
  /** Delay of a `latency` fault, in ms. Default 100. */
  latencyMs?: number
  /**
   * For `drop`: answer normally but close the connection after this many bytes of the response body
   * (a download that breaks mid-body). Without it the connection is closed before any answer.
   */
  afterBytes?: number
}

/**
 * Faults drawn at random: each request (whose path starts with `pathPrefix`) gets a fault with
 * probability `rate`, its kind drawn evenly from `kinds`. The draw is seeded, so a run is repeatable
 * for the same order of requests.
 */
export interface RandomFaults {
  /** Share of requests that get a fault, from 0 to 1. */
  rate: number
  /** Kinds to draw from. Default: every kind. */
  kinds?: readonly FaultKind[]
  /** Seed of the draw. Default 1. */
  seed?: number
  /** Only requests whose path starts with this are affected. */
  pathPrefix?: string
  /** Seconds a throttle or outage asks the client to wait. Default 1. */
  retryAfterSeconds?: number
  /** Delay of a `latency` fault, in ms. Default 100. */
  latencyMs?: number
}

/** Fault settings accepted by every emulator's options. */
export interface FaultOptions {
  /** Delay added before every answer, in ms. */
  latencyMs?: number
  /** Milliseconds added to the emulator's clock (a server whose clock is off). */
  clockOffsetMs?: number
  /** Faults answered to the next matching requests, in order. */
  next?: Array<
    FaultInjection & {
      /** What happens to the request. */
      kind: FaultKind
    }
  >
  /** Faults drawn at random for every request (after the queued ones are used up). */
  random?: RandomFaults
}

const DEFAULT_LATENCY_MS = 100

/**
 * Live fault controls of an emulator. Tests and the demo change them while the emulator runs:
 * `emulator.faults.inject('throttle', { times: 2, retryAfterSeconds: 1 })`, or
 * `emulator.faults.randomize({ rate: 0.1, seed: 7 })` for a share of every request.
 */
export class FaultController {
  /** Delay added before every answer, in ms. */
  latencyMs: number
  /** Milliseconds added to the emulator's clock. */
  clockOffsetMs: number
  readonly #queue: Fault[] = []
  readonly #clock: () => number
  readonly #taken = new Map<FaultKind, number>()
  #random: { settings: RandomFaults; kinds: readonly FaultKind[]; next: () => number } | undefined

  /** `clock` is the emulator's own clock (epoch ms) that `clockOffsetMs` is added to. Default `Date.now`. */
  constructor(options: FaultOptions = {}, clock: () => number = Date.now) {
    this.#clock = clock
    this.latencyMs = options.latencyMs ?? 0
    this.clockOffsetMs = options.clockOffsetMs ?? 0
    for (const f of options.next ?? []) this.inject(f.kind, f)
    this.randomize(options.random)
  }

  /** Queues `times` faults of `kind` (default 1). */
  inject(kind: FaultKind, options: FaultInjection = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) this.#queue.push(fault(kind, options))
  }

  /** Draws faults at random for every request from now on; `undefined` stops it. */
  randomize(settings: RandomFaults | undefined): void {
    if (settings === undefined) {
      this.#random = undefined
      return
    }
    if (!(settings.rate >= 0 && settings.rate <= 1))
      throw new RangeError(`The fault rate must be between 0 and 1, not ${settings.rate}.`)
    const kinds = settings.kinds && settings.kinds.length > 0 ? settings.kinds : FAULT_KINDS
    this.#random = { settings, kinds, next: seededRandom(settings.seed ?? 1) }
  }

  /** Removes every queued fault and stops random faults. */
  clear(): void {
    this.#queue.length = 0
    this.#random = undefined
  }

  /** Number of queued faults. */
  get pending(): number {
    return this.#queue.length
  }

  /** How many faults of each kind were injected so far (queued and random). */
  get injected(): Readonly<Record<FaultKind, number>> {
    const out = {} as Record<FaultKind, number>
    for (const kind of FAULT_KINDS) out[kind] = this.#taken.get(kind) ?? 0
    return out
  }

  /** Takes the next fault that applies to `path`, if any: a queued one first, else a random draw. */
  take(path: string): Fault | undefined {
    const index = this.#queue.findIndex((f) => f.pathPrefix === undefined || path.startsWith(f.pathPrefix))
    const taken = index === -1 ? this.#draw(path) : this.#queue.splice(index, 1)[0]
    if (taken) this.#taken.set(taken.kind, (this.#taken.get(taken.kind) ?? 0) + 1)
    return taken
  }

  /** The emulator's current time in epoch ms (local time plus `clockOffsetMs`). */
  now(): number {
    return this.#clock() + this.clockOffsetMs
  }

  #draw(path: string): Fault | undefined {
    const random = this.#random
    if (random === undefined) return undefined
    const { settings, kinds, next } = random
    if (settings.pathPrefix !== undefined && !path.startsWith(settings.pathPrefix)) return undefined
    if (next() >= settings.rate) return undefined
    const kind = kinds[Math.min(kinds.length - 1, Math.floor(next() * kinds.length))]!
    return fault(kind, settings)
  }
}

function fault(
  kind: FaultKind,
  options: { retryAfterSeconds?: number; pathPrefix?: string; latencyMs?: number; afterBytes?: number },
): Fault {
  return {
    kind,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    ...(options.pathPrefix === undefined ? {} : { pathPrefix: options.pathPrefix }),
    ...(kind === 'drop' && options.afterBytes !== undefined ? { afterBytes: options.afterBytes } : {}),
  }
}
