import { createHash } from 'node:crypto'
import { type SharedState, sharedKey, withLease } from '@sigwire/core'
import { safeCreativeError } from '../errors.js'

/** What a nonce step is handed while it holds the authkey's lease (see {@link runNonceStep}). */
export interface NonceGuard {
  /**
   * Claims `nonce` for this step right before it is sent: fenced with the lease, so a process whose
   * lease expired meanwhile fails here (`LEASE_LOST`) instead of sending it; and a nonce the fleet
   * already spent is refused.
   */
  claim(nonce: string): Promise<void>
  /** Records `nonce` as spent (the registration was answered): no process of the fleet sends it again. */
  spent(nonce: string): Promise<void>
}

/**
 * The guard of a client without shared state: its own queue per authkey is all that keeps its steps
 * apart, and an `InvalidNonceKey` from another process is met by a fresh nonce (`withFreshNonce`).
 */
export const IN_PROCESS_GUARD: NonceGuard = Object.freeze({
  claim: async () => undefined,
  spent: async () => undefined,
})

/** Leases of nonce steps: long enough for `authkey.state` and a registration, renewed while they run. */
const LEASE = { ttlMs: 15_000, waitMs: 120_000 }
/** Spent nonces remembered per authkey (hashes), and for how long. */
const LEDGER_SIZE = 32
const LEDGER_TTL_MS = 86_400_000

/**
 * Runs one step that spends `authkey`'s single-use nonce (`authkey.state`, then `work.register`;
 * docs/protocols/safe-creative.md §2.5) while holding the authkey's lease in `shared`: one step at a time
 * per authkey across every client sharing it, so two never read the same nonce. With core's
 * in-process state this serializes the client's own steps; with `@sigwire/redis`, a fleet's.
 */
export function runNonceStep<T>(
  shared: SharedState,
  sharedKeyOfApp: string,
  authkey: string,
  step: (guard: NonceGuard) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const lease = sharedKey('safe-creative:nonce', sharedKeyOfApp, authkey)
  const claimKey = sharedKey('safe-creative:nonce-claim', sharedKeyOfApp, authkey)
  const ledgerKey = sharedKey('safe-creative:nonce-spent', sharedKeyOfApp, authkey)
  const hash = (nonce: string) => createHash('sha256').update(nonce).digest('base64url').slice(0, 22)
  const ledger = async () => {
    const record = await shared.get(ledgerKey)
    return { record, hashes: record ? (JSON.parse(record.value) as string[]) : [] }
  }
  return withLease(shared, lease, { ...LEASE, signal }, (held) =>
    step({
      async claim(nonce) {
        const { hashes } = await ledger()
        if (hashes.includes(hash(nonce)))
          throw safeCreativeError(
            'INVALID_NONCE_KEY',
            'authkey.state handed out a nonce this fleet already spent; call register again for a fresh one.',
          )
        await shared.set(claimKey, hash(nonce), { expected: 'any', ttlMs: LEASE.ttlMs, lease: held })
      },
      async spent(nonce) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const { record, hashes } = await ledger()
          const next = JSON.stringify([...hashes, hash(nonce)].slice(-LEDGER_SIZE))
          const written = await shared.set(ledgerKey, next, {
            expected: record?.revision ?? 'absent',
            ttlMs: LEDGER_TTL_MS,
          })
          if (written !== undefined) return
        }
      },
    }),
  )
}
