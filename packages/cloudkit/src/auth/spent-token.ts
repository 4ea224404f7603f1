import { isSigwireError } from '@sigwire/core'

/**
 * True when a user call failed after its request may have reached CloudKit without an answer coming
 * back (a timeout, a reset, an abort in flight): the web auth token it carried may have been used and
 * its successor lost with the answer, so the token must not be sent again (docs/protocols/cloudkit.md
 * §3: a token serves one round trip). An error with a status was answered.
 */
export function mayHaveUsedToken(error: unknown): boolean {
  if (!isSigwireError(error) || error.status !== undefined) return false
  return ['TIMEOUT', 'NETWORK_ERROR', 'OUTCOME_UNKNOWN', 'ABORTED'].includes(error.code)
}
