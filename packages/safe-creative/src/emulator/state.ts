import type { AuthLevel } from '../constants.js'

/** An application key pair the emulator knows (the `sigwire emulate --config` shape). */
export interface SafeCreativeApp {
  readonly sharedKey: string
  readonly privateKey: string
  /** Where the authorization page sends the user after approving (the app's "bringback URL", §3). */
  readonly bringBackUrl?: string
}

/** An authkey and what the user granted. */
export interface AuthkeyRecord {
  readonly authkey: string
  readonly privateKey: string
  readonly sharedKey: string
  authorized: boolean
  level?: AuthLevel
  userCode?: string
  /** The current single-use nonce (§2.5). */
  nonceKey: string
}

/** A registered work. */
export interface WorkRecord {
  readonly code: string
  readonly userCode: string
  readonly entryDate: string
  state: 'REGISTERED' | 'PROCESSING'
  fields: Record<string, string>
  readonly source: 'upload' | 'text' | 'url'
  readonly filename?: string
  readonly size?: number
  readonly checksum?: string
}

/** A finished upload, waiting for `work.register`. */
export interface TicketRecord {
  readonly authkey: string
  readonly filename: string
  readonly size: number
  readonly checksum: string
  used: boolean
}

/** Everything the emulator persists. */
export interface SafeCreativeState {
  /** Development credentials generated when no app is configured (stable for a state directory). */
  dev?: SafeCreativeApp
  authkeys: Record<string, AuthkeyRecord>
  works: WorkRecord[]
  tickets: Record<string, TicketRecord>
  uploads: Record<string, { authkey: string; filename: string; bypost: boolean }>
  workSequence: number
}

/** A fresh state. */
export function initialState(): SafeCreativeState {
  return { authkeys: {}, works: [], tickets: {}, uploads: {}, workSequence: 0 }
}
