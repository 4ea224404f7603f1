import { randomBytes } from 'node:crypto'
import type { DurableStore, Table, Transaction } from '@sigwire/emulator-kit'
import type { ICloudSignInEvidence } from '../doctor/diagnose.js'
import type { ICloudAccounts } from './accounts.js'
import type { BridgeDevices } from './bridge/device.js'
import type { CalendarState } from './calendar-writes/state.js'
import type { ContactsState } from './contacts-writes/state.js'
import type { DriveEmulator } from './drive/drive-emulator.js'
import type { FindMyState } from './findmy/handler.js'
import type { HmeState } from './hme/handler.js'
import type { RemindersState } from './reminders/handler.js'
import type {
  Conversation,
  EmulatedAccount,
  PcsCookie,
  PcsState,
  SessionTokenRecord,
  WebSession,
} from './state.js'

/** Resolved settings every route reads. */
export interface ICloudSettings {
  /**
   * `default` accepts what real clients send where Apple's behaviour is uncertain, and names each
   * deviation as a doctor finding in the request log; `strict` refuses those requests (an earlier
   * `scnt`, a missing or other session id, FD client info or auth attributes on the two-factor calls,
   * the old `PUT verify/trusteddevice`). docs/protocols/icloud.md §12.
   */
  profile: 'default' | 'strict'
  /**
   * `2026`: verify and trust calls need the iCloud web Origin (iOS 26.4 and later; the `strict`
   * profile also refuses FD client info and auth attributes there); `lenient`: accounts as Apple served
   * them before, any Origin.
   */
  headerProfile: '2026' | 'lenient'
  /** Enables the plaintext legacy `/login` and `/appleauth/auth/signin`. */
  legacyAuth: boolean
  /**
   * Status of a right code: `apple` (default) answers 204 for device codes and 200 for phone codes;
   * a number answers that status for both, 409 with a session token (the 2026 quirk).
   */
  codeAnswer: 'apple' | 204 | 200 | 409
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
  /**
   * A domain the client reaches the emulator under (map `idmsa.<hostName>` and `setup.<hostName>` to
   * loopback): cookies get `Domain=<hostName>` and the URLs the emulator hands out use
   * `setup.<hostName>`. Without it cookies get the request's host as `Domain` (an IP address or a
   * dotted name; none for `localhost`).
   */
  hostName: string | undefined
  /**
   * How an Advanced Data Protection account's web access is approved on its trusted device: `auto`
   * approves `pcsApprovalDelayMs` after `enableDeviceConsentForPCS`; `manual` waits for
   * `accounts.approveWebAccess(appleId)`.
   */
  pcsApproval: 'auto' | 'manual'
  /** How long a trusted-device bridge session (prompt to last step) stays usable, ms. Default 600 000. */
  bridgeLifetimeMs: number
  /** How long the emulated trusted device takes before each bridge push, ms. Default 0. */
  bridgeDeviceDelayMs: number
  /** Delay of an automatic approval, ms. Default 1000. */
  pcsApprovalDelayMs: number
  /** `requestPCS` calls per app answered "Requested the device to upload cookies." before success. Default 1. */
  pcsCookieAttempts: number
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
  readonly pcs: Table<PcsState>
  readonly pcsCookies: Table<PcsCookie>
  readonly findmy: Table<FindMyState>
  readonly hme: Table<HmeState>
  readonly reminders: Table<RemindersState>
  readonly calendar: Table<CalendarState>
  readonly contacts: Table<ContactsState>
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
    pcs: store.table('pcs'),
    pcsCookies: store.table('pcsCookies'),
    findmy: store.table('findmy'),
    hme: store.table('hme'),
    reminders: store.table('reminders'),
    calendar: store.table('calendar'),
    contacts: store.table('contacts'),
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
  /** The `Domain` of the cookies of the current request's answer (see `cookieDomain`). */
  readonly cookieDomain: string | undefined
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
  /** The trusted-device bridge: push service and emulated devices (docs/protocols/icloud.md §17). */
  readonly bridge: BridgeDevices
}

/** One request as logged by the emulator (no values of credential headers). */
export interface RequestRecord {
  /** HTTP method as received. */
  readonly method: string
  /** The URL path, without the query (which may carry a push token). */
  readonly path: string
  /** Names of the request's headers, lower case (values are not kept). */
  readonly headerNames: readonly string[]
  /** The `Origin` header, which the two-factor calls must set to `https://www.icloud.com` (§2.2). */
  readonly origin: string | undefined
  /** True when the request carried a `Cookie` header (the webcourier poll and uploads must not, §8). */
  readonly cookie: boolean
}

/** A random token of `bytes` bytes, base64url. */
export function token(bytes = 24): string {
  return randomBytes(bytes).toString('base64url')
}
