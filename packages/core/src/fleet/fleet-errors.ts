import { SigwireError } from '../errors/sigwire-error.js'

/** `LEASE_TIMEOUT`: another holder kept `name` longer than `waitMs`. */
export function leaseTimeout(name: string, waitMs: number): SigwireError {
  return new SigwireError({
    code: 'LEASE_TIMEOUT',
    message: `Another process held the lease ${name} for more than ${Math.round(waitMs / 1000)} s (a sign-in waiting for a code, or a stuck worker); try again later, or raise the wait.`,
    details: { lease: name, waitMs },
  })
}

/** `LEASE_LOST`: a write fenced with a lease that is no longer held. */
export function leaseLost(name: string): SigwireError {
  return new SigwireError({
    code: 'LEASE_LOST',
    message: `The lease ${name} expired before this process saved its work, and another process took over; nothing was written over the newer state. Raise the lease time if holders are often this slow.`,
    details: { lease: name },
  })
}

/** `ABORTED` while waiting for a lease or a gate. */
export function waitAborted(what: string): SigwireError {
  return new SigwireError({ code: 'ABORTED', message: `Waiting for ${what} was aborted by the caller.` })
}
