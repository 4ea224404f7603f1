import { resolve } from 'node:path'
import { createFileSessionStore, createSharedSessionStore, type SessionStore } from '@sigwire/icloud'
import type { RedisSharedState } from '@sigwire/redis'
import { STORE_KEY_VARIABLE } from '@sigwire/redis/store-key'
import { cliError } from '../output/errors.js'
import { findSavedSession, type SavedSession } from './icloud-session.js'

/** The environment variable that names the shared store when `--store` is not given. */
export const STORE_VARIABLE = 'SIGWIRE_STORE'

/** The help of `--store <url>`, the option of every command that keeps state. */
export const STORE_HELP = `keep the state in Redis, shared by every process given the same store: redis://[:password@]host:port/db, or rediss:// for TLS (default ${STORE_VARIABLE}; values encrypted with the key in ${STORE_KEY_VARIABLE})`

/**
 * The shared store named by `--store` or `SIGWIRE_STORE`, or undefined when neither is set (the
 * command then keeps its state in files, as before). A malformed URL is `INVALID_URL` and a missing or
 * malformed key `STORE_KEY_INVALID`, both before anything is sent.
 */
export async function openSharedStore(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<RedisSharedState | undefined> {
  const url = flag ?? (env[STORE_VARIABLE] || undefined)
  if (url === undefined) return undefined
  // Loaded only with a store: ioredis is a tenth of the CLI's start-up.
  const { createRedisSharedState } = await import('@sigwire/redis')
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

/** The session of `appleId` in the shared store (`--store`), which lists no accounts: `--apple-id` is needed. */
export async function findSharedSession(
  shared: RedisSharedState,
  appleId: string | undefined,
): Promise<SavedSession> {
  if (appleId === undefined)
    throw cliError(
      'MISSING_OPTION',
      'With --store, pass --apple-id: the shared store does not list its accounts.',
    )
  const state = await createSharedSessionStore(shared, appleId).load()
  if (state === undefined)
    throw cliError(
      'NO_SESSION',
      `No session for ${appleId} in ${shared.address}: run sigwire icloud login --apple-id ${appleId} --store ... first.`,
    )
  return { appleId: state.appleId, state, file: shared.address }
}

/** Where a command finds its saved iCloud session: the flags of {@link locateSavedSession}. */
export interface SessionLocation {
  /** `--apple-id`: needed with a store, else the only saved session. */
  readonly appleId?: string | undefined
  /** `--session-dir`. */
  readonly sessionDir: string
  /** `--store` (else `SIGWIRE_STORE` in `env`). */
  readonly store?: string | undefined
  /** The environment the store and its key are read from (`loadICloud` sets it on every command). */
  readonly env?: NodeJS.ProcessEnv | undefined
}

/** A saved session, the store that keeps it, and what to close when done. */
export interface LocatedSession {
  /** The session as saved. */
  readonly saved: SavedSession
  /** Its store: the shared one with `--store`, else its file. */
  readonly store: SessionStore
  /** Closes the shared store's connections (nothing for a file). */
  close(): Promise<void>
}

/**
 * The saved session of a command that continues one: in the shared store when `--store` or
 * `SIGWIRE_STORE` names one (renewals then take the account's lease, so a fleet signs in once), else
 * in `--session-dir` as before.
 */
export async function locateSavedSession(options: SessionLocation): Promise<LocatedSession> {
  const shared = await openSharedStore(options.store, options.env ?? {})
  if (shared === undefined) {
    const saved = findSavedSession(resolve(options.sessionDir), options.appleId)
    return { saved, store: createFileSessionStore(saved.file), close: async () => {} }
  }
  try {
    const saved = await findSharedSession(shared, options.appleId)
    return { saved, store: createSharedSessionStore(shared, saved.appleId), close: () => shared.close() }
  } catch (error) {
    await shared.close()
    throw error
  }
}
