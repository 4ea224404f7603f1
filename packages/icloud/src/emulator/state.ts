import type { SrpProtocol } from '../srp/password.js'
import { SERVICE_TABLES } from './service-tables.js'

/** One emulated Apple ID. The password itself is never kept: only salt, iterations and the verifier. */
export interface EmulatedAccount {
  /** The Apple ID, trimmed and lower-cased. */
  appleId: string
  /** The account's `dsInfo.dsid`: digits derived from the Apple ID, so stable across restarts. */
  dsid: string
  /** `dsInfo.firstName` of the account document. */
  firstName: string
  /** `dsInfo.lastName` of the account document. */
  lastName: string
  /** `hsa2` (two-factor), `2sa` (legacy two-step), or `none`. */
  secondFactor: 'hsa2' | '2sa' | 'none'
  /** A non-2FA account that must pass `repair/complete` once after signing in (412). */
  repair: boolean
  /** `cn` for a China mainland account: the global setup host answers `domainToUse`. */
  region: 'global' | 'cn'
  /** The password protocol `signin/init` answers (`s2k` or `s2k_fo`, §3.2). */
  protocol: SrpProtocol
  /** The PBKDF2 iteration count `signin/init` answers. */
  iterations: number
  /** base64 */
  salt: string
  /** hex of v = g^x mod N */
  verifier: string
  /** A fixed verification code (the development account), else codes are drawn per request. */
  fixedCode?: string
  /** The trusted phone numbers the auth options list (§4.2). */
  trustedPhones: Array<{
    /** The number's `id`, which `verify/phone` sends back. */
    id: number
    /** The number as shown to the user, masked (`+1 (•••) •••-••03`). */
    numberWithDialCode: string
    /** How a code reaches this number: text message or phone call. */
    pushMode: 'sms' | 'voice'
  }>
  /** False for an account without trusted devices: codes go to its phones only. */
  trustedDevices?: boolean
  /** The sign-in page offers the trusted-device bridge instead of a pushed code (§17). */
  bridge?: boolean
  /** Advanced Data Protection: `pcsRequired` services need the PCS cookies, given after device consent. */
  adp?: boolean
  /** Registered security keys (FIDO2): the account signs in with one of them instead of a code. */
  securityKeys?: EmulatedSecurityKey[]
}

/** A security key registered to an emulated account: its credential and public key. */
export interface EmulatedSecurityKey {
  /** The WebAuthn credential id, base64url. */
  credentialId: string
  /** The credential's public key (P-256 or Ed25519), SPKI PEM. */
  publicKeyPem: string
  /** Shown in `keyNames`. */
  name: string
  /** The highest signature counter seen (a cloned key shows a counter that does not grow). */
  signCount: number
}

/**
 * An idmsa sign-in conversation: opened by the `authorize/signin` page load or by `signin/init`,
 * keyed by its `X-Apple-ID-Session-Id`.
 */
export interface Conversation {
  /** The Apple ID, once `signin/init` named it ('' after a page load alone). */
  appleId: string
  accountName: string
  /** The last scnt issued. */
  scnt: string
  /** Earlier scnt values of this conversation, oldest first (a few; clients may send one again). */
  scnts?: string[]
  sessionId: string
  /** The `aasp` cookie value of this conversation. */
  aasp?: string
  /** Session tokens issued in this conversation (some clients send one as X-Apple-ID-Session-Id). */
  tokens?: string[]
  c: string
  A: string
  b: string
  B: string
  /** Where the conversation stands. */
  stage: 'page' | 'init' | 'awaiting-code' | 'verified' | 'trusted' | 'repair' | 'done'
  /** The code sent for this conversation, and where (kept for the request log's evidence). */
  code?: string
  codeVia?: 'device' | 'sms' | 'voice'
  /** Codes sent by SMS or voice in this conversation, by phone id. */
  phoneCodes?: Record<string, string>
  /** The WebAuthn challenge of a security-key account, base64url. */
  fsaChallenge?: string
  expiresAt: number
}

/** A session token (`X-Apple-Session-Token` / `dsWebAuthToken`). */
export interface SessionTokenRecord {
  appleId: string
  /** True when the sign-in completed every factor Apple asked for. */
  verified: boolean
  expiresAt: number
}

/** Advanced Data Protection state of an account (docs/protocols/icloud.md §5.5). */
export interface PcsState {
  /** When the user approved web access on a trusted device (0: not approved). */
  consentedAt: number
  /** When `enableDeviceConsentForPCS` asked the devices (0: never). */
  requestedAt: number
  /** `requestPCS` calls answered "not yet" per app name, so the next ones can succeed. */
  attempts: Record<string, number>
}

/** A PCS cookie value issued by `requestPCS`. */
export interface PcsCookie {
  appleId: string
  /** `Photos`, `Sharing`, `Documents`. */
  kind: string
  expiresAt: number
}

/** A web session (the `X-APPLE-WEBAUTH-TOKEN` cookie). */
export interface WebSession {
  appleId: string
  expiresAt: number
  /** A 2SA account that still owes its code. */
  challengeRequired: boolean
  clientId?: string
}

/** The tables of the iCloud emulator's durable store. */
export const ICLOUD_TABLES = [
  'accounts',
  'conversations',
  'sessionTokens',
  'trustTokens',
  'webSessions',
  'pushTokens',
  'proofVariants',
  'lastCodes',
  'meta',
  'pcs',
  'pcsCookies',
  'driveNodes',
  'driveUploads',
  ...SERVICE_TABLES,
] as const
