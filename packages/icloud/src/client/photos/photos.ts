import { type CallOptions, fileBody } from '@sigwire/core'
import { ICloudError, isICloudError } from '../../errors.js'
import { callCkDatabase, containerRefusal, queryPages, THROTTLE_RETRIES } from '../ckdatabase.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import {
  ALBUM_COUNT_PREFIX,
  ALBUM_LIST_TYPE,
  ALBUM_QUERY_TYPE,
  DESIRED_KEYS,
  desiredKeys,
  PHOTOS_CONTAINER,
  PRIMARY_ZONE_NAME,
  ROOT_FOLDERS,
  SHARED_ZONE_PREFIX,
  SMART_ALBUMS,
} from './constants.js'
import { encText, fieldValue, pairAssets, type WireRecord } from './decode.js'
import { downloadResource } from './download.js'
import { findAlbum } from './find-album.js'
import { type SharedAlbumsApi, SharedAlbumsService } from './shared-albums.js'
import type {
  AssetsOptions,
  PhotoAlbum,
  PhotoAsset,
  PhotoChanges,
  PhotoDownloadOptions,
  PhotoDownloadResult,
  PhotoLibrary,
  PhotoResource,
  PhotosFilter,
  PhotosZoneID,
  RenditionsOption,
} from './types.js'

/** iCloud Photos over `ckdatabasews` (docs/protocols/icloud.md §16). */
export interface PhotosApi {
  /** iCloud Shared Albums (`sharedstreams`, docs/protocols/icloud.md §22): their assets download with {@link PhotosApi.download}. */
  readonly sharedAlbums: SharedAlbumsApi
  /** The libraries: the private one first, then Shared Libraries (`zones/list` of both databases). */
  libraries(options?: CallOptions): Promise<PhotoLibrary[]>
  /** `FINISHED` when the library can be read, `RUNNING` while Apple is still indexing it. */
  indexingState(library?: PhotoLibrary, options?: CallOptions): Promise<string>
  /** Smart albums, user albums and folders, with counts (one count request for all of them). */
  albums(options?: CallOptions & { library?: PhotoLibrary }): Promise<PhotoAlbum[]>
  /**
   * An album by id, `Folder/Name` path or name (an album before a folder of the same name); `NOT_FOUND`
   * when there is none, `INVALID_ARGUMENT` naming the candidates when several albums answer to it.
   */
  album(name: string, options?: CallOptions & { library?: PhotoLibrary }): Promise<PhotoAlbum>
  /** The number of assets of an album (default All Photos). */
  count(album?: PhotoAlbum, options?: CallOptions): Promise<number>
  /**
   * The assets of an album, newest first (or oldest first), as the web app pages them: a count first,
   * then `startRank` pages (following a `continuationMarker` when the service gives one).
   */
  assets(options?: AssetsOptions): AsyncIterableIterator<PhotoAsset>
  /** Reads one asset again (fresh download URLs); undefined when it is gone. */
  asset(id: string, options?: CallOptions & { library?: PhotoLibrary }): Promise<PhotoAsset | undefined>
  /** The library's current sync token (`zones/list`): changes after it are what `changes` reads. */
  syncToken(library?: PhotoLibrary, options?: CallOptions): Promise<string>
  /** Pages of what changed since `syncToken` (everything without one), through `changes/zone`. */
  changes(
    options: CallOptions & RenditionsOption & { library?: PhotoLibrary; syncToken?: string },
  ): AsyncIterableIterator<PhotoChanges>
  /**
   * Downloads a rendition to `path`: streamed, resumable with Range after an interruption, renamed into
   * place only when complete and of the announced size, with its mtime set; a URL that expired is
   * refreshed once by reading the asset again.
   */
  download(
    asset: PhotoAsset,
    resource: PhotoResource,
    path: string,
    options?: PhotoDownloadOptions,
  ): Promise<PhotoDownloadResult>
  /** Moves assets to Recently Deleted (`isDeleted = 1`). */
  delete(assets: readonly PhotoAsset[], options?: CallOptions): Promise<void>
  /** Takes assets out of Recently Deleted. */
  restore(assets: readonly PhotoAsset[], options?: CallOptions): Promise<void>
  /** Marks assets favourite (or not). */
  setFavorite(assets: readonly PhotoAsset[], favorite: boolean, options?: CallOptions): Promise<void>
  /** Adds assets to a user album (one CPLContainerRelation each). */
  addToAlbum(album: PhotoAlbum, assets: readonly PhotoAsset[], options?: CallOptions): Promise<void>
  /** Takes assets out of a user album. */
  removeFromAlbum(album: PhotoAlbum, assets: readonly PhotoAsset[], options?: CallOptions): Promise<void>
  /** Creates a user album (or a folder) at the top level or in `parent`. */
  createAlbum(
    name: string,
    options?: CallOptions & { folder?: boolean; parent?: PhotoAlbum; library?: PhotoLibrary },
  ): Promise<PhotoAlbum>
  /** Renames a user album or folder. */
  renameAlbum(album: PhotoAlbum, name: string, options?: CallOptions): Promise<PhotoAlbum>
  /** Deletes a user album or folder (its photos stay in the library). */
  deleteAlbum(album: PhotoAlbum, options?: CallOptions): Promise<void>
  /** Uploads a photo or video file (`uploadimagews`) into the private library, and into `album` when given. */
  upload(path: string, options?: CallOptions & { album?: PhotoAlbum; filename?: string }): Promise<PhotoAsset>
}

