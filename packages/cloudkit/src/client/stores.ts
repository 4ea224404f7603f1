import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import { cloudKitError, invalidArgument } from '../errors.js'

/**
 * Where a change feed's sync token is kept between runs (`changes.databasePages`,
 * `changes.zonePages`): the token is saved after you finished with each page, so a run that stops
 * resumes after the last page you processed.
 */
export interface SyncTokenStore {
  /** The saved token, or undefined (fetch everything). */
  load(): Promise<string | undefined>
  /** Saves (replaces) the token. */
  save(syncToken: string): Promise<void>
  /** Forgets it (the next run fetches everything again). */
  clear(): Promise<void>
}

/** A push registration: the token `tokens/create` gave and where to poll for its notifications. */
export interface PushRegistration {
  /** The APNs environment the token was created for. */
  readonly apnsEnvironment: 'development' | 'production'
  /** The token from `tokens/create`. */
  readonly apnsToken: string
  /** The URL to long-poll for the token's notifications. */
  readonly webcourierURL: string
}

/**
 * Where a push registration is kept between runs (`notifications.listen`): with it, a new run resumes
 * the same queue of notifications instead of creating a new token. It is a credential: anyone with the
 * webcourier URL reads the notifications.
 */
export interface PushRegistrationStore {
  /** The saved registration, or undefined when none was saved. */
  load(): Promise<PushRegistration | undefined>
  /** Saves the registration, replacing the one saved before. */
  save(registration: PushRegistration): Promise<void>
  /** Forgets the saved registration (when CloudKit no longer knows its token). */
  clear(): Promise<void>
}

/** A sync token store in memory, optionally holding `initial`. */
export function createMemorySyncTokenStore(initial?: string): SyncTokenStore {
  return memoryStore(initial, checkToken)
}

/** A sync token store in one file (written atomically). */
export function createFileSyncTokenStore(path: string): SyncTokenStore {
  return fileStore(path, checkToken, 0o644)
}

/** A push registration store in memory. */
export function createMemoryPushRegistrationStore(initial?: PushRegistration): PushRegistrationStore {
  return memoryStore(initial, checkRegistration)
}

/** A push registration store in one JSON file, written atomically with mode 0600 (it is a credential). */
export function createFilePushRegistrationStore(path: string): PushRegistrationStore {
  return fileStore(path, checkRegistration, 0o600)
}

function memoryStore<T>(initial: T | undefined, check: (value: unknown, where: string) => T) {
  let saved = initial === undefined ? undefined : check(initial, 'memory store')
  return {
    async load() {
      return saved
    },
    async save(value: T) {
      saved = check(value, 'memory store')
    },
    async clear() {
      saved = undefined
    },
  }
}

function fileStore<T>(path: string, check: (value: unknown, where: string) => T, mode: number) {
  return {
    async load(): Promise<T | undefined> {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return undefined
        throw invalidArgument(
          `Cannot read ${path} (${code ?? 'unknown error'}); check the path and its permissions.`,
          'store',
        )
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw invalidArgument(`${path} is not JSON; delete it to start again.`, 'store')
      }
      return check(parsed, path)
    },
    async save(value: T) {
      const checked = check(value, path)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await writeFileAtomic(path, `${JSON.stringify(checked)}\n`, { mode }).catch((error: unknown) => {
        throw cloudKitError(error)
      })
    },
    async clear() {
      await rm(path, { force: true })
    },
  }
}

function checkToken(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw invalidArgument(`The sync token in ${where} must be a non-empty string.`, 'syncToken')
  return value
}

function checkRegistration(value: unknown, where: string): PushRegistration {
  const v = value as Partial<PushRegistration> | null
  if (
    !v ||
    (v.apnsEnvironment !== 'development' && v.apnsEnvironment !== 'production') ||
    typeof v.apnsToken !== 'string' ||
    !v.apnsToken ||
    typeof v.webcourierURL !== 'string' ||
    !v.webcourierURL
  )
    throw invalidArgument(
      `The push registration in ${where} needs apnsEnvironment, apnsToken and webcourierURL.`,
      'registration',
    )
  return { apnsEnvironment: v.apnsEnvironment, apnsToken: v.apnsToken, webcourierURL: v.webcourierURL }
}
