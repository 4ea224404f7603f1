import type { Readable } from 'node:stream'
import type { CallOptions, ProgressListener } from '@sigwire/core'

/**
 * What a Drive item is: `FOLDER`, `FILE`, `APP_LIBRARY` (an app's folder, such as Pages' documents,
 * in the app's own zone) or `TRASH` (the trash itself). Other strings Apple may add pass through.
 */
export type DriveItemType = 'FOLDER' | 'FILE' | 'APP_LIBRARY' | 'TRASH' | (string & {})

/** One Drive item as `drivews` lists it (docs/protocols/icloud.md §15.2), with its name made whole. */
export interface DriveItem {
  /** `<TYPE>::<zone>::<docwsid>`: the ID of every `drivews` call. */
  readonly drivewsid: string
  /** The document ID inside its zone (the ID of `docws` calls). */
  readonly docwsid: string
  /** `com.apple.CloudDocs`, or an app's zone for app libraries and their contents. */
  readonly zone: string
  /** Item type. */
  readonly type: DriveItemType
  /** The full name: Drive lists `name` and `extension` apart; here they are joined (`report.pdf`). */
  readonly name: string
  /** The version tag every change must present; it changes whenever the item does. */
  readonly etag: string
  /** The parent's `drivewsid` (`TRASH_ROOT` for items in the trash). */
  readonly parentId: string | undefined
  /** Bytes of a file; undefined for folders. */
  readonly size: number | undefined
  /** When the file's content was last modified (its mtime), to the second. */
  readonly dateModified: Date | undefined
  /** When the item was created. */
  readonly dateCreated: Date | undefined
  /** When the item last changed on the server (renamed, moved). */
  readonly dateChanged: Date | undefined
  /** For items in the trash: where a restore puts them back (`Documents/report.pdf`). */
  readonly restorePath: string | undefined
  /** For items in the trash: when they are deleted for good. */
  readonly dateExpiration: Date | undefined
  /** For folders: how many items they hold directly. */
  readonly directChildrenCount: number | undefined
  /** True for folders, app libraries and the trash (what has items). */
  readonly isFolder: boolean
}

/** A folder with its items (`retrieveItemDetailsInFolders`). */
export interface DriveFolder extends DriveItem {
  /** The items directly inside, as the service ordered them. */
  readonly items: readonly DriveItem[]
}

/** One item met by {@link DriveApi.walk}, with its path below the walked folder. */
export interface DriveEntry {
  /** `Documents/report.pdf`: the names from the walked folder down, joined by `/`. */
  readonly path: string
  /** The item itself (a folder's items come later in the walk). */
  readonly item: DriveItem
}

/**
 * Told how far a download has come: bytes of the file present so far (a resumed download starts
 * from the bytes it already had), the file's size, and the average rate of this transfer in bytes
 * per second. A {@link ProgressListener} fits: the rate is an extra, third argument.
 */
export type DriveProgressListener = (transferred: number, total: number, bytesPerSecond: number) => void

/** Options of {@link DriveApi.download} and {@link DriveApi.downloadToFile}. */
export interface DownloadOptions extends CallOptions {
  /** Progress; see {@link DriveProgressListener}. */
  onProgress?: DriveProgressListener | undefined
  /**
   * How many times a connection that breaks mid-body is picked up again with an HTTP `Range` request
   * for the bytes still missing. Default 5; 0 turns resuming off.
   */
  resumeAttempts?: number | undefined
}

/** Options of {@link DriveApi.downloadToFile}. */
export interface DownloadToFileOptions extends DownloadOptions {
  /**
   * Keep the bytes of a failed download (in `.<name>.<tag>.partial` beside the target) so that a
   * later call with `keepPartial` continues from them with a `Range` request, if the item's etag is
   * still the same. Default false: a failed download leaves nothing behind.
   */
  keepPartial?: boolean | undefined
  /** File mode of the new file. Default 0o644. */
  mode?: number | undefined
  /** Set the file's modification time to the item's `dateModified` (default true). */
  keepMtime?: boolean | undefined
  /**
   * fsync the file before it is renamed into place, so it survives a power loss (default true). The
   * file appears complete or not at all either way, and a killed process never loses written data: a
   * caller that checks sizes on its next run may turn it off for speed.
   */
  syncFile?: boolean | undefined
  /**
   * fsync the directory after the rename, so the new name survives a power loss (default true). A
   * caller writing many files into one directory can turn it off and fsync the directory once.
   */
  syncDirectory?: boolean | undefined
}

/** What {@link DriveApi.downloadToFile} did. */
export interface DownloadResult {
  /** The file written. */
  readonly path: string
  /** Its size in bytes. */
  readonly bytes: number
  /** Bytes that came from a kept partial file instead of the network. */
  readonly resumedFrom: number
  /** Connections that broke mid-body and were resumed with a `Range` request. */
  readonly resumes: number
}

