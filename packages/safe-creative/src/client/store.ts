import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import { AUTH_LEVELS, type AuthLevel } from '../constants.js'
import { safeCreativeError, toSafeCreativeError } from '../errors.js'

/** A user's authorization as the application keeps it. The private key is shown once: keep it safe. */
export interface StoredAuthorization {
  /** The authkey `authkey.create` returned, sent as the `authkey` parameter of the user's calls (§3). */
  readonly authkey: string
  /** The authkey's private key: it signs the user's calls (§2.3) and Safe Creative never shows it again. */
  readonly privateKey: string
  /** The level the user granted, once known. */
  readonly level?: AuthLevel
  /** The user's code, once known. */
  readonly userCode?: string
  /** True once the user approved the authkey. */
  readonly authorized?: boolean
}

/**
 * Where the application keeps a user's authorization: `createFileAuthorizationStore(path)`,
 * `createMemoryAuthorizationStore()`, or your own over a database or keychain.
 */
export interface AuthorizationStore {
  /** The saved authorization, or undefined. */
  load(): Promise<StoredAuthorization | undefined>
  /** Saves (replaces) the authorization. */
  save(authorization: StoredAuthorization): Promise<void>
  /** Forgets it. */
  clear(): Promise<void>
}

/** An in-memory store (tests, short-lived processes), optionally holding `initial`. */
export function createMemoryAuthorizationStore(initial?: StoredAuthorization): AuthorizationStore {
  let saved = initial
  return {
    async load() {
      return saved
    },
    async save(authorization) {
      saved = checkStored(authorization, 'memory store')
    },
    async clear() {
      saved = undefined
    },
  }
}

/**
 * A store in one JSON file, written atomically (temporary file, fsync, rename) with mode 0600, since
 * it holds the authkey's private key. A corrupt file raises `INVALID_ARGUMENT` naming the path.
 */
export function createFileAuthorizationStore(path: string): AuthorizationStore {
  return {
    async load() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw safeCreativeError(
          'INVALID_ARGUMENT',
          `The authorization file ${path} is not JSON; delete it to authorize again.`,
        )
      }
      return checkStored(parsed, path)
    },
    async save(authorization) {
      const checked = checkStored(authorization, path)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 }).catch(
        (error: unknown) => {
          throw toSafeCreativeError(error)
        },
      )
    },
    async clear() {
      const { rm } = await import('node:fs/promises')
      await rm(path, { force: true })
    },
  }
}

function checkStored(value: unknown, where: string): StoredAuthorization {
  const v = value as Partial<StoredAuthorization> | null
  if (!v || typeof v.authkey !== 'string' || !v.authkey || typeof v.privateKey !== 'string' || !v.privateKey)
    throw safeCreativeError(
      'INVALID_ARGUMENT',
      `The authorization in ${where} needs a non-empty authkey and privateKey.`,
    )
  if (v.level !== undefined && !AUTH_LEVELS.includes(v.level))
    throw safeCreativeError('INVALID_ARGUMENT', `The level in ${where} must be GET, ADD or MANAGE.`)
  return {
    authkey: v.authkey,
    privateKey: v.privateKey,
    ...(v.level ? { level: v.level } : {}),
    ...(typeof v.userCode === 'string' ? { userCode: v.userCode } : {}),
    ...(typeof v.authorized === 'boolean' ? { authorized: v.authorized } : {}),
  }
}
