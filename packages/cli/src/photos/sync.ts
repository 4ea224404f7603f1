import { createHash } from 'node:crypto'
import { createReadStream, readdirSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import {
  isICloudError,
  type PhotoAsset,
  type PhotoChanges,
  type PhotoLibrary,
  type PhotosApi,
  type SharedAlbum,
} from '@sigwire/icloud'
import { albumsByLibrary } from './albums.js'
import { deletedSinceListing, deleteLocalFiles, notListed } from './auto-delete.js'
import { dedupPath, type PlannedFile, plannedFiles, renditionsOf, type Selection } from './plan.js'
import { Pool } from './pool.js'
import type { SyncedFile, SyncState } from './state.js'

/** Options of {@link runPhotoSync}. */
export interface PhotoSyncOptions {
  /** The target directory (it exists and holds the state file). */
  readonly to: string
  /** Album names or paths (repeatable); none: the whole library. */
  readonly albums: readonly string[]
  /**
   * iCloud Shared Albums to mirror, by name or id (repeatable). Given without `albums`, only they are
   * synced, not the library.
   */
  readonly sharedAlbums?: readonly string[] | undefined
  readonly library: 'private' | 'shared' | 'all'
  readonly selection: Selection
  /** Only assets taken at or after this date. */
  readonly since?: Date | undefined
  /** Only the N most recent assets (of each library). */
  readonly recent?: number | undefined
  readonly concurrency: number
  readonly dryRun: boolean
  readonly deleteAfterDownload: boolean
  /**
   * Deletes the local files of assets deleted in iCloud (moved to Recently Deleted, or removed for good):
   * read from the change feed, or on a run that lists the library, from its Recently Deleted album (and
   * for a whole listing, the recorded assets neither listed nor hidden). A file changed on disk since it
   * was downloaded is kept. icloudpd's `--auto-delete` ("Sync" mode in its README) is the model.
   */
  readonly autoDelete?: boolean
  /** fsync each file before it is renamed into place (survives power loss; slower). */
  readonly fsync?: boolean
  /** Told of progress: assets planned and done, bytes expected and written. */
  readonly onProgress?: (p: SyncProgress) => void
  readonly signal?: AbortSignal
}

/** Progress of a run. */
export interface SyncProgress {
  readonly assets: number
  readonly assetsDone: number
  readonly bytes: number
  readonly bytesDone: number
}

/** What a run did. */
export interface PhotoSyncSummary {
  /** `full` listings and `incremental` reads of the change feed, per library id. */
  readonly libraries: Record<string, 'full' | 'incremental'>
  readonly assets: number
  readonly downloaded: number
  /** Files already on disk and verified. */
  readonly skipped: number
  readonly bytes: number
  /** Bytes taken from partial files of an interrupted run. */
  readonly resumedBytes: number
  /** Files a dry run would download. */
  readonly planned: string[]
  /** Assets removed from iCloud since the last run (their local files are kept). */
  readonly removedRemotely: number
  /** Assets moved to Recently Deleted by `--delete-after-download`. */
  readonly deletedFromICloud: number
  /** Local files deleted because their asset was deleted in iCloud (`autoDelete`). */
  readonly deletedLocally: number
  readonly failures: Array<{ path: string; code: string; message: string }>
}

const FINGERPRINT = 'fingerprint'
/**
 * Downloads queued at most before the listing waits ({@link Pool.backpressure}). The bound is over two
 * pages of the listing (100 assets each), so the downloads still have work while the next page is
 * fetched: with 32 they ran dry at every page (about 20 ms of downloads against 30-60 ms for a page
 * on a busy machine), which left the client idle a fifth of a first sync.
 */
const QUEUED_FILES = 256

/**
 * One sync of iCloud Photos into a directory. The first run lists the library (a count, then pages)
 * and records the zone's sync token; later runs read only the change feed from that token. A file is
 * downloaded unless the state has it verified (same asset, rendition, checksum and size, and the file
 * on disk has that size); downloads resume partial files, and a file enters the state only once it is
 * complete on disk, so a run killed at any point resumes without re-downloading verified files.
 */
export async function runPhotoSync(
  photos: PhotosApi,
  state: SyncState,
  options: PhotoSyncOptions,
): Promise<PhotoSyncSummary> {
  const summary = {
    libraries: {} as Record<string, 'full' | 'incremental'>,
    assets: 0,
    downloaded: 0,
    skipped: 0,
    bytes: 0,
    resumedBytes: 0,
    planned: [] as string[],
    removedRemotely: 0,
    deletedFromICloud: 0,
    deletedLocally: 0,
    failures: [] as Array<{ path: string; code: string; message: string }>,
  }
  const shared = options.sharedAlbums ?? []
  // Any album chosen: no whole library is read, so no sync token is kept.
  const chosen = options.albums.length > 0 || shared.length > 0
  const fingerprint = JSON.stringify([
    options.selection,
    options.albums,
    options.since?.toISOString() ?? null,
    options.recent ?? null,
    // Only when given, so the fingerprint of a state written before shared albums could be synced holds.
    ...(shared.length > 0 ? [shared] : []),
  ])
  if (!options.dryRun && state.get(FINGERPRINT) !== fingerprint) {
    // Other selections: list everything again (verified files are still skipped).
    for (const key of ['private', 'shared']) state.set(`token:${key}`, undefined)
    state.set(FINGERPRINT, fingerprint)
  }
  let libraries =
    shared.length > 0 && options.albums.length === 0
      ? []
      : (await photos.libraries({ ...signal(options) })).filter(
          (l) => options.library === 'all' || l.kind === options.library,
        )
  // With albums, only the libraries that have one of them (a user album is in the private library alone).
  const albums =
    options.albums.length > 0
      ? await albumsByLibrary(photos, libraries, options.albums, signal(options))
      : undefined
  if (albums) libraries = libraries.filter((l) => albums.has(l))
  // Found before anything is downloaded, so a name that is not there fails the run at once.
  const sharedAlbums: SharedAlbum[] = []
  for (const name of shared) sharedAlbums.push(await photos.sharedAlbums.album(name, signal(options)))
  const progress = { assets: 0, assetsDone: 0, bytes: 0, bytesDone: 0 }
  const tell = () => options.onProgress?.({ ...progress })
  const reserved = new Map<string, string>()
  const pool = new Pool(options.concurrency, QUEUED_FILES)
  const directories = new Set<string>()
  const local = new LocalFiles(options.to)
  const toDelete: PhotoAsset[] = []
  const renditions = renditionsOf(options.selection)
  // A dry run deletes nothing (it reads no change feed either).
  const autoDelete = options.autoDelete === true && !options.dryRun

  const handle = (asset: PhotoAsset): void => {
    summary.assets++
    const files = plannedFiles(asset, options.selection)
    if (files.length === 0) return
    progress.assets++
    let remaining = files.length
    let ok = true
    const done = (success: boolean) => {
      ok &&= success
      if (--remaining === 0) {
        progress.assetsDone++
        // A shared album's photos are not the library's: they stay in the album.
        if (ok && options.deleteAfterDownload && !options.dryRun && !asset.sharedAlbum) toDelete.push(asset)
        tell()
      }
    }
    for (const file of files) {
      const known = state.file(asset.id, file.kind)
      const path = placeFile(file, known, state, reserved, local)
      const size = file.resource.size
      if (
        known &&
        known.path === path &&
        known.checksum === file.resource.checksum &&
        known.size === size &&
        local.size(path) === size
      ) {
        summary.skipped++
        done(true)
        continue
      }
      if (options.dryRun) {
        summary.planned.push(path)
        done(false)
        continue
      }
      progress.bytes += size ?? 0
      tell()
      pool.run(async () => {
        try {
          const target = join(options.to, path)
          const directory = dirname(target)
          if (!directories.has(directory)) {
            await mkdir(directory, { recursive: true })
            directories.add(directory)
          }
          let sha256: string
          let written: number
          // A complete file of this size that no other asset owns is the one an interrupted run renamed
          // into place before it could record it.
          if (!known && size !== undefined && local.size(path) === size && !state.owner(path)) {
            sha256 = await hashFile(target)
            written = size
            summary.skipped++
          } else {
            let last = 0
            const result = await photos.download(asset, file.resource, target, {
              ...signal(options),
              resume: local.hasPartials(path),
              syncFile: options.fsync === true,
              syncDirectory: options.fsync === true,
              onProgress: (n) => {
                progress.bytesDone += n - last
                last = n
                tell()
              },
            })
            sha256 = result.sha256
            written = result.size
            summary.downloaded++
            summary.bytes += result.size - result.resumedFrom
            summary.resumedBytes += result.resumedFrom
          }
          state.record({
            assetId: asset.id,
            kind: file.kind,
            path,
            size: written,
            checksum: file.resource.checksum ?? '',
            sha256,
            library: asset.library.id,
          })
          done(true)
        } catch (error) {
          summary.failures.push({
            path,
            code: (error as { code?: string }).code ?? 'ERROR',
            message: (error as Error).message,
          })
          done(false)
          if (
            options.signal?.aborted ||
            isICloudError(error, 'FILE_WRITE_FAILED') ||
            isICloudError(error, 'AUTHENTICATION_REQUIRED')
          )
            throw error
        }
      })
    }
  }

  // Every library read from its change feed asks for its first page now, together: a re-run then
  // waits for one round trip for all of them, not one per library.
  const feeds = new Map<PhotoLibrary, ChangeFeed>()
  for (const library of libraries) {
    const previous = options.dryRun ? undefined : state.get(tokenKey(library))
    if (previous === undefined || chosen || options.recent !== undefined) continue
    const pages = photos.changes({ library, syncToken: previous, renditions, ...signal(options) })
    const first = pages.next()
    // Awaited when its library's turn comes; a sync that fails before then must not leave it unhandled.
    first.catch(() => undefined)
    feeds.set(library, { pages, first })
  }
  // A listing that fails (a session that cannot be renewed) stops the sync too, but only once the
  // downloads already running have finished and been recorded: they need no session, and a closed
  // client would cut them off half-written.
  try {
    for (const library of libraries) {
      const key = tokenKey(library)
      const feed = feeds.get(library)
      summary.libraries[library.id] = feed ? 'incremental' : 'full'
      if (feed) {
        for (let step = await feed.first; !step.done; step = await feed.pages.next()) {
          const page = step.value
          const gone = options.autoDelete ? [...page.removed] : []
          for (const asset of page.assets) {
            if (asset.deleted) gone.push(asset.id)
            if (asset.deleted || asset.hidden) continue
            if (options.since && asset.created < options.since) continue
            handle(asset)
          }
          summary.removedRemotely += page.removed.length
          await pool.drain()
          if (options.autoDelete) summary.deletedLocally += deleteLocalFiles(gone, state, options.to)
          if (summary.failures.length === 0) state.set(key, page.syncToken)
        }
      } else {
        // A full listing looks up every asset's files: one read of the whole state instead.
        state.preload()
        // The token zones/list gave with the library, read before the listing starts like a fresh one
        // would be: changes made during the listing are read by the next run.
        const token = library.syncToken ?? (await photos.syncToken(library, signal(options)))
        // The listing holds all of All Photos only without albums, --since and --recent.
        const listed =
          autoDelete && !chosen && !options.since && options.recent === undefined
            ? new Set<string>()
            : undefined
        let n = 0
        for (const source of albums?.get(library) ?? [undefined]) {
          for await (const asset of photos.assets({
            library,
            renditions,
            ...(source ? { album: source } : {}),
            ...(options.since ? { since: options.since } : {}),
            ...signal(options),
          })) {
            if (options.recent !== undefined && n++ >= options.recent) break
            listed?.add(asset.id)
            handle(asset)
            await pool.backpressure()
          }
        }
        await pool.drain()
        // Without a change feed, deletions are read from the library as it is now (auto-delete.ts).
        if (autoDelete) {
          const gone = await deletedSinceListing(photos, state, library, listed, signal(options))
          summary.deletedLocally += deleteLocalFiles(gone, state, options.to)
        }
        if (!options.dryRun && summary.failures.length === 0 && !chosen && options.recent === undefined)
          state.set(key, token)
      }
    }
    // A shared album is read whole on every run, as pyicloud reads one (from offset 0, docs/protocols/
    // icloud.md §22.4); sigwire reads no change feed of shared albums, and verified files are skipped.
    if (sharedAlbums.length > 0) state.preload()
    for (const album of sharedAlbums) {
      // PhotoLibrary.id of a shared album's assets.
      const libraryId = `shared-album:${album.id}`
      summary.libraries[libraryId] = 'full'
      // Listed oldest first: the N most recent are the last N.
      const skip =
        options.recent === undefined
          ? 0
          : Math.max(0, (await photos.sharedAlbums.count(album, signal(options))) - options.recent)
      // Read whole (no --since, no --recent), the listing is the album: what the state has of it and
      // the listing lacks was taken out of the album.
      const listed =
        autoDelete && !options.since && options.recent === undefined ? new Set<string>() : undefined
      let n = 0
      for await (const asset of photos.sharedAlbums.assets(album, signal(options))) {
        listed?.add(asset.id)
        if (n++ < skip) continue
        if (options.since && asset.created < options.since) continue
        handle(asset)
        await pool.backpressure()
      }
      if (listed) {
        await pool.drain()
        summary.deletedLocally += deleteLocalFiles(notListed(state, libraryId, listed), state, options.to)
      }
    }
    await pool.drain()
  } catch (error) {
    await pool.stop()
    // Feeds not read yet end here, without waiting for a first request still in flight (closing the
    // client ends it).
    for (const feed of feeds.values()) feed.pages.return?.().catch(() => undefined)
    throw error
  }
  for (let i = 0; i < toDelete.length; i += 100) {
    await photos.delete(toDelete.slice(i, i + 100), signal(options))
    summary.deletedFromICloud += Math.min(100, toDelete.length - i)
  }
  return summary
}

/** A library's change feed, its first page asked for. */
interface ChangeFeed {
  readonly pages: AsyncIterator<PhotoChanges>
  readonly first: Promise<IteratorResult<PhotoChanges>>
}

/** The state key of a library's sync token. */
function tokenKey(library: PhotoLibrary): string {
  return `token:${library.kind === 'private' ? 'private' : 'shared'}`
}

function signal(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {}
}

/** The path a file gets: its planned one, unless another asset owns it (then de-duplicated). */
function placeFile(
  file: PlannedFile,
  known: SyncedFile | undefined,
  state: SyncState,
  reserved: Map<string, string>,
  local: LocalFiles,
): string {
  const self = `${file.asset.id}\u0000${file.kind}`
  if (known && known.checksum === file.resource.checksum && reserved.get(known.path) === undefined) {
    reserved.set(known.path, self)
    return known.path
  }
  const taken = (candidate: string): boolean => {
    const claim = reserved.get(candidate)
    if (claim !== undefined) return claim !== self
    const owner = state.owner(candidate)
    if (owner) return `${owner.assetId}\u0000${owner.kind}` !== self
    // An untracked file of another size is someone else's.
    const size = local.size(candidate)
    return size !== undefined && size !== file.resource.size
  }
  const path = dedupPath(file.path, file.resource.size, taken)
  reserved.set(path, self)
  return path
}

/**
 * Sizes of the files under the target directory. Each directory's names are read once, when a file is
 * first planned in it, and only names found there are stat'ed: a first sync into an empty directory
 * stat'ed every planned file (twice), as much CPU as the file's download bookkeeping. A name this run
 * creates is the run's own (it is reserved before it is written), so the listing need not follow it.
 */
class LocalFiles {
  readonly #to: string
  readonly #listings = new Map<string, Listing>()

  constructor(to: string) {
    this.#to = to
  }

  /** The size of the file at `path` (relative, `/`-separated), undefined when there is none. */
  size(path: string): number | undefined {
    const full = join(this.#to, path)
    if (!this.#listing(dirname(full)).names.has(basename(full))) return undefined
    const info = statSync(full, { throwIfNoEntry: false })
    return info?.isFile() ? info.size : undefined
  }

  /**
   * Whether the directory of `path` held partial downloads when it was listed. Only an earlier run
   * leaves them (this run creates its own after the listing, and never resumes them in the same run), so
   * without any the downloads there need not look for one: one failed stat fewer per file of a first
   * sync (about 2% of the client's CPU in a profile of a 5,000-asset sync).
   */
  hasPartials(path: string): boolean {
    return this.#listing(dirname(join(this.#to, path))).partials
  }

  #listing(dir: string): Listing {
    let listing = this.#listings.get(dir)
    if (listing === undefined) {
      listing = listDirectory(dir)
      this.#listings.set(dir, listing)
    }
    return listing
  }
}

/** The names in a directory, and whether one is a partial download. */
interface Listing {
  readonly names: ReadonlySet<string>
  readonly partials: boolean
}

/** The suffix of a partial download's name (`PhotoDownloadOptions.resume`). */
const PARTIAL_SUFFIX = '.sigwire-part'

function listDirectory(dir: string): Listing {
  try {
    const names = readdirSync(dir)
    return { names: new Set(names), partials: names.some((n) => n.endsWith(PARTIAL_SUFFIX)) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { names: new Set(), partials: false }
    throw error
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
