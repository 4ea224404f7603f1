/**
 * @sigwire/redis: the shared state of a sigwire fleet in Redis. Many processes share one account's
 * iCloud session (compare-and-set saves, one sign-in at a time under a lease with a fencing token),
 * one user's CloudKit web auth token (rotated with compare-and-set, calls serialized per user), one
 * authkey's Safe Creative nonce step and clock offset, and a rate limit and throttle pause per
 * credential. Values are encrypted with AES-256-GCM under a key every process is given.
 *
 * @packageDocumentation
 */
export {
  createRedisSharedState,
  type RedisSharedState,
  type RedisSharedStateOptions,
} from './redis-shared-state.js'
export { parseStoreKey, STORE_KEY_VARIABLE, type StoreKey } from './store-key/index.js'
export { parseStoreUrl, type StoreAddress } from './store-url.js'
