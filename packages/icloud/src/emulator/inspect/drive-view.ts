import { drivewsidOf } from '../../client/drive/ids.js'
import { normalizeAppleId } from '../../session/state.js'
import { type DriveState, ROOT_REF } from '../drive/drive-state.js'
import { type DriveNodeRecord, refOf } from '../drive/records.js'

/** A file the emulator UI hands to the page: bytes in memory or a file on disk. */
export type InspectedFile =
  | {
      /** The name to save it as. */
      readonly name: string
      /** Its content type. */
      readonly type: string
      /** Its bytes. */
      readonly bytes: Uint8Array
    }
  | {
      /** The name to save it as. */
      readonly name: string
      /** Its content type. */
      readonly type: string
      /** The file holding the bytes. */
      readonly path: string
      /** Its size in bytes. */
      readonly size: number
    }

/** An item of a Drive folder as the emulator UI lists it. */
export interface InspectedDriveItem {
  /** The item's `drivewsid` (what Drive clients call its id). */
  readonly id: string
  /** Its name. */
  readonly name: string
  /** `FOLDER`, `FILE` or `APP_LIBRARY`. */
  readonly type: DriveNodeRecord['type']
  /** Bytes, for a file. */
  readonly size?: number
  /** Last change, ISO 8601. */
  readonly modified: string
  /** Items directly inside, for a folder. */
  readonly items?: number
}

/** A Drive folder with its items. */
export interface InspectedDriveFolder {
  /** The folder's `drivewsid`. */
  readonly id: string
  /** Its path from the root (`''` for the root). */
  readonly path: string
  /** The parent's `drivewsid`, except for the root. */
  readonly parentId?: string
  /** Its items, folders first, then by name. */
  readonly items: readonly InspectedDriveItem[]
  /** Files and bytes of the whole Drive (trash included). */
  readonly usedBytes: number
}

const idOf = (node: DriveNodeRecord) => drivewsidOf(node.type, node.zone, node.docwsid)

/** A folder of the account's Drive (the root without `folderId`); undefined when there is none. */
export function driveFolder(
  state: DriveState,
  appleId: string,
  folderId?: string,
): InspectedDriveFolder | undefined {
  const id = normalizeAppleId(appleId)
  const folder = folderId === undefined ? state.node(id, ROOT_REF) : state.nodeById(id, folderId)
  if (!folder || folder.type === 'FILE' || state.inTrash(folder)) return undefined
  const items = state
    .children(id, refOf(folder))
    .map((n) => ({
      id: idOf(n),
      name: n.name,
      type: n.type,
      modified: new Date(n.mtime ?? n.changed).toISOString(),
      ...(n.type === 'FILE' ? { size: n.size ?? 0 } : { items: state.childCount(id, refOf(n)) }),
    }))
    .sort((a, b) => Number(a.type === 'FILE') - Number(b.type === 'FILE') || a.name.localeCompare(b.name))
  const parent = state.parentIdOf(folder)
  return {
    id: idOf(folder),
    path: state.pathOf(folder),
    ...(parent === undefined ? {} : { parentId: parent }),
    items,
    usedBytes: state.usage(id),
  }
}

/** A file of the account's Drive, to download; undefined for anything else. */
export function driveFile(state: DriveState, appleId: string, fileId: string): InspectedFile | undefined {
  const node = state.nodeById(normalizeAppleId(appleId), fileId)
  if (node?.type !== 'FILE') return undefined
  const type = 'application/octet-stream'
  if (!node.blob || !node.size) return { name: node.name, type, bytes: new Uint8Array(0) }
  return { name: node.name, type, path: state.blobPath(node.blob), size: node.size }
}
