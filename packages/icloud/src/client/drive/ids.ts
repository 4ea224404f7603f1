/**
 * Drive node IDs (docs/protocols/icloud.md §15.1). A `drivewsid` is `<TYPE>::<zone>::<docwsid>`:
 * `FOLDER::com.apple.CloudDocs::root` is the root, `FILE::com.apple.CloudDocs::<uuid>` a file, and an
 * app library lives in its app's zone (`FOLDER::com.apple.Keynote::documents`). The trash is addressed
 * as `FOLDER::com.apple.CloudDocs::TRASH_ROOT` and answers as plain `TRASH_ROOT`.
 */

/** The zone of the user's own iCloud Drive folders. */
export const CLOUD_DOCS_ZONE = 'com.apple.CloudDocs'

/** The `drivewsid` of the root folder. */
export const ROOT_DRIVEWSID = `FOLDER::${CLOUD_DOCS_ZONE}::root`

/** The `drivewsid` the trash is asked for with. */
export const TRASH_DRIVEWSID = `FOLDER::${CLOUD_DOCS_ZONE}::TRASH_ROOT`

/** The `drivewsid` the trash answers with (and the `parentId` of trashed items). */
export const TRASH_ROOT = 'TRASH_ROOT'

/** The parts of a `drivewsid`. */
export interface DriveIdParts {
  /** `FOLDER`, `FILE`, `APP_LIBRARY`... as written in the ID (app libraries are written `FOLDER`). */
  readonly type: string
  readonly zone: string
  readonly docwsid: string
}

/** Splits a `drivewsid`; undefined when it does not have three `::`-separated parts. */
export function parseDrivewsid(drivewsid: string): DriveIdParts | undefined {
  const parts = drivewsid.split('::')
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined
  return { type: parts[0]!, zone: parts[1]!, docwsid: parts[2]! }
}

/** Builds a `drivewsid` (app libraries and folders are both `FOLDER`). */
export function drivewsidOf(type: string, zone: string, docwsid: string): string {
  return `${type === 'FILE' ? 'FILE' : 'FOLDER'}::${zone}::${docwsid}`
}
