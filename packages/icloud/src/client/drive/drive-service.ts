import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { type CallOptions, jsonBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import type { WebAccessApi } from '../web-access-api.js'
import { contentUrl, downloadStream, downloadToFile } from './download.js'
import { driveResponseError, invalidName, itemStatusError, pathNotFound } from './errors.js'
import { ROOT_DRIVEWSID, TRASH_DRIVEWSID } from './ids.js'
import { toDriveFolder, toDriveItem } from './item.js'
import { nameProblem, pathSegments } from './names.js'
import type {
  DownloadOptions,
  DownloadResult,
  DownloadToFileOptions,
  DriveApi,
  DriveEntry,
  DriveFolder,
  DriveItem,
  UploadOptions,
  WalkOptions,
} from './types.js'
import { uploadFile } from './upload.js'

/** JSON bodies of the web app go out as `text/plain` (docs/protocols/icloud.md §8, §15.3). */
const TEXT = 'text/plain'

/** The {@link DriveApi} of a session. */
export class DriveService implements DriveApi {
  constructor(
    readonly caller: ServiceCaller,
    readonly webAccess: WebAccessApi,
  ) {}

  root(options: CallOptions = {}): Promise<DriveFolder> {
    return this.folder(ROOT_DRIVEWSID, options)
  }

  async folder(folder: DriveItem | string, options: CallOptions = {}): Promise<DriveFolder> {
    const [found] = await this.folders([typeof folder === 'string' ? folder : folder.drivewsid], options)
    return found!
  }

  async folders(ids: readonly string[], options: CallOptions = {}): Promise<DriveFolder[]> {
    if (ids.length === 0) return []
    const body = ids.map((drivewsid) => ({ drivewsid, partialData: false, includeHierarchy: false }))
    const raw = await this.#post('/retrieveItemDetailsInFolders', body, 'Listing a folder', options, true)
    if (!Array.isArray(raw) || raw.length !== ids.length)
      throw invalidResponse('retrieveItemDetailsInFolders did not answer one entry per folder asked for.')
    return raw.map((entry: Raw, i: number) => {
      // An unknown folder answers `{drivewsid, status: "ID_INVALID"}` (§15.2).
      if (typeof entry?.status === 'string' && entry.status !== 'OK' && !Array.isArray(entry.items))
        throw itemStatusError(entry.status, `The folder ${ids[i]}`)
      const folder = toDriveFolder(entry)
      if (!folder.isFolder && folder.type !== 'UNKNOWN')
        throw new ICloudError({
          code: 'INVALID_ARGUMENT',
          message: `${ids[i]} is a ${folder.type.toLowerCase()}, not a folder: only folders can be listed.`,
        })
      return folder
    })
  }

  async lookup(path: string, options: CallOptions = {}): Promise<DriveItem> {
    if (typeof path !== 'string')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'lookup() takes a path such as /Documents.',
      })
    const segments = pathSegments(path)
    for (const segment of segments) {
      const problem = nameProblem(segment)
      if (problem) throw invalidName(segment, problem)
    }
    // Paths are resolved folder by folder, as rclone's directory cache does (§15.7).
    let folder = await this.root(options)
    let item: DriveItem = folder
    for (const [i, segment] of segments.entries()) {
      const child = folder.items.find((c) => c.name === segment)
      if (!child) throw pathNotFound(path, segment)
      item = child
      if (i < segments.length - 1) {
        if (!child.isFolder) throw pathNotFound(path, `${segment}/`)
        folder = await this.folder(child, options)
      }
    }
    return item
  }

  async trash(options: CallOptions = {}): Promise<DriveFolder> {
    return this.folder(TRASH_DRIVEWSID, options)
  }

  async appLibraries(options: CallOptions = {}): Promise<DriveItem[]> {
    const response = await this.caller.respond('drivews', 'GET', '/retrieveAppLibraries', {
      ...callOptions(options),
    })
    if (response.status >= 400) throw driveResponseError(response, 'Listing the app libraries')
    const items = response.json<Raw>()?.items
    if (!Array.isArray(items)) throw invalidResponse('retrieveAppLibraries answered without items.')
    return items.map(toDriveItem)
  }

  async *walk(folder: DriveItem | string, options: WalkOptions = {}): AsyncIterable<DriveEntry> {
    const batch = Math.max(1, Math.floor(options.concurrency ?? 4))
    const call = callOptions(options)
    let level = [{ id: typeof folder === 'string' ? folder : folder.drivewsid, prefix: '' }]
    // Level by level; each call lists several folders at once (`retrieveItemDetailsInFolders` takes a list).
    while (level.length > 0) {
      const next: typeof level = []
      for (let start = 0; start < level.length; start += batch) {
        const chunk = level.slice(start, start + batch)
        const listed = await this.folders(
          chunk.map((c) => c.id),
          call,
        )
        for (const [i, listing] of listed.entries()) {
          const prefix = chunk[i]!.prefix
          for (const item of listing.items) {
            const path = prefix === '' ? item.name : `${prefix}/${item.name}`
            yield { path, item }
            if (item.isFolder) next.push({ id: item.drivewsid, prefix: path })
          }
        }
      }
      level = next
    }
  }

  async createFolder(parent: DriveItem, name: string, options: CallOptions = {}): Promise<DriveItem> {
    checkName(name)
    checkFolder(parent, 'create a folder in')
    // The web app names a new folder's client ID like this (pyicloud drive.py create_folders, §15.3).
    const raw = await this.#post(
      '/createFolders',
      {
        destinationDrivewsId: parent.drivewsid,
        folders: [{ clientId: `FOLDER::UNKNOWN_ZONE::TempId-${randomUUID()}`, name }],
      },
      `Creating the folder "${name}"`,
      options,
    )
    return itemOf(raw?.folders, `The new folder "${name}"`)
  }

  async rename(item: DriveItem, name: string, options: CallOptions = {}): Promise<DriveItem> {
    checkName(name)
    const raw = await this.#post(
      '/renameItems',
      { items: [{ drivewsid: item.drivewsid, etag: item.etag, name }] },
      `Renaming ${describe(item)}`,
      options,
    )
    return itemOf(raw?.items, describe(item))
  }

  async move(item: DriveItem, destination: DriveItem, options: CallOptions = {}): Promise<DriveItem> {
    checkFolder(destination, 'move items into')
    const raw = await this.#post(
      '/moveItems',
      {
        destinationDrivewsId: destination.drivewsid,
        items: [{ drivewsid: item.drivewsid, etag: item.etag, clientId: item.drivewsid }],
      },
      `Moving ${describe(item)}`,
      options,
    )
    return itemOf(raw?.items, describe(item))
  }

  async moveToTrash(item: DriveItem, options: CallOptions = {}): Promise<DriveItem> {
    const raw = await this.#post(
      '/moveItemsToTrash',
      { items: [{ drivewsid: item.drivewsid, etag: item.etag, clientId: item.drivewsid }] },
      `Moving ${describe(item)} to the trash`,
      options,
    )
    return itemOf(raw?.items, describe(item))
  }

  async restore(item: DriveItem, options: CallOptions = {}): Promise<DriveItem> {
    const raw = await this.#post(
      '/putBackItemsFromTrash',
      { items: [{ drivewsid: item.drivewsid, etag: item.etag }] },
      `Restoring ${describe(item)}`,
      options,
    )
    return itemOf(raw?.items, describe(item))
  }

  async deleteForever(item: DriveItem, options: CallOptions = {}): Promise<void> {
    const raw = await this.#post(
      '/deleteItems',
      { items: [{ drivewsid: item.drivewsid, etag: item.etag }] },
      `Deleting ${describe(item)}`,
      options,
    )
    itemOf(raw?.items, describe(item))
  }

  async contentUrl(item: DriveItem, options: CallOptions = {}): Promise<string> {
    if (item?.isFolder !== false)
      throw new ICloudError({ code: 'INVALID_ARGUMENT', message: 'Only files have content URLs.' })
    return contentUrl(this.caller, item, options)
  }

  download(item: DriveItem, options: DownloadOptions = {}): Promise<Readable> {
    return downloadStream(this.caller, item, options)
  }

  downloadToFile(
    item: DriveItem,
    path: string,
    options: DownloadToFileOptions = {},
  ): Promise<DownloadResult> {
    return downloadToFile(this.caller, item, path, options)
  }

  async upload(file: string, folder: DriveItem, options: UploadOptions = {}): Promise<DriveItem> {
    checkFolder(folder, 'upload into')
    const listing = await this.folder(folder, options)
    return uploadFile(this.caller, listing, file, options, (old) => this.moveToTrash(old, options))
  }

  async requestAccess(options: CallOptions & { pollMs?: number } = {}): Promise<void> {
    const { pollMs, ...call } = options
    const waiting = pollMs === undefined ? call : { ...call, intervalMs: pollMs }
    // The caller has already told the user to approve on a device: no prompt of its own here.
    const state = await this.webAccess.approve({ ...waiting, onWebAccessApproval: () => undefined })
    if (state.advancedDataProtection) await this.webAccess.requestCookies('iclouddrive', waiting)
  }

  async #post(path: string, body: unknown, what: string, options: CallOptions, read = false): Promise<Raw> {
    const response = await this.caller.respond('drivews', 'POST', path, {
      body: jsonBody(body),
      contentType: TEXT,
      ...(read ? { retrySafe: true } : {}),
      ...callOptions(options),
    })
    if (response.status >= 400) throw driveResponseError(response, what)
    return response.json<Raw>()
  }
}

