import { ICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { TRASH_ROOT } from './ids.js'
import type { DriveFolder, DriveItem } from './types.js'

const FOLDER_TYPES: ReadonlySet<string> = new Set(['FOLDER', 'APP_LIBRARY', 'APP_CONTAINER', 'TRASH'])

/**
 * A `drivews` item as a {@link DriveItem}: `name` and `extension` joined (pyicloud `DriveNode.name`),
 * sizes as numbers, dates parsed (they come in UTC or with an offset), and the trash, which has no
 * `type`, typed `TRASH` (docs/protocols/icloud.md §15.2).
 */
export function toDriveItem(raw: Raw): DriveItem {
  if (raw === null || typeof raw !== 'object' || typeof raw.drivewsid !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: 'drivews answered an item without a drivewsid.',
    })
  const type = typeof raw.type === 'string' ? raw.type : raw.drivewsid === TRASH_ROOT ? 'TRASH' : 'UNKNOWN'
  const base = typeof raw.name === 'string' ? raw.name : ''
  const extension = typeof raw.extension === 'string' && raw.extension !== '' ? raw.extension : undefined
  return {
    drivewsid: raw.drivewsid,
    docwsid: typeof raw.docwsid === 'string' ? raw.docwsid : raw.drivewsid,
    zone: typeof raw.zone === 'string' ? raw.zone : '',
    type,
    name: extension === undefined ? base : `${base}.${extension}`,
    etag: raw.etag === undefined || raw.etag === null ? '' : String(raw.etag),
    parentId: typeof raw.parentId === 'string' ? raw.parentId : undefined,
    size: raw.size === undefined || raw.size === null ? undefined : Number(raw.size),
    dateModified: dateOf(raw.dateModified),
    dateCreated: dateOf(raw.dateCreated),
    dateChanged: dateOf(raw.dateChanged),
    restorePath: typeof raw.restorePath === 'string' ? raw.restorePath : undefined,
    dateExpiration: dateOf(raw.dateExpiration),
    directChildrenCount: raw.directChildrenCount === undefined ? undefined : Number(raw.directChildrenCount),
    isFolder: FOLDER_TYPES.has(type),
  }
}

/** A `retrieveItemDetailsInFolders` answer entry as a {@link DriveFolder}. */
export function toDriveFolder(raw: Raw): DriveFolder {
  const item = toDriveItem(raw)
  const items = Array.isArray(raw.items) ? raw.items.map(toDriveItem) : []
  return { ...item, items }
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}
