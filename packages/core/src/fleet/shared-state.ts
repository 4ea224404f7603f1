import type { RequestGate, RequestGateOptions } from './request-gate.js'

/** A record of a {@link SharedState}: its value and the revision a compare-and-set names. */
export interface SharedRecord {
  /** The value as written (a store may encrypt it at rest; this is the plain text). */
  readonly value: string
  /** Increases with every write of the record. */
  readonly revision: number
}

/** How {@link SharedState.set} writes. */
export interface SharedSetOptions {
  /**
   * The revision the record must still have for the write to happen (compare-and-set): a number,
   * `'absent'` (the record must not exist) or `'any'` (write whatever is there).
   */
  readonly expected: number | 'absent' | 'any'
  /** Forget the record this many ms after the write. Default: keep it. */
  readonly ttlMs?: number
  /**
   * Write only while this lease is still held by its holder with this fencing token: a holder whose
   * lease expired (and was taken by another process) cannot overwrite what its successor wrote.
   */
  readonly lease?: Lease
}

/**
 * A lease on a name (a lock with an expiry and a fencing token): one holder at a time across every
 * process sharing the store. A holder that dies is replaced once the lease expires.
 */
export interface Lease {
  /** The name the lease is held on. */
  readonly name: string
  /** The fencing token: larger for every later grant, so writes fenced with an older one are refused. */
  readonly token: number
  /** Extends the lease by its time to live; false when it was lost (expired and taken, or forgotten). */
  renew(): Promise<boolean>
  /** Gives the lease up (nothing happens when it was already lost). */
  release(): Promise<void>
}

/** How {@link SharedState.acquire} waits for a lease. */
export interface LeaseOptions {
  /** How long a grant lasts unless renewed, in ms. */
  readonly ttlMs: number
  /** How long to wait for another holder before failing with `LEASE_TIMEOUT`, in ms. */
  readonly waitMs: number
  /** Stops waiting (`ABORTED`). */
  readonly signal?: AbortSignal | undefined
}

/**
 * State that several clients share: versioned records written with compare-and-set, leases, and
 * request gates (a rate limit and a common pause per credential). `createMemorySharedState()` keeps
 * it in this process (the default of every client); `@sigwire/redis` keeps it in Redis, so a fleet
 * of processes shares sessions, tokens, nonces and throttles. A store that cannot be reached fails
 * with `STORE_UNAVAILABLE`: callers fail closed (no sign-in, no nonce spent without it).
 */
export interface SharedState {
  /** The record under `key`, or undefined. */
  get(key: string): Promise<SharedRecord | undefined>
  /**
   * Writes `value` under `key` when the record's revision is still `options.expected`. Resolves to
   * the new revision, or undefined when another writer got there first. Throws `LEASE_LOST` when
   * `options.lease` is no longer held.
   */
  set(key: string, value: string, options: SharedSetOptions): Promise<number | undefined>
  /** Forgets the record under `key`. */
  delete(key: string): Promise<void>
  /** Waits for the lease on `name` and returns it (`LEASE_TIMEOUT` after `options.waitMs`). */
  acquire(name: string, options: LeaseOptions): Promise<Lease>
  /** The request gate named `name` (one per credential), shared by every client that names it. */
  gate(name: string, options?: RequestGateOptions): RequestGate
}
