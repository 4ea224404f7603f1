import type { Lease, LeaseOptions, SharedState } from './shared-state.js'

/**
 * Runs `task` while holding the lease on `name`: waits for it, renews it every third of its time to
 * live while `task` runs, and releases it after, whether `task` succeeded or threw. A renewal that
 * finds the lease lost stops renewing; the task's fenced writes then fail with `LEASE_LOST`. A
 * release that cannot reach the store is left to the lease's expiry.
 */
export async function withLease<T>(
  state: SharedState,
  name: string,
  options: LeaseOptions,
  task: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = await state.acquire(name, options)
  let renewing = true
  const timer = setInterval(
    () => {
      lease.renew().then(
        (held) => {
          if (!held) renewing = false
        },
        () => {
          // The store is unreachable for now: the next tick tries again; the lease may expire meanwhile.
        },
      )
      if (!renewing) clearInterval(timer)
    },
    Math.max(50, Math.floor(options.ttlMs / 3)),
  )
  timer.unref()
  try {
    return await task(lease)
  } finally {
    clearInterval(timer)
    await lease.release().catch(() => undefined)
  }
}
