import { isSafeCreativeError } from '../errors.js'

/** Attempts of a nonce step before `INVALID_NONCE_KEY` is given up (the first included). */
export const NONCE_ATTEMPTS = 3

/**
 * Runs a step that spends a single-use `noncekey` (docs/protocols/safe-creative.md §2.5): `fetchNonce`
 * asks `authkey.state` for the authkey's current one and `send` spends it. The nonce belongs to the
 * authkey and changes only when spent, so two steps of the same authkey in flight together would get
 * the same nonce: the client runs them one at a time per authkey. Another process using the same
 * authkey can still spend it first; Safe Creative then answers `InvalidNonceKey` without acting on the
 * request, so the step is repeated with a fresh nonce, up to {@link NONCE_ATTEMPTS} times.
 */
export async function withFreshNonce<T>(
  fetchNonce: () => Promise<string>,
  send: (nonce: string) => Promise<T>,
  attempts = NONCE_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const nonce = await fetchNonce()
    try {
      return await send(nonce)
    } catch (error) {
      if (!isSafeCreativeError(error, 'INVALID_NONCE_KEY') || attempt >= attempts) throw error
    }
  }
}
