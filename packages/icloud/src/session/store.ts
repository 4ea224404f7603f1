import { createHash } from 'node:crypto'
import { chmod, mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Lease, writeFileAtomic } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { normalizeAppleId, type SessionState } from './state.js'

/**
 * Where one account's session is kept between runs: `createFileSessionStore(path)`,
 * `createMemorySessionStore()`, or your own over a database or keychain. The client saves after
 * every change (cookies, tokens, push token) and checks that a loaded session is for its Apple ID.
 */
export interface SessionStore {
  /** The saved session, or undefined. */
  load(): Promise<SessionState | undefined>
  /** Saves (replaces) the session. */
  save(state: SessionState): Promise<void>
  /** Forgets it. */
  clear(): Promise<void>
  /**
   * Present on a store that several processes share (`createSharedSessionStore`): the client then
   * saves with compare-and-set and signs in only under the account's lease.
   */
  readonly fleet?: SessionFleet
}

/** What a shared {@link SessionStore} adds so that a fleet signs in once (see `createSharedSessionStore`). */
export interface SessionFleet {
  /** The saved session and its revision (what a compare-and-set names). */
  loadRevision(): Promise<
    | {
        /** The saved session. */
        state: SessionState
        /** Its revision in the shared store. */
        revision: number
      }
    | undefined
  >
  /**
   * Saves when the stored revision is still `expected` (`'absent'`: nothing stored); with `lease`, only
   * while it is held (`LEASE_LOST` otherwise). Resolves to the new revision, or undefined when another
   * process saved first.
   */
  saveIfUnchanged(
    state: SessionState,
    expected: number | 'absent',
    lease?: Lease,
  ): Promise<number | undefined>
  /** Runs `task` holding the account's lease: one sign-in or re-authentication at a time in the fleet. */
  exclusive<T>(task: (lease: Lease) => Promise<T>, signal?: AbortSignal): Promise<T>
}

/** A store in memory only (tests, short-lived scripts), optionally holding `initial`. */
export function createMemorySessionStore(initial?: SessionState): SessionStore {
  // Kept as JSON, so the caller's object and the saved one never share state.
  let saved = initial === undefined ? undefined : JSON.stringify(initial)
  return {
    async load() {
      return saved === undefined ? undefined : (JSON.parse(saved) as SessionState)
    },
    async save(state) {
      saved = JSON.stringify(state)
    },
    async clear() {
      saved = undefined
    },
  }
}

/**
 * A store in one JSON file, written atomically (temporary file, fsync, rename) with mode 0600 in a
 * directory created with mode 0700, so a crash mid-write leaves the previous session intact. The file
 * holds cookies and tokens, never the password. A damaged file reads as no session (the next sign-in
 * overwrites it); a file that cannot be read or written raises `SESSION_STORE_FAILED`.
 */
export function createFileSessionStore(path: string): SessionStore {
  return {
    async load() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw storeError('read', path, error)
      }
      try {
        const state = JSON.parse(text) as SessionState
        if (state.version !== 1 || typeof state.clientId !== 'string') return undefined
        return state
      } catch {
        return undefined
      }
    },
    async save(state) {
      const directory = dirname(path)
      try {
        await mkdir(directory, { recursive: true, mode: 0o700 })
        await chmod(directory, 0o700).catch(() => {})
      } catch (error) {
        throw storeError('create', directory, error)
      }
      try {
        await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
      } catch (error) {
        throw storeError('write', path, error)
      }
    },
    async clear() {
      await rm(path, { force: true })
    },
  }
}

/**
 * The file name of `appleId`'s session when several accounts share a directory: a readable prefix
 * plus a hash, so different IDs never share a file (`join(dir, sessionFileName(id))`).
 */
export function sessionFileName(appleId: string): string {
  const id = normalizeAppleId(appleId)
  const readable = id.replace(/[^a-z0-9._-]/g, '_').slice(0, 40)
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12)
  return `${readable}-${hash}.session.json`
}

function storeError(action: string, path: string, error: unknown): ICloudError {
  return new ICloudError({
    code: 'SESSION_STORE_FAILED',
    message: `Could not ${action} the session file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}). Check the directory's permissions.`,
  })
}