/** The one item a change answered, or the error its `status` names (§15.3). */
function itemOf(list: unknown, what: string): DriveItem {
  const raw = Array.isArray(list) ? (list[0] as Raw) : undefined
  if (raw === undefined || raw === null || typeof raw !== 'object')
    throw invalidResponse(`${what}: drivews answered without the item.`)
  if (typeof raw.status === 'string' && raw.status !== 'OK')
    throw itemStatusError(raw.status, what, typeof raw.etag === 'string' ? raw.etag : undefined)
  return toDriveItem(raw)
}

function checkName(name: string): void {
  if (typeof name !== 'string')
    throw new ICloudError({ code: 'INVALID_ARGUMENT', message: 'A Drive name must be a string.' })
  const problem = nameProblem(name)
  if (problem) throw invalidName(name, problem)
}

function checkFolder(item: DriveItem, action: string): void {
  if (!item?.isFolder || item.type === 'TRASH')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `Cannot ${action} ${item ? describe(item) : 'nothing'}: pass a folder (an item with isFolder true, not the trash).`,
    })
}

function describe(item: DriveItem): string {
  return item.name ? `"${item.name}"` : item.drivewsid
}

function invalidResponse(message: string): ICloudError {
  return new ICloudError({ code: 'INVALID_RESPONSE', message })
}
