import { randomBytes } from 'node:crypto'
import type { DurableStore, Table, Transaction } from '@sigwire/emulator-kit'
import type { ICloudSignInEvidence } from '../doctor/diagnose.js'
import type { ICloudAccounts } from './accounts.js'
import type { DriveEmulator } from './drive/drive-emulator.js'
import type { Conversation, EmulatedAccount, SessionTokenRecord, WebSession } from './state.js'

/** Resolved settings every route reads. */
export interface ICloudSettings {
  /** `2026`: verify/trust calls must carry the iCloud Origin and no FD client info or auth attributes. */
  headerProfile: '2026' | 'lenient'
  /** Enables the plaintext legacy `/login` and `/appleauth/auth/signin`. */
  legacyAuth: boolean
  /** Status of a successful code validation: 204 (default), 200, or 409 with a session token (2026 quirk). */
  codeAnswer: 204 | 200 | 409
  /** Lifetime of the `X-APPLE-WEBAUTH-TOKEN` session, ms. */
  sessionLifetimeMs: number
  /** Lifetime of idmsa session tokens, ms. */
  sessionTokenLifetimeMs: number
  /** Lifetime of trust tokens, ms. */
  trustLifetimeMs: number
  /** How long a webcourier long poll is held open without notifications, ms. */
  longPollHoldMs: number
  /** Draw b until B has a leading zero byte (tests the 255-byte encodings). */
  forceLeadingZeroB: boolean
  /** Replaces `webservices` URLs in account documents (tests of a tampered document). */
  tamperWebservices: Record<string, string>
}

/** The emulator's tables (Maps: any key a client sends is safe). */
export interface ICloudData {
  readonly accounts: Table<EmulatedAccount>
  readonly conversations: Table<Conversation>
  readonly sessionTokens: Table<SessionTokenRecord>
  readonly trustTokens: Table<{ appleId: string; expiresAt: number }>
  readonly webSessions: Table<WebSession>
  readonly pushTokens: Table<{ appleId: string; topics: string[] }>
  readonly proofVariants: Table<string[]>
  readonly lastCodes: Table<string>
  readonly meta: Table<unknown>
}

/** The tables of `store` as {@link ICloudData}. */
export function iCloudData(store: DurableStore): ICloudData {
  return {
    accounts: store.table('accounts'),
    conversations: store.table('conversations'),
    sessionTokens: store.table('sessionTokens'),
    trustTokens: store.table('trustTokens'),
    webSessions: store.table('webSessions'),
    pushTokens: store.table('pushTokens'),
    proofVariants: store.table('proofVariants'),
    lastCodes: store.table('lastCodes'),
    meta: store.table('meta'),
  }
}

/** What the routes share; `tx` is the current request's transaction. */
export interface ICloudContext {
  readonly data: ICloudData
  readonly tx: Transaction
  readonly accounts: ICloudAccounts
  /** iCloud Drive: items, bytes, quota, PCS. */
  readonly drive: DriveEmulator
  readonly settings: ICloudSettings
  readonly now: () => number
  /** The server's own origin (`http://127.0.0.1:port`). */
  origin: string
  readonly secure: boolean
  /** Requests that reached the telemetry tripwire. */
  readonly tripwire: Array<{ method: string; path: string; host: string | undefined }>
  /** The last requests (method, path, header names, whether a cookie was sent). */
  readonly requests: Array<RequestRecord>
  /** Pending webcourier polls per Apple ID. */
  readonly waiters: Map<string, Set<(notifications: unknown[]) => void>>
  /** The last `signin/complete` per Apple ID, as doctor evidence (memory only: it holds b). */
  readonly evidence: Map<string, ICloudSignInEvidence>
  /** Queued notifications per Apple ID. */
  readonly queued: Map<string, unknown[]>
}

/** One request as logged by the emulator (no values of credential headers). */
export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly headerNames: readonly string[]
  readonly origin: string | undefined
  readonly cookie: boolean
}

/** A random token of `bytes` bytes, base64url. */
export function token(bytes = 24): string {
  return randomBytes(bytes).toString('base64url')
}
