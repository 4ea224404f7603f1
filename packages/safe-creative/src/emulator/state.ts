import type { AuthLevel } from '../constants.js'

/** An application key pair the emulator knows (the `sigwire emulate --config` shape). */
export interface SafeCreativeApp {
  /** The application's shared key, the `sharedkey` parameter clients send (§3). */
  readonly sharedKey: string
  /** The application's private key, which signs the components of §2.3's first column. */
  readonly privateKey: string
  /** Where the authorization page sends the user after approving (the app's "bringback URL", §3). */
  readonly bringBackUrl?: string
  /**
   * A partner application may call the partner components (`user.link`, `user.unlink`,
   * `user.modify`, `work.download`; docs/protocols/safe-creative.md §9). Default true.
   */
  readonly partner?: boolean
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
  source: 'upload' | 'text' | 'url'
  filename?: string
  size?: number
  checksum?: string
  /** MD5 hex of the content, when the emulator saw the bytes. */
  md5?: string
  /** The kept bytes: a file name in the state directory's `safe-creative-files`. */
  file?: string
  /** The text of a text registration. */
  text?: string
  /** When the work was last updated (ISO 8601). */
  updateDate?: string
  /** Files attached with `work.attachfile`. */
  attachments?: AttachmentRecord[]
  /** Co-holders added with `work.rightsholders.add` (the owner is not listed). */
  rightsHolders?: RightsHolderRecord[]
  /** Certificates mailed with `work.certificate`. */
  certificatesSent?: number
}

/** A file attached to a work. */
export interface AttachmentRecord {
  readonly title: string
  readonly public: boolean
  readonly filename: string
  readonly size: number
  readonly checksum: string
}

/** A co-holder of a work's rights and the request waiting for confirmation, if any. */
export interface RightsHolderRecord {
  /** Empty until the invitation is confirmed. */
  userCode: string
  readonly mail: string
  readonly roles: readonly string[]
  readonly canEdit: boolean
  readonly private: boolean
  state: 'PENDING' | 'ACTIVE' | 'REJECTED' | 'INACTIVE'
  entryDate?: string
  pending?: {
    readonly id: string
    /** `ACTIVE`: a request to share rights; `INACTIVE`: a request to cancel them. */
    readonly requestState: 'ACTIVE' | 'INACTIVE'
    readonly requestUserCode: string
    readonly requestDate: string
  }
}

/** A Safe Creative account (`user.link`, `user.modify`, `user.get`). */
export interface UserRecord {
  readonly code: string
  mail?: string
  fields: Record<string, string>
  readonly entryDate: string
}

/** A time-limited download: a work's file, an attachment or a certificate. */
export interface DownloadRecord {
  readonly code: string
  readonly kind: 'ORIGINAL' | 'CERTIFICATE'
  readonly expiresAt: number
}

/** A finished upload, waiting for `work.register`. */
export interface TicketRecord {
  readonly authkey: string
  readonly filename: string
  readonly size: number
  readonly checksum: string
  /** MD5 hex of the bytes. */
  readonly md5?: string
  /** The kept bytes, a file name in `safe-creative-files`. */
  readonly file?: string
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
export const SAFE_CREATIVE_TABLES = [
  'authkeys',
  'works',
  'tickets',
  'uploads',
  'meta',
  'users',
  'downloads',
] as const