/** Options of {@link DriveApi.upload}. */
export interface UploadOptions extends CallOptions {
  /** The item's name in Drive. Default: the local file's name. */
  name?: string | undefined
  /**
   * Upload a new version of this file (the item as last read: its etag must still be current, else
   * `CONFLICT`). The previous version goes to the trash, where `restore` brings it back.
   */
  replace?: DriveItem | undefined
  /** The file's modification time. Default: the local file's mtime. */
  mtime?: Date | undefined
  /** Told as the file's bytes are handed to the socket; a retry starts again from 0. */
  onProgress?: ProgressListener | undefined
}

/** Options of {@link DriveApi.walk}. */
export interface WalkOptions extends CallOptions {
  /** Folders listed at once. Default 4. */
  concurrency?: number | undefined
}

/**
 * iCloud Drive (`drivews` for metadata, `docws` for content; docs/protocols/icloud.md §15). Items
 * are read first and then changed with the item as read: every change carries its `etag`, and a
 * change made meanwhile elsewhere is refused with `CONFLICT` rather than overwritten.
 */
export interface DriveApi {
  /** The root folder and its items (app libraries among them). */
  root(options?: CallOptions): Promise<DriveFolder>
  /** A folder (by item or `drivewsid`) and its items. */
  folder(folder: DriveItem | string, options?: CallOptions): Promise<DriveFolder>
  /** Several folders in one call. */
  folders(ids: readonly string[], options?: CallOptions): Promise<DriveFolder[]>
  /**
   * The item at a path: `/` is the root, `/Documents/report.pdf` a file (resolved folder by folder).
   * `NOT_FOUND` names the first missing part.
   */
  lookup(path: string, options?: CallOptions): Promise<DriveItem>
  /** The trash (`TRASH_ROOT`) and the items in it, each with its `restorePath`. */
  trash(options?: CallOptions): Promise<DriveFolder>
  /** The app libraries (`retrieveAppLibraries`). */
  appLibraries(options?: CallOptions): Promise<DriveItem[]>
  /** Every item below a folder, level by level (a folder before what it holds), listing a few folders per call. */
  walk(folder: DriveItem | string, options?: WalkOptions): AsyncIterable<DriveEntry>
  /** Creates a folder named `name` in `parent`. `CONFLICT` when the name is taken. */
  createFolder(parent: DriveItem, name: string, options?: CallOptions): Promise<DriveItem>
  /** Renames an item (with its etag). */
  rename(item: DriveItem, name: string, options?: CallOptions): Promise<DriveItem>
  /** Moves an item into another folder (with its etag). */
  move(item: DriveItem, destination: DriveItem, options?: CallOptions): Promise<DriveItem>
  /** Moves an item to the trash (with its etag); a folder goes with everything in it. */
  moveToTrash(item: DriveItem, options?: CallOptions): Promise<DriveItem>
  /** Puts an item from the trash back where it was. */
  restore(item: DriveItem, options?: CallOptions): Promise<DriveItem>
  /** Deletes an item for good (from the trash, or directly). */
  deleteForever(item: DriveItem, options?: CallOptions): Promise<void>
  /**
   * The signed URL of a file's content (`download/by_id`, §15.4), for a downloader of your own: it
   * carries its own authorization (send no cookies), honours `Range`, and expires.
   */
  contentUrl(item: DriveItem, options?: CallOptions): Promise<string>
  /**
   * A file's bytes as a stream, in constant memory; a connection that breaks mid-body is resumed with
   * `Range`. Read it to the end or destroy it.
   */
  download(item: DriveItem, options?: DownloadOptions): Promise<Readable>
  /**
   * Downloads a file to `path` atomically: the bytes go to a temporary file that is renamed over
   * `path` once complete and fsynced; a failed or aborted download leaves `path` as it was and no
   * partial file (unless `keepPartial`). The file's mtime becomes the item's `dateModified`.
   */
  downloadToFile(item: DriveItem, path: string, options?: DownloadToFileOptions): Promise<DownloadResult>
  /**
   * Uploads a local file into `folder`, streamed in constant memory, keeping its mtime: `upload/web`,
   * the bytes, then `update/documents`. A name that is taken fails with `CONFLICT` unless `replace`
   * names the file to replace.
   */
  upload(file: string, folder: DriveItem, options?: UploadOptions): Promise<DriveItem>
  /**
   * Advanced Data Protection accounts: asks for the Drive's PCS cookies (`requestWebAccessState`,
   * `enableDeviceConsentForPCS`, `requestPCS`), waiting until the user approves on a trusted device.
   */
  requestAccess(options?: CallOptions & { pollMs?: number }): Promise<void>
}
