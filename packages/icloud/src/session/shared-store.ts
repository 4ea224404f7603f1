import { type Lease, type SharedState, sharedKey, withLease } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { normalizeAppleId, type SessionState } from './state.js'
import type { SessionFleet, SessionStore } from './store.js'

/** Options of {@link createSharedSessionStore}. */
export interface SharedSessionStoreOptions {
  /** How long one grant of the account's lease lasts unless its holder renews it, in ms. Default 15 000. */
  readonly leaseTtlMs?: number
  /**
   * How long a process waits for another to finish signing in before failing with `LEASE_TIMEOUT`,
   * in ms. Default 180 000 (a sign-in may wait for a person to type a code).
   */
  readonly leaseWaitMs?: number
  /**
   * How long the saved session is kept after its last save, in ms. Default: until the last cookie of
   * the session expires (the trust cookie usually outlives the web session), or 30 days when no
   * cookie has an expiry.
   */
  readonly ttlMs?: number
}

/**
 * A {@link SessionStore} that every process of a fleet shares for one Apple ID, on a
 * `SharedState` (`createRedisSharedState` from `@sigwire/redis`, or core's in-process one). Saves are
 * compare-and-set (a process holding an older session never overwrites a newer one; it adopts the
 * newer one instead), and the client signs in or re-authenticates only while holding the account's
 * lease: one process at a time, the others wait and reuse the session it saved; a holder that dies is
 * replaced once its lease expires. Without the store (Redis down) nothing is signed in:
 * `STORE_UNAVAILABLE`.
 *
 * ```ts
 * const shared = createRedisSharedState({ url: process.env.SIGWIRE_STORE! })
 * const client = createICloudClient({ appleId, password, store: createSharedSessionStore(shared, appleId) })
 * ```
 */
export function createSharedSessionStore(
  shared: SharedState,
  appleId: string,
  options: SharedSessionStoreOptions = {},
): SessionStore {
  const id = normalizeAppleId(appleId)
  const key = sharedKey('icloud:session', id)
  const leaseName = sharedKey('icloud:account', id)
  const leaseOptions = { ttlMs: options.leaseTtlMs ?? 15_000, waitMs: options.leaseWaitMs ?? 180_000 }
  const parse = (text: string): SessionState | undefined => {
    try {
      const state = JSON.parse(text) as SessionState
      return state.version === 1 && normalizeAppleId(state.appleId) === id ? state : undefined
    } catch {
      return undefined
    }
  }
  const ttlOf = (state: SessionState) => options.ttlMs ?? sessionTtlMs(state)
  const fleet: SessionFleet = {
    async loadRevision() {
      const record = await shared.get(key)
      const state = record && parse(record.value)
      return state && record ? { state, revision: record.revision } : undefined
    },
    saveIfUnchanged(state, expected, lease?: Lease) {
      return shared.set(key, JSON.stringify(state), {
        expected,
        ttlMs: ttlOf(state),
        ...(lease ? { lease } : {}),
      })
    },
    exclusive: (task, signal) => withLease(shared, leaseName, { ...leaseOptions, signal }, task),
  }
  return {
    async load() {
      return (await fleet.loadRevision())?.state
    },
    async save(state) {
      if (normalizeAppleId(state.appleId) !== id)
        throw new ICloudError({
          code: 'INVALID_ARGUMENT',
          message: `This shared session store is for ${id}, not ${normalizeAppleId(state.appleId)}.`,
        })
      await shared.set(key, JSON.stringify(state), { expected: 'any', ttlMs: ttlOf(state) })
    },
    async clear() {
      await shared.delete(key)
    },
    fleet,
  }
}

const DEFAULT_TTL_MS = 30 * 86_400_000

/** Until the last cookie of the session expires (at least a minute), or 30 days without expiries. */
export function sessionTtlMs(state: SessionState, now = Date.now()): number {
  const cookies = (state.cookies as { cookies?: Array<{ expires?: string }> } | undefined)?.cookies ?? []
  let last = 0
  for (const cookie of cookies) {
    const at = cookie.expires && cookie.expires !== 'Infinity' ? Date.parse(cookie.expires) : Number.NaN
    if (Number.isFinite(at)) last = Math.max(last, at)
  }
  return last === 0 ? DEFAULT_TTL_MS : Math.max(60_000, last - now)
}