/** The {@link PhotosApi} of a session. */
export class PhotosService implements PhotosApi {
  #private: PhotoLibrary | undefined
  readonly sharedAlbums: SharedAlbumsService

  constructor(readonly caller: ServiceCaller) {
    this.sharedAlbums = new SharedAlbumsService(caller)
  }

  #call<T>(database: 'private' | 'shared', op: string, body: unknown, options: CallOptions): Promise<T> {
    return callCkDatabase<T>(this.caller, {
      container: PHOTOS_CONTAINER,
      database,
      op,
      body,
      options,
      throttleRetries: THROTTLE_RETRIES,
      mapError: photosError,
    })
  }

  async libraries(options: CallOptions = {}): Promise<PhotoLibrary[]> {
    type Zones = Array<{ zoneID: PhotosZoneID; syncToken?: string; deleted?: boolean }>
    const databases = ['private', 'shared'] as const
    // Both databases are asked at once: one round trip before every sync instead of two.
    const lists = await Promise.all(
      databases.map((database) =>
        this.#call<{ zones?: Zones }>(database, 'zones/list', {}, options).then(
          (answer) => answer.zones ?? [],
          (error: unknown): Zones => {
            // An account without shared zones may answer the shared database with an error.
            if (database === 'shared' && isICloudError(error, 'SERVICE_ERROR')) return []
            throw error
          },
        ),
      ),
    )
    const out: PhotoLibrary[] = []
    for (const [i, database] of databases.entries()) {
      const zones = lists[i]!
      for (const z of zones) {
        if (z.deleted) continue
        const name = z.zoneID.zoneName
        const primary = database === 'private' && name === PRIMARY_ZONE_NAME
        if (!primary && !name.startsWith(SHARED_ZONE_PREFIX)) continue
        out.push({
          id: primary ? 'private' : `shared:${name}`,
          kind: primary ? 'private' : 'shared',
          database,
          zoneID: z.zoneID,
          syncToken: z.syncToken,
        })
      }
    }
    const primary = out.find((l) => l.kind === 'private')
    if (!primary)
      throw new ICloudError({
        code: 'NOT_FOUND',
        message:
          'This account has no iCloud Photos library (no PrimarySync zone): turn on iCloud Photos on a device first.',
      })
    this.#private = primary
    return [primary, ...out.filter((l) => l !== primary)]
  }

  async #library(library: PhotoLibrary | undefined, options: CallOptions): Promise<PhotoLibrary> {
    if (library) return library
    if (!this.#private) await this.libraries(options)
    return this.#private!
  }

  async #query(
    library: PhotoLibrary,
    query: Record<string, unknown>,
    extra: Record<string, unknown>,
    options: CallOptions,
  ) {
    return this.#call<{ records?: WireRecord[]; continuationMarker?: string; syncToken?: string }>(
      library.database,
      'records/query',
      { query, zoneID: library.zoneID, ...extra },
      options,
    )
  }

  async indexingState(library?: PhotoLibrary, options: CallOptions = {}): Promise<string> {
    const lib = await this.#library(library, options)
    const answer = await this.#query(lib, { recordType: 'CheckIndexingState' }, {}, options)
    return String(fieldValue(answer.records?.[0] ?? { recordName: '' }, 'state') ?? 'UNKNOWN')
  }

  /** Refuses politely while Apple is still indexing the library (pyicloud `_ensure_indexing_ready`). */
  async #ready(library: PhotoLibrary, options: CallOptions): Promise<void> {
    const state = await this.indexingState(library, options)
    if (state !== 'FINISHED')
      throw new ICloudError({
        code: 'PHOTOS_NOT_READY',
        message: `iCloud Photos is still indexing this library (state ${state}); try again in a few minutes.`,
      })
  }

  async albums(options: CallOptions & { library?: PhotoLibrary } = {}): Promise<PhotoAlbum[]> {
    const library = await this.#library(options.library, options)
    await this.#ready(library, options)
    const smart: PhotoAlbum[] = SMART_ALBUMS.map((s) => ({
      id: s.name,
      name: s.name,
      path: s.name,
      kind: 'smart',
      library,
      count: undefined,
      listType: s.listType,
      countId: s.countId,
      filters: s.smartAlbum ? [eq('smartAlbum', s.smartAlbum)] : [],
    }))
    const records =
      library.kind === 'private' ? await this.#albumRecords(library, undefined, new Set(), options) : []
    const byId = new Map(records.map((r) => [r.recordName, r]))
    const path = (r: WireRecord, seen = new Set<string>()): string => {
      const name = encText(r, 'albumNameEnc') ?? r.recordName
      const parent = fieldValue(r, 'parentId')
      const up = typeof parent === 'string' ? byId.get(parent) : undefined
      if (!up || seen.has(r.recordName)) return name
      seen.add(r.recordName)
      return `${path(up, seen)}/${name}`
    }
    const user: PhotoAlbum[] = records.map((r) => {
      const folder = Number(fieldValue(r, 'albumType')) === 3
      const parent = fieldValue(r, 'parentId')
      return {
        id: r.recordName,
        name: encText(r, 'albumNameEnc') ?? r.recordName,
        path: path(r),
        kind: folder ? 'folder' : 'album',
        library,
        count: undefined,
        ...(typeof parent === 'string' && !ROOT_FOLDERS.has(parent) ? { parentId: parent } : {}),
        ...(r.recordChangeTag ? { recordChangeTag: r.recordChangeTag } : {}),
        listType: ALBUM_LIST_TYPE,
        countId: `${ALBUM_COUNT_PREFIX}${r.recordName}`,
        filters: [eq('parentId', r.recordName)],
      }
    })
    const all = [...smart, ...user]
    const counts = await this.#counts(
      library,
      all.filter((a) => a.kind !== 'folder').map((a) => a.countId),
      options,
    )
    return all.map((a) => (a.kind === 'folder' ? a : { ...a, count: counts.get(a.countId) ?? 0 }))
  }

  /** The album records under `parent` and, recursively, under its folders (pyicloud `_fetch_album_records`). */
  async #albumRecords(
    library: PhotoLibrary,
    parent: string | undefined,
    seen: Set<string>,
    options: CallOptions,
  ): Promise<WireRecord[]> {
    const out: WireRecord[] = []
    const pages = queryPages((marker) =>
      this.#query(
        library,
        { recordType: ALBUM_QUERY_TYPE, ...(parent ? { filterBy: [eq('parentId', parent)] } : {}) },
        marker ? { continuationMarker: marker } : {},
        options,
      ),
    )
    for await (const answer of pages)
      for (const r of answer.records ?? []) {
        if (ROOT_FOLDERS.has(r.recordName) || seen.has(r.recordName) || r.deleted) continue
        if (Number(fieldValue(r, 'isDeleted') ?? 0) === 1 || r.recordType !== 'CPLAlbum') continue
        seen.add(r.recordName)
        out.push(r)
      }
    for (const r of [...out])
      if (Number(fieldValue(r, 'albumType')) === 3)
        out.push(...(await this.#albumRecords(library, r.recordName, seen, options)))
    return out
  }

  /** Counts by `indexCountID`, 50 per `internal/records/query/batch` request (icloudpd `__len__`). */
  async #counts(
    library: PhotoLibrary,
    ids: readonly string[],
    options: CallOptions,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    for (let i = 0; i < ids.length; i += 50) {
      const chunk = ids.slice(i, i + 50)
      const answer = await this.#call<{ batch?: Array<{ records?: WireRecord[] }> }>(
        library.database,
        'internal/records/query/batch',
        {
          batch: chunk.map((id) => ({
            resultsLimit: 1,
            query: {
              recordType: 'HyperionIndexCountLookup',
              filterBy: {
                fieldName: 'indexCountID',
                comparator: 'IN',
                fieldValue: { type: 'STRING_LIST', value: [id] },
              },
            },
            zoneWide: true,
            zoneID: library.zoneID,
          })),
        },
        options,
      )
      chunk.forEach((id, n) => {
        const value = fieldValue(answer.batch?.[n]?.records?.[0] ?? { recordName: '' }, 'itemCount')
        out.set(id, Number(value ?? 0))
      })
    }
    return out
  }

  async album(name: string, options: CallOptions & { library?: PhotoLibrary } = {}): Promise<PhotoAlbum> {
    return findAlbum(await this.albums(options), name)
  }

  async count(album?: PhotoAlbum, options: CallOptions = {}): Promise<number> {
    const library = album?.library ?? (await this.#library(undefined, options))
    const id = album?.countId ?? SMART_ALBUMS[0]!.countId
    return (await this.#counts(library, [id], options)).get(id) ?? 0
  }

  async *assets(options: AssetsOptions = {}): AsyncIterableIterator<PhotoAsset> {
    const library =
      options.album && typeof options.album !== 'string'
        ? options.album.library
        : await this.#library(options.library, options)
    await this.#ready(library, options)
    const album =
      options.album === undefined
        ? await this.#allPhotos(library)
        : typeof options.album === 'string'
          ? await this.album(options.album, { ...options, library })
          : options.album
    if (album.kind === 'folder') {
      // Read again on this error path only, to name what the folder holds.
      const inside = (await this.albums({ ...options, library }))
        .filter((a) => a.kind === 'album' && a.path.startsWith(`${album.path}/`))
        .map((a) => JSON.stringify(a.path))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message:
          inside.length === 0
            ? `${album.path} is a folder and holds no albums; name an album (see the album list).`
            : `${album.path} is a folder; name one of its albums: ${inside.join(', ')}.`,
      })
    }
    const pageSize = options.pageSize ?? 100
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'pageSize must be an integer from 1 to 100.',
      })
    const newest = (options.order ?? 'newest') === 'newest'
    const perAsset = album.listType.startsWith('CPLContainerRelation') ? 3 : 2
    const keys = options.renditions ? desiredKeys(options.renditions) : DESIRED_KEYS
    // The count comes first: a newest-first read starts at the last rank and counts down (pyicloud `photos`).
    const total = newest ? await this.count(album, options) : undefined
    let rank = newest ? total! - 1 : 0
    const seen = new Set<string>()
    const since = options.since?.getTime()
    /** The assets of the query at `at`, every continuation answer included. */
    const read = async (at: number): Promise<PhotoAsset[]> => {
      const assets: PhotoAsset[] = []
      const pages = queryPages((marker) =>
        this.#query(
          library,
          {
            recordType: album.listType,
            filterBy: [
              eq('startRank', at, 'INT64'),
              eq('direction', newest ? 'DESCENDING' : 'ASCENDING'),
              ...album.filters,
            ],
          },
          {
            resultsLimit: pageSize * perAsset,
            desiredKeys: keys,
            ...(marker ? { continuationMarker: marker } : {}),
          },
          options,
        ),
      )
      for await (const answer of pages)
        for (const asset of pairAssets(answer.records ?? [], library)) assets.push(asset)
      return assets
    }
    let next: Promise<PhotoAsset[]> | undefined = newest && rank < 0 ? undefined : read(rank)
    while (next) {
      const page = await next
      next = undefined
      // A short page is the last one. Otherwise the next page is asked for now, while this one's assets
      // are handed out: a caller that downloads them (a sync) then never waits for a page.
      if (page.length > 0 && page.length >= pageSize) {
        rank = newest ? rank - page.length : rank + page.length
        if (!newest || rank >= 0) {
          next = read(rank)
          // Awaited on the next turn; a caller that stops early never awaits it, so it must not be unhandled.
          next.catch(() => undefined)
        }
      }
      for (const asset of page) {
        if (seen.has(asset.id)) continue
        seen.add(asset.id)
        if (since !== undefined && asset.created.getTime() < since) {
          // Newest first: every later asset is older still.
          if (newest) return
          continue
        }
        yield asset
      }
    }
  }

  async #allPhotos(library: PhotoLibrary): Promise<PhotoAlbum> {
    const s = SMART_ALBUMS[0]!
    return {
      id: s.name,
      name: s.name,
      path: s.name,
      kind: 'smart',
      library,
      count: undefined,
      listType: s.listType,
      countId: s.countId,
      filters: [],
    }
  }

  async asset(
    id: string,
    options: CallOptions & { library?: PhotoLibrary } = {},
  ): Promise<PhotoAsset | undefined> {
    const library = await this.#library(options.library, options)
    const first = await this.#lookup(library, [id], options)
    const asset = first.find((r) => r.recordType === 'CPLAsset' && !r.serverErrorCode)
    const ref = asset ? (fieldValue(asset, 'masterRef') as { recordName?: string } | undefined) : undefined
    if (!asset || !ref?.recordName) return undefined
    const master = (await this.#lookup(library, [ref.recordName], options)).find(
      (r) => r.recordType === 'CPLMaster',
    )
    return master ? pairAssets([master, asset], library)[0] : undefined
  }

  async #lookup(
    library: PhotoLibrary,
    names: readonly string[],
    options: CallOptions,
  ): Promise<WireRecord[]> {
    const answer = await this.#call<{ records?: WireRecord[] }>(
      library.database,
      'records/lookup',
      {
        records: names.map((recordName) => ({ recordName })),
        zoneID: library.zoneID,
        desiredKeys: DESIRED_KEYS,
      },
      options,
    )
    return answer.records ?? []
  }

  async syncToken(library?: PhotoLibrary, options: CallOptions = {}): Promise<string> {
    const lib = await this.#library(library, options)
    const zones =
      (
        await this.#call<{ zones?: Array<{ zoneID: PhotosZoneID; syncToken?: string }> }>(
          lib.database,
          'zones/list',
          {},
          options,
        )
      ).zones ?? []
    const zone = zones.find((z) => z.zoneID.zoneName === lib.zoneID.zoneName)
    if (!zone?.syncToken)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `zones/list gave no sync token for ${lib.zoneID.zoneName}.`,
      })
    return zone.syncToken
  }

  async *changes(
    options: CallOptions & RenditionsOption & { library?: PhotoLibrary; syncToken?: string },
  ): AsyncIterableIterator<PhotoChanges> {
    const library = await this.#library(options.library, options)
    const keys = options.renditions ? desiredKeys(options.renditions) : DESIRED_KEYS
    let token = options.syncToken
    // Masters and assets of one change may arrive in different pages; an asset waits for its master.
    const masters = new Map<string, WireRecord>()
    const waiting = new Map<string, WireRecord>()
    for (;;) {
      const answer = await this.#call<{
        zones?: Array<{ records?: WireRecord[]; syncToken: string; moreComing?: boolean }>
      }>(
        library.database,
        'changes/zone',
        {
          zones: [
            {
              zoneID: library.zoneID,
              ...(token ? { syncToken: token } : {}),
              desiredKeys: keys,
              reverse: false,
            },
          ],
          resultsLimit: 200,
        },
        options,
      )
      const zone = answer.zones?.[0]
      if (!zone?.syncToken)
        throw new ICloudError({
          code: 'INVALID_RESPONSE',
          message: 'changes/zone answered no zone with a sync token.',
        })
      const removed: string[] = []
      let albumsChanged = false
      const ready: WireRecord[] = []
      for (const r of zone.records ?? []) {
        if (r.deleted) {
          removed.push(r.recordName)
          waiting.delete(r.recordName)
          continue
        }
        if (r.recordType === 'CPLMaster') {
          masters.set(r.recordName, r)
          for (const [name, a] of waiting)
            if (
              (fieldValue(a, 'masterRef') as { recordName?: string } | undefined)?.recordName === r.recordName
            ) {
              ready.push(r, a)
              waiting.delete(name)
            }
        } else if (r.recordType === 'CPLAsset') {
          const ref = (fieldValue(r, 'masterRef') as { recordName?: string } | undefined)?.recordName
          const master = ref ? masters.get(ref) : undefined
          if (master) ready.push(master, r)
          else waiting.set(r.recordName, r)
        } else if (r.recordType === 'CPLAlbum' || r.recordType === 'CPLContainerRelation')
          albumsChanged = true
      }
      const more = zone.moreComing === true
      // A changed asset whose master did not change: read the master.
      if (!more && waiting.size > 0) {
        const refs = [...waiting.values()]
          .map((a) => (fieldValue(a, 'masterRef') as { recordName?: string }).recordName!)
          .filter(Boolean)
        for (let i = 0; i < refs.length; i += 200)
          for (const m of await this.#lookup(library, refs.slice(i, i + 200), options))
            if (m.recordType === 'CPLMaster') masters.set(m.recordName, m)
        for (const a of waiting.values()) {
          const m = masters.get((fieldValue(a, 'masterRef') as { recordName?: string }).recordName ?? '')
          if (m) ready.push(m, a)
        }
        waiting.clear()
      }
      yield {
        assets: pairAssets(ready, library),
        removed,
        albumsChanged,
        syncToken: zone.syncToken,
        moreComing: more,
      }
      token = zone.syncToken
      if (!more) return
    }
  }

  async download(
    asset: PhotoAsset,
    resource: PhotoResource,
    path: string,
    options: PhotoDownloadOptions = {},
  ): Promise<PhotoDownloadResult> {
    // A download URL expires: the downloader asks for a fresh one, read from the asset again (§16.7).
    const refresh = async (): Promise<PhotoResource> => {
      const fresh = asset.sharedAlbum
        ? await this.sharedAlbums.asset(asset.sharedAlbum, asset.id, options)
        : await this.asset(asset.id, { ...options, library: asset.library })
      const again = fresh?.resources[resource.kind]
      if (!again)
        throw new ICloudError({
          code: 'NOT_FOUND',
          message: `The asset ${asset.filename} is gone from the library.`,
        })
      return again
    }
    return downloadResource(
      this.caller,
      resource,
      path,
      { ...options, mtime: options.mtime ?? asset.created },
      refresh,
    )
  }

  async #modify(library: PhotoLibrary, operations: unknown[], options: CallOptions): Promise<WireRecord[]> {
    const out: WireRecord[] = []
    for (let i = 0; i < operations.length; i += 200) {
      const answer = await this.#call<{ records?: WireRecord[] }>(
        library.database,
        'records/modify',
        { operations: operations.slice(i, i + 200), zoneID: library.zoneID, atomic: true },
        options,
      )
      for (const r of answer.records ?? []) {
        if (r.serverErrorCode)
          throw new ICloudError({
            code: r.serverErrorCode === 'CONFLICT' ? 'CONFLICT' : 'SERVICE_ERROR',
            serviceCode: r.serverErrorCode,
            message: `Photos refused a change of ${r.recordName ?? 'a record'}: ${r.serverErrorCode}${r.reason ? ` (${r.reason})` : ''}. Read it again and retry.`,
          })
        out.push(r)
      }
    }
    return out
  }

  #setField(
    assets: readonly PhotoAsset[],
    field: string,
    value: number,
    options: CallOptions,
  ): Promise<void> {
    return this.#groups(assets, (library, list) =>
      this.#modify(
        library,
        list.map((a) => ({
          operationType: 'update',
          record: {
            recordName: a.id,
            recordType: 'CPLAsset',
            recordChangeTag: a.recordChangeTag,
            fields: { [field]: { value, type: 'INT64' } },
          },
        })),
        options,
      ),
    )
  }

  async #groups(
    assets: readonly PhotoAsset[],
    run: (library: PhotoLibrary, list: PhotoAsset[]) => Promise<unknown>,
  ): Promise<void> {
    const by = new Map<string, { library: PhotoLibrary; list: PhotoAsset[] }>()
    for (const a of assets) {
      const g = by.get(a.library.id) ?? { library: a.library, list: [] }
      g.list.push(a)
      by.set(a.library.id, g)
    }
    for (const g of by.values()) await run(g.library, g.list)
  }

  delete(assets: readonly PhotoAsset[], options: CallOptions = {}): Promise<void> {
    return this.#setField(assets, 'isDeleted', 1, options)
  }

  restore(assets: readonly PhotoAsset[], options: CallOptions = {}): Promise<void> {
    return this.#setField(assets, 'isDeleted', 0, options)
  }

  setFavorite(assets: readonly PhotoAsset[], favorite: boolean, options: CallOptions = {}): Promise<void> {
    return this.#setField(assets, 'isFavorite', favorite ? 1 : 0, options)
  }

  async addToAlbum(
    album: PhotoAlbum,
    assets: readonly PhotoAsset[],
    options: CallOptions = {},
  ): Promise<void> {
    userAlbum(album)
    await this.#modify(
      album.library,
      assets.map((a) => ({
        operationType: 'create',
        record: {
          recordName: `${a.id}-IN-${album.id}`,
          recordType: 'CPLContainerRelation',
          fields: {
            itemId: { value: a.id, type: 'STRING' },
            containerId: { value: album.id, type: 'STRING' },
            position: { value: 1024, type: 'INT64' },
          },
        },
      })),
      options,
    )
  }

  async removeFromAlbum(
    album: PhotoAlbum,
    assets: readonly PhotoAsset[],
    options: CallOptions = {},
  ): Promise<void> {
    userAlbum(album)
    await this.#modify(
      album.library,
      assets.map((a) => ({
        operationType: 'forceDelete',
        record: { recordName: `${a.id}-IN-${album.id}`, recordType: 'CPLContainerRelation' },
      })),
      options,
    )
  }

  async createAlbum(
    name: string,
    options: CallOptions & { folder?: boolean; parent?: PhotoAlbum; library?: PhotoLibrary } = {},
  ): Promise<PhotoAlbum> {
    if (typeof name !== 'string' || name.trim() === '')
      throw new ICloudError({ code: 'INVALID_ARGUMENT', message: 'An album needs a name.' })
    if (options.parent && options.parent.kind !== 'folder')
      throw new ICloudError({ code: 'INVALID_ARGUMENT', message: `${options.parent.path} is not a folder.` })
    const library = options.parent?.library ?? (await this.#library(options.library, options))
    const id = randomRecordName()
    const [record] = await this.#modify(
      library,
      [
        {
          operationType: 'create',
          record: {
            recordName: id,
            recordType: 'CPLAlbum',
            fields: {
              albumNameEnc: { value: Buffer.from(name, 'utf8').toString('base64'), type: 'ENCRYPTED_BYTES' },
              albumType: { value: options.folder ? 3 : 0, type: 'INT64' },
              isDeleted: { value: 0, type: 'INT64' },
              isExpunged: { value: 0, type: 'INT64' },
              position: { value: Date.now(), type: 'INT64' },
              sortType: { value: 1, type: 'INT64' },
              sortAscending: { value: 1, type: 'INT64' },
              parentId: { value: options.parent?.id ?? '----Root-Folder----', type: 'STRING' },
            },
          },
        },
      ],
      options,
    )
    return {
      id,
      name,
      path: options.parent ? `${options.parent.path}/${name}` : name,
      kind: options.folder ? 'folder' : 'album',
      library,
      count: options.folder ? undefined : 0,
      ...(options.parent ? { parentId: options.parent.id } : {}),
      ...(record?.recordChangeTag ? { recordChangeTag: record.recordChangeTag } : {}),
      listType: ALBUM_LIST_TYPE,
      countId: `${ALBUM_COUNT_PREFIX}${id}`,
      filters: [eq('parentId', id)],
    }
  }

  async renameAlbum(album: PhotoAlbum, name: string, options: CallOptions = {}): Promise<PhotoAlbum> {
    userAlbum(album)
    const [record] = await this.#modify(
      album.library,
      [
        {
          operationType: 'update',
          record: {
            recordName: album.id,
            recordType: 'CPLAlbum',
            recordChangeTag: album.recordChangeTag,
            fields: {
              albumNameEnc: { value: Buffer.from(name, 'utf8').toString('base64'), type: 'ENCRYPTED_BYTES' },
            },
          },
        },
      ],
      options,
    )
    const path = album.path.includes('/')
      ? `${album.path.slice(0, album.path.lastIndexOf('/'))}/${name}`
      : name
    return {
      ...album,
      name,
      path,
      ...(record?.recordChangeTag ? { recordChangeTag: record.recordChangeTag } : {}),
    }
  }

  async deleteAlbum(album: PhotoAlbum, options: CallOptions = {}): Promise<void> {
    userAlbum(album)
    await this.#modify(
      album.library,
      [
        {
          operationType: 'update',
          record: {
            recordName: album.id,
            recordType: 'CPLAlbum',
            recordChangeTag: album.recordChangeTag,
            fields: { isDeleted: { value: 1, type: 'INT64' } },
          },
        },
      ],
      options,
    )
  }

  async upload(
    path: string,
    options: CallOptions & { album?: PhotoAlbum; filename?: string } = {},
  ): Promise<PhotoAsset> {
    const filename = options.filename ?? path.split(/[\\/]/).pop() ?? 'photo'
    const library = await this.#library(undefined, options)
    let answer: { records?: WireRecord[]; errors?: Array<{ code?: string; message?: string }> } | undefined
    try {
      answer = await this.caller.call('uploadimagews', 'POST', '/upload', {
        query: { filename },
        body: await fileBody(path),
        contentType: 'application/octet-stream',
        ...callOptions(options),
      })
    } catch (error) {
      throw photosError(error)
    }
    const failure = answer?.errors?.[0]
    if (failure)
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        ...(failure.code ? { serviceCode: failure.code } : {}),
        message: `Photos refused the upload of ${filename}: ${failure.code ?? 'error'}${failure.message ? ` (${failure.message})` : ''}.`,
      })
    const asset = (answer?.records ?? []).find((r) => r.recordType === 'CPLAsset')
    // The upload may answer skeletal records (pyicloud `upload_file`): read the asset back.
    const full = asset ? await this.asset(asset.recordName, { ...options, library }) : undefined
    if (!full)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `The upload of ${filename} answered no CPLAsset.`,
      })
    if (options.album) await this.addToAlbum(options.album, [full], options)
    return full
  }
}

function eq(fieldName: string, value: unknown, type = 'STRING'): PhotosFilter {
  return { fieldName, comparator: 'EQUALS', fieldValue: { type, value } }
}

function userAlbum(album: PhotoAlbum): void {
  if (album.kind === 'smart')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `${album.name} is a smart album; only user albums can be changed.`,
    })
}

function randomRecordName(): string {
  return crypto.randomUUID().toUpperCase()
}

/** Photos' own refusals as typed errors: ADP without consent, a missing zone. */
function photosError(error: unknown): unknown {
  return containerRefusal(error, {
    webAccess:
      'This iCloud Photos library is protected by Advanced Data Protection and the web has no access: on a trusted device allow "Access iCloud Data on the Web" (docs/protocols/icloud.md §5.5), then sign in again.',
    zoneNotFound: 'That Photos library does not exist (any more).',
  })
}
