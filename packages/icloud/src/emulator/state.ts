import type { SrpProtocol } from '../srp/password.js'

/** One emulated Apple ID. The password itself is never kept: only salt, iterations and the verifier. */
export interface EmulatedAccount {
  appleId: string
  dsid: string
  firstName: string
  lastName: string
  /** `hsa2` (two-factor), `2sa` (legacy two-step), or `none`. */
  secondFactor: 'hsa2' | '2sa' | 'none'
  /** A non-2FA account that must pass `repair/complete` once after signing in (412). */
  repair: boolean
  region: 'global' | 'cn'
  protocol: SrpProtocol
  iterations: number
  /** base64 */
  salt: string
  /** hex of v = g^x mod N */
  verifier: string
  /** A fixed verification code (the development account), else codes are drawn per request. */
  fixedCode?: string
  trustedPhones: Array<{ id: number; numberWithDialCode: string; pushMode: 'sms' | 'voice' }>
}

/** An idmsa sign-in conversation (one per `signin/init`). */
export interface Conversation {
  appleId: string
  accountName: string
  scnt: string
  sessionId: string
  c: string
  A: string
  b: string
  B: string
  /** Where the conversation stands. */
  stage: 'init' | 'awaiting-code' | 'verified' | 'trusted' | 'repair' | 'done'
  /** The code sent for this conversation, and where. */
  code?: string
  codeVia?: 'device' | 'sms' | 'voice'
  expiresAt: number
}

/** A session token (`X-Apple-Session-Token` / `dsWebAuthToken`). */
export interface SessionTokenRecord {
  appleId: string
  /** True when the sign-in completed every factor Apple asked for. */
  verified: boolean
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
  'driveNodes',
  'driveUploads',
] as const
