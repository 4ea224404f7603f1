import { drivewsidOf, TRASH_ROOT } from '../../client/drive/ids.js'
import { splitExtension } from '../../client/drive/names.js'
import type { DriveState } from './drive-state.js'
import { type DriveNodeRecord, refOf, TRASH_REF } from './records.js'

/** How long an item stays in the trash (iCloud Drive's "Recently Deleted": 30 days). */
export const TRASH_DAYS = 30

/** A date as Drive writes it: ISO 8601 to the second, in UTC (`2020-05-03T00:15:17Z`). */
export function driveDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/**
 * A node as `drivews` lists it (docs/protocols/icloud.md §15.2; shapes of timlaing pyicloud
 * tests/const/const_drive.py): files carry `size`, `extension` split off the name and their dates,
 * folders their counts, trashed items their `restorePath` and expiry.
 */
export function renderItem(state: DriveState, node: DriveNodeRecord): Record<string, unknown> {
  const base: Record<string, unknown> = {
    dateCreated: driveDate(node.created),
    drivewsid: drivewsidOf(node.type, node.zone, node.docwsid),
    docwsid: node.docwsid,
    zone: node.zone,
    name: node.name,
    parentId: state.parentIdOf(node),
    item_id: node.itemId,
    etag: node.etag,
    type: node.type,
  }
  if (node.parent === null) delete base.parentId
  if (node.type === 'FILE') {
    const { name, extension } = splitExtension(node.name)
    base.name = name
    if (extension !== undefined) base.extension = extension
    base.dateModified = driveDate(node.mtime ?? node.created)
    base.dateChanged = driveDate(node.changed)
    base.lastOpenTime = driveDate(node.changed)
    base.size = node.size ?? 0
  } else {
    const ref = refOf(node)
    const totals = state.totals(node.appleId, ref)
    base.assetQuota = totals.bytes
    base.fileCount = totals.files
    base.shareCount = 0
    base.shareAliasCount = 0
    base.directChildrenCount = state.childCount(node.appleId, ref)
    if (node.type === 'APP_LIBRARY') base.maxDepth = 'ANY'
  }
  if (node.trashed) {
    base.restorePath = node.trashed.restorePath
    base.dateExpiration = driveDate(node.trashed.at + TRASH_DAYS * 86_400_000)
    base.isChainedToParent = true
  }
  return base
}

/** A folder with its items (`retrieveItemDetailsInFolders`). */
export function renderFolder(state: DriveState, node: DriveNodeRecord): Record<string, unknown> {
  const items = state.children(node.appleId, refOf(node)).map((child) => renderItem(state, child))
  return { ...renderItem(state, node), items, numberOfItems: items.length }
}

/** The trash: no type, `drivewsid: "TRASH_ROOT"` (pyicloud const_drive.py `DRIVE_TRASH_WORKING`). */
export function renderTrash(state: DriveState, appleId: string): Record<string, unknown> {
  const items = state.children(appleId, TRASH_REF).map((child) => renderItem(state, child))
  return { items, numberOfItems: items.length, drivewsid: TRASH_ROOT }
}
