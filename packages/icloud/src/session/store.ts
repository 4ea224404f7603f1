import { createHash } from 'node:crypto'
import { chmod, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { normalizeAppleId, type SessionState } from './state.js'

/** Where sessions are kept between runs. */
export interface SessionStore {
  /** The saved state of `appleId`, or undefined. */
  load(appleId: string): Promise<SessionState | undefined>
  /** Saves `state` (replacing the previous one for the same Apple ID). */
  save(state: SessionState): Promise<void>
  /** Forgets the state of `appleId`. */
  delete(appleId: string): Promise<void>
}

/** Keeps sessions in memory only (tests, short-lived scripts). */
export class MemorySessionStore implements SessionStore {
  readonly #states = new Map<string, string>()

  async load(appleId: string): Promise<SessionState | undefined> {
    const text = this.#states.get(normalizeAppleId(appleId))
    return text === undefined ? undefined : (JSON.parse(text) as SessionState)
  }

  async save(state: SessionState): Promise<void> {
    this.#states.set(normalizeAppleId(state.appleId), JSON.stringify(state))
  }

  async delete(appleId: string): Promise<void> {
    this.#states.delete(normalizeAppleId(appleId))
  }
}

/**
 * One JSON file per account in a directory (mode 0700), each written atomically (temporary file,
 * fsync, rename) with mode 0600, so a crash mid-write leaves the previous session intact. The file
 * holds cookies and tokens, never the password.
 */
export class FileSessionStore implements SessionStore {
  /** The directory holding the files. */
  readonly directory: string

  constructor(directory: string) {
    this.directory = directory
  }

  /** The file of `appleId`: a readable prefix plus a hash, so different IDs never share a file. */
  pathFor(appleId: string): string {
    const id = normalizeAppleId(appleId)
    const readable = id.replace(/[^a-z0-9._-]/g, '_').slice(0, 40)
    const hash = createHash('sha256').update(id).digest('hex').slice(0, 12)
    return join(this.directory, `${readable}-${hash}.session.json`)
  }

  async load(appleId: string): Promise<SessionState | undefined> {
    let text: string
    try {
      text = await readFile(this.pathFor(appleId), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw storeError('read', this.pathFor(appleId), error)
    }
    try {
      const state = JSON.parse(text) as SessionState
      if (state.version !== 1 || typeof state.clientId !== 'string') return undefined
      return state
    } catch {
      // A damaged file is treated as no session: the next sign-in overwrites it.
      return undefined
    }
  }

  async save(state: SessionState): Promise<void> {
    try {
      await mkdir(this.directory, { recursive: true, mode: 0o700 })
      await chmod(this.directory, 0o700).catch(() => {})
    } catch (error) {
      throw storeError('create', this.directory, error)
    }
    try {
      await writeFileAtomic(this.pathFor(state.appleId), `${JSON.stringify(state, null, 2)}\n`, {
        mode: 0o600,
      })
    } catch (error) {
      throw storeError('write', this.pathFor(state.appleId), error)
    }
  }

  async delete(appleId: string): Promise<void> {
    await rm(this.pathFor(appleId), { force: true })
  }
}

function storeError(action: string, path: string, error: unknown): ICloudError {
  return new ICloudError({
    code: 'SESSION_STORE_FAILED',
    message: `Could not ${action} the session file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}). Check the directory's permissions.`,
  })
}
