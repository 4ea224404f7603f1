import type { AuthLevel } from '../constants.js'

/** An application key pair the emulator knows (the `sigwire emulate --config` shape). */
export interface SafeCreativeApp {
  /** The application's shared key, the `sharedkey` parameter clients send (§3). */
  readonly sharedKey: string
  /** The application's private key, which signs the components of §2.3's first column. */
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

/** An upload started with `work.upload.lookup`; chunked uploads keep their bytes in a file. */
export interface UploadRecord {
  readonly authkey: string
  readonly filename: string
  readonly bypost: boolean
  /** Bytes received by `work.upload.chunk` since `work.upload.begin` (undefined before begin). */
  received?: number
}

/** The tables of the Safe Creative emulator's durable store. */
export const SAFE_CREATIVE_TABLES = ['authkeys', 'works', 'tickets', 'uploads', 'meta'] as const
