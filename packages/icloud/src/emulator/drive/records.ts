/** One Drive item of one account, as the emulator keeps it (table `driveNodes`). */
export interface DriveNodeRecord {
  appleId: string
  zone: string
  docwsid: string
  type: 'FOLDER' | 'FILE' | 'APP_LIBRARY'
  /** The whole name; a file's extension is split off only when it is listed. */
  name: string
  /** The parent's reference (`zone::docwsid`), {@link TRASH_REF} in the trash, null for the root. */
  parent: string | null
  etag: string
  created: number
  changed: number
  /** An opaque `item_id`, as Drive answers next to `docwsid`. */
  itemId: string
  /** Files: bytes, the blob holding them (a file name in the blob directory), mtime and btime in ms. */
  size?: number
  blob?: string
  mtime?: number
  btime?: number
  /** For the top of a trashed subtree: where it was and when it went. */
  trashed?: { at: number; from: string; restorePath: string }
}

/** An upload announced by `upload/web` (table `driveUploads`, keyed by its URL token). */
export interface DriveUploadRecord {
  appleId: string
  zone: string
  documentId: string
  filename: string
  size: number
  expiresAt: number
  /** Set once the bytes arrived at the upload URL. */
  received?: {
    blob: string
    size: number
    fileChecksum: string
    wrappingKey: string
    referenceChecksum: string
    receipt: string
  }
}

/** The reference of the trash among parents. */
export const TRASH_REF = 'TRASH_ROOT'

/** The reference (`zone::docwsid`) of a node. */
export function refOf(node: { zone: string; docwsid: string }): string {
  return `${node.zone}::${node.docwsid}`
}

/** The store key of a node of an account. */
export function nodeKey(appleId: string, ref: string): string {
  return `${appleId}\n${ref}`
}
