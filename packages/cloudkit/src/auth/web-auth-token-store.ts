import { type SharedState, sharedKey, withLease } from '@sigwire/core'

/**
 * Where a user's web auth token is kept between calls, processes and runs:
 * `createMemoryWebAuthTokenStore()`, `createSharedWebAuthTokenStore(shared, ...)` for a fleet, or your
 * own. The client loads the token before its first user call (when it was given none) and saves every
 * rotated one.
 */
export interface WebAuthTokenStore {
  /** The saved token, or undefined. */
  load(): Promise<string | undefined>
  /** Saves (replaces) the token, e.g. after the user signed in again. */
  save(token: string): Promise<void>
  /** Forgets it. */
  clear(): Promise<void>
  /**
   * Present on a store that several processes share: the client then runs each call of the user
   * during its turn, with the latest token, so a token is never sent twice (docs/protocols/cloudkit.md §3).
   */
  readonly fleet?: WebAuthTokenFleet
}

/** What a shared {@link WebAuthTokenStore} adds: one user call at a time across the fleet. */
export interface WebAuthTokenFleet {
  /**
   * Runs `task` holding the user's lease. `task` gets the latest stored token (`null` when the last
   * holder forgot it: its answer was lost or CloudKit refused it; undefined when none was ever
   * stored) and calls `keep` with the token to store after it (its successor or a renewed one, or
   * `null` to forget it); the store writes it with compare-and-set once `task` settled, and only
   * when it changed, so a token saved meanwhile by `save` (a new sign-in) is not overwritten.
   */
  turn<T>(
    task: (latest: string | null | undefined, keep: (token: string | null) => void) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>
}

/** A store in memory (tests, one process), optionally holding `initial`. */
export function createMemoryWebAuthTokenStore(initial?: string): WebAuthTokenStore {
  let saved = initial
  return {
    async load() {
      return saved
    },
    async save(token) {
      saved = token
    },
    async clear() {
      saved = undefined
    },
  }
}

/** Options of {@link createSharedWebAuthTokenStore}. */
export interface SharedWebAuthTokenStoreOptions {
  /** The container, e.g. `iCloud.com.example.app`. */
  readonly container: string
  /** `development` or `production`. */
  readonly environment: string
  /** Who the token belongs to (a user record name, or your own user id): one token and one lease per user. */
  readonly user: string
  /**
   * How long the token is kept after its last rotation, in ms. Default 14 days (a token lives 30
   * minutes, or two weeks with "Keep me signed in"; docs/protocols/cloudkit.md §3).
   */
  readonly ttlMs?: number
  /** How long one grant of the user's lease lasts unless renewed, in ms. Default 15 000. */
  readonly leaseTtlMs?: number
  /** How long a call waits for the user's turn before `LEASE_TIMEOUT`, in ms. Default 120 000. */
  readonly leaseWaitMs?: number
}

/**
 * A {@link WebAuthTokenStore} that every process of a fleet shares for one user, on a `SharedState`
 * (`createRedisSharedState` from `@sigwire/redis`): the latest token, rotated with compare-and-set,
 * and the user's calls serialized across processes (a token serves one round trip, so two processes
 * must never send the same one).
 */
export function createSharedWebAuthTokenStore(
  shared: SharedState,
  options: SharedWebAuthTokenStoreOptions,
): WebAuthTokenStore {
  const ids = [options.container, options.environment, options.user] as const
  const key = sharedKey('cloudkit:token', ...ids)
  const lease = sharedKey('cloudkit:user', ...ids)
  const ttlMs = options.ttlMs ?? 14 * 86_400_000
  const leaseOptions = { ttlMs: options.leaseTtlMs ?? 15_000, waitMs: options.leaseWaitMs ?? 120_000 }
  return {
    async load() {
      return (await shared.get(key))?.value || undefined
    },
    async save(token) {
      await shared.set(key, token, { expected: 'any', ttlMs })
    },
    async clear() {
      // Kept as '' rather than deleted: a process given its own token at start uses that one only
      // while the store never held any.
      await shared.set(key, '', { expected: 'any', ttlMs })
    },
    fleet: {
      turn: (task, signal) =>
        withLease(shared, lease, { ...leaseOptions, signal }, async (held) => {
          const record = await shared.get(key)
          // A forgotten token is stored as '' (so forgetting is a compare-and-set write too).
          const latest = record === undefined ? undefined : record.value || null
          let next: string | null | undefined
          try {
            return await task(latest, (token) => {
              next = token
            })
          } finally {
            if (next !== undefined && next !== (latest ?? null))
              await shared.set(key, next ?? '', {
                expected: record?.revision ?? 'absent',
                ttlMs,
                lease: held,
              })
          }
        }),
    },
  }
}
