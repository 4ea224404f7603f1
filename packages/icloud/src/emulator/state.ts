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

/** Everything the iCloud emulator persists in its state directory. */
export interface ICloudEmulatorState {
  accounts: Record<string, EmulatedAccount>
  conversations: Record<string, Conversation>
  sessionTokens: Record<string, SessionTokenRecord>
  trustTokens: Record<string, { appleId: string; expiresAt: number }>
  webSessions: Record<string, WebSession>
  pushTokens: Record<string, { appleId: string; topics: string[] }>
  /** Seed of the development account's password (see `dev` on the emulator). */
  devSeed?: string
  /** Which M1 encoding each successful sign-in used, per Apple ID. */
  proofVariants: Record<string, string[]>
  /** The last code issued per Apple ID. */
  lastCodes: Record<string, string>
}

/** An empty state. */
export function emptyState(): ICloudEmulatorState {
  return {
    accounts: {},
    conversations: {},
    sessionTokens: {},
    trustTokens: {},
    webSessions: {},
    pushTokens: {},
    proofVariants: {},
    lastCodes: {},
  }
}
