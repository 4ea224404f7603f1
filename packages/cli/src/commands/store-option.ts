import { createSharedSessionStore, type SessionStore } from '@sigwire/icloud'
import { createRedisSharedState, type RedisSharedState, STORE_KEY_VARIABLE } from '@sigwire/redis'

/** The environment variable that names the shared store when `--store` is not given. */
export const STORE_VARIABLE = 'SIGWIRE_STORE'

/** The help of `--store <url>`, the option of every command that keeps state. */
export const STORE_HELP = `keep the state in Redis, shared by every process given the same store: redis://[:password@]host:port/db, or rediss:// for TLS (default ${STORE_VARIABLE}; values encrypted with the key in ${STORE_KEY_VARIABLE})`

/**
 * The shared store named by `--store` or `SIGWIRE_STORE`, or undefined when neither is set (the
 * command then keeps its state in files, as before). A malformed URL is `INVALID_URL` and a missing or
 * malformed key `STORE_KEY_INVALID`, both before anything is sent.
 */
export function openSharedStore(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): RedisSharedState | undefined {
  const url = flag ?? (env[STORE_VARIABLE] || undefined)
  if (url === undefined) return undefined
  return createRedisSharedState({ url, key: env[STORE_KEY_VARIABLE] ?? '' })
}

/** The session store of `appleId`: in the shared store when there is one, else `fileStore()`. */
export function sessionStoreOf(
  shared: RedisSharedState | undefined,
  appleId: string,
  fileStore: () => SessionStore,
): SessionStore {
  return shared === undefined ? fileStore() : createSharedSessionStore(shared, appleId)
}
