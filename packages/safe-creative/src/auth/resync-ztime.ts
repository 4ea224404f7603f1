import type { CallOptions } from '@sigwire/core'
import { isSafeCreativeError } from '../errors.js'

/** What the hook needs of the client: a resync of its clock from `component=ztime`. */
export interface ZtimeSync {
  syncClock(options?: CallOptions): Promise<number>
}

/**
 * Safe Creative's authentication hook (the shape of octokit's auth hooks): an `InvalidTime` answer
 * means the signed `ztime` was more than 5 s from the server's clock (docs/protocols/safe-creative.md
 * §2.2), so the clock is resynced from `component=ztime` and `run` is repeated once, whole: a step
 * that fetches a single-use nonce first fetches a fresh one. Safe Creative did not act on the
 * rejected request, so repeating it is safe even for a registration.
 */
export async function resyncOnInvalidTime<T>(
  client: ZtimeSync,
  run: () => Promise<T>,
  options: CallOptions,
): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (!isSafeCreativeError(error, 'AUTHENTICATION_FAILED') || error.serviceCode !== 'InvalidTime')
      throw error
    await client.syncClock(options)
    return run()
  }
}
