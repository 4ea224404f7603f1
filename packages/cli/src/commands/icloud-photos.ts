import { statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isSigwireError } from '@sigwire/core'
import {
  createICloudClient,
  type ICloudClient,
  ICloudError,
  type PhotoAsset,
  type PhotoLibrary,
} from '@sigwire/icloud'
import { Presets, SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { checkLocalFile } from '../input/local-file.js'
import { choiceOption, numberOption } from '../input/option-values.js'
import { cliError, EXIT } from '../output/errors.js'
import { describeFailure, printFailure } from '../output/failure.js'
import { colors, type Io, printJson } from '../output/io.js'
import { albumsByLibrary } from '../photos/albums.js'
import { newestFirst } from '../photos/newest-first.js'
import { type Selection, SIZES, type SyncSize } from '../photos/plan.js'
import { openSyncState, type SyncState } from '../photos/state.js'
import { runPhotoSync, type SyncProgress } from '../photos/sync.js'
import { formatBytes } from './icloud-drive-output.js'
import { checkSharedAlbumOption, sharedAlbumAssets, sharedAlbumRows } from './icloud-photos-shared.js'
import { onInterrupt } from './on-interrupt.js'
import { locateSavedSession, type SessionLocation, STORE_HELP } from './store-option.js'
import { whileRequestInFlight } from './while-request-in-flight.js'

const DEFAULT_SESSION_DIR = join(homedir(), '.sigwire', 'icloud')

interface SessionOptions extends SessionLocation {
  appleId?: string
  sessionDir: string
  json?: boolean
  library: 'private' | 'shared' | 'all'
}

/** `sigwire icloud photos ls|albums|sync`: iCloud Photos through the saved session. */
export function registerICloudPhotos(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const photos = icloud
    .command('photos')
    .description('iCloud Photos: list albums and assets, sync a library to a directory, upload')
  const sessionOptions = (command: Command) =>
    command
      .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
      .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
      .option('--store <url>', STORE_HELP)
      .option('--json', 'machine-readable output')
  const common = (command: Command) =>
    sessionOptions(command).option(
      '--library <which>',
      'private, shared or all',
      choiceOption('--library', ['private', 'shared', 'all'] as const),
      'all',
    )

  common(
    photos
      .command('albums')
      .description('list smart albums, albums and folders with their counts, and the shared albums'),
  )
    .option('--shared', 'list only the shared albums (iCloud Shared Albums)')
    .action(async (options: SessionOptions & { shared?: boolean }) =>
      withClient(io, options, async (client) => {
        const rows: Array<{
          library: string
          id?: string
          name: string
          kind: string
          count: number | null
        }> = []
        if (!options.shared)
          for (const library of await libraries(client, options.library)) {
            for (const album of await client.photos.albums({ library }))
              rows.push({
                library: library.id,
                id: album.id,
                name: album.path,
                kind: album.kind,
                count: album.count ?? null,
              })
          }
        if (options.shared || options.library === 'all') rows.push(...(await sharedAlbumRows(client)))
        if (options.json) printJson(io, { albums: rows })
        else {
          const width = Math.max(0, ...rows.map((r) => libraryLabel(r.library).length))
          for (const r of rows)
            io.out(
              `${libraryLabel(r.library).padEnd(width)}  ${r.kind.padEnd(6)} ${String(r.count ?? '').padStart(7)}  ${r.name}`,
            )
        }
        setExit(EXIT.ok)
      }),
    )

  common(photos.command('ls').description('list the assets of the library or of an album, newest first'))
    .option('--album <name>', 'an album (name, Folder/Name path or id)')
    .option('--shared-album <name>', 'a shared album (name or id), its assets oldest first')
    .option(
      '--limit <n>',
      'at most this many assets',
      numberOption('--limit', { min: 1, max: 10_000_000, integer: true, unit: 'a count' }),
    )
    .action(async (options: SessionOptions & { album?: string; sharedAlbum?: string; limit?: number }) => {
      checkSharedAlbumOption(options)
      return withClient(io, options, async (client) => {
        let n = 0
        const rows: unknown[] = []
        const sources =
          options.sharedAlbum !== undefined
            ? [sharedAlbumAssets(client, options.sharedAlbum)]
            : await assetListings(client, options)
        // Several libraries: one listing newest first, each line led by its library.
        const several = sources.length > 1
        for await (const asset of several ? newestFirst(sources) : (sources[0] ?? [])) {
          if (options.limit !== undefined && n++ >= options.limit) break
          const row = describe(asset)
          if (options.json) rows.push(row)
          else
            io.out(
              `${several ? `${libraryLabel(row.library).padEnd(7)}  ` : ''}${row.created}  ${row.type.padEnd(5)} ${String(row.size ?? '').padStart(11)}  ${row.filename}${row.live ? ' (live)' : ''}`,
            )
        }
        if (options.json) printJson(io, { assets: rows })
        setExit(EXIT.ok)
      })
    })

  sessionOptions(
    photos
      .command('upload')
      .description('upload photos and videos into the private library, one after another'),
  )
    .argument('<files...>', 'the photo and video files')
    .option('--album <name>', 'a user album to add them to (name, Folder/Name path or id)')
    .action(async (files: string[], options: Omit<SessionOptions, 'library'> & { album?: string }) => {
      // Every file is checked before anything is sent.
      for (const file of files) checkLocalFile(file, 'upload')
      return withClient(io, { ...options, library: 'private' }, async (client) => {
        const [library] = await libraries(client, 'private')
        const album =
          options.album === undefined ? undefined : await client.photos.album(options.album, { library })
        if (album && album.kind !== 'album')
          throw cliError(
            'INVALID_OPTION',
            `--album names ${album.kind === 'smart' ? 'the smart album' : 'the folder'} ${JSON.stringify(album.path)}: name a user album (see photos albums).`,
          )
        const uploaded: Array<{ file: string; id: string; filename: string }> = []
        // One at a time: an upload is a write, never repeated, and a failure stops here with the files
        // before it uploaded (listed on stdout) and the ones after it untouched.
        try {
          for (const file of files) {
            const asset = await client.photos.upload(resolve(file), album ? { album } : {})
            uploaded.push({ file, id: asset.id, filename: asset.filename })
            if (!options.json)
              io.out(
                `${colors(io).green('✓')} ${file} uploaded as ${asset.filename}${album ? ` into ${album.path}` : ''}  id ${asset.id}`,
              )
          }
        } finally {
          // With --json the uploads done are printed even when a later one fails (its error goes to stderr).
          if (options.json) printJson(io, { uploaded })
        }
        setExit(EXIT.ok)
      })
    })

  common(
    photos
      .command('sync')
      .description('download a library or albums into a directory; later runs read only what changed'),
  )
    .requiredOption('--to <dir>', 'the target directory (its state file is .sigwire-photos.sqlite)')
    .option('--album <name>', 'an album to sync, by name, Folder/Name path or id (repeatable)', collect, [])
    .option(
      '--shared-album <name>',
      'a shared album (iCloud Shared Albums) to sync, by name or id (repeatable; alone, only they are synced)',
      collect,
      [],
    )
    .option('--size <size>', `rendition to download (repeatable): ${SIZES.join(', ')}`, collectSizes, [])
    .option(
      '--live-photos <mode>',
      'include, skip or only the videos of live photos',
      choiceOption('--live-photos', ['include', 'skip', 'only'] as const),
      'include',
    )
    .option('--skip-videos', 'do not download videos')
    .option('--since <date>', 'only assets taken on or after this date (YYYY-MM-DD or ISO 8601)', sinceOption)
    .option(
      '--recent <n>',
      'only the N most recent assets',
      numberOption('--recent', { min: 1, max: 10_000_000, integer: true, unit: 'a count' }),
    )
    .option(
      '--folder-structure <pattern>',
      "sub-folders by creation date, like '{yyyy}/{mm}/{dd}', or none",
      '{yyyy}/{mm}/{dd}',
    )
    .option(
      '--file-match-policy <policy>',
      'name-size-dedup or name-id',
      choiceOption('--file-match-policy', ['name-size-dedup', 'name-id'] as const),
      'name-size-dedup',
    )
    .option(
      '--concurrency <n>',
      'downloads at once',
      numberOption('--concurrency', { min: 1, max: 64, integer: true, unit: 'a count' }),
      4,
    )
    .option('--dry-run', 'list what would be downloaded, change nothing')
    .option(
      '--fsync',
      'fsync each file and its directory before it is recorded as done (survives a power loss; slower)',
    )
    .option(
      '--delete-after-download',
      'move each asset to Recently Deleted once all its files are verified on disk',
    )
    .option(
      '--auto-delete',
      'delete the local files of assets deleted in iCloud (moved to Recently Deleted or removed for good); files changed on disk are kept',
    )
    .option(
      '--watch <seconds>',
      'sync again N seconds after each pass ends, until Ctrl-C or SIGTERM',
      numberOption('--watch', { min: 1, max: 86_400 * 7, integer: true, unit: 'a number of seconds' }),
    )
    .action(
      async (
        options: SessionOptions & {
          to: string
          album: string[]
          sharedAlbum: string[]
          size: SyncSize[]
          livePhotos: Selection['livePhotos']
          skipVideos?: boolean
          since?: Date
          recent?: number
          folderStructure: string
          fileMatchPolicy: Selection['fileMatchPolicy']
          concurrency: number
          dryRun?: boolean
          deleteAfterDownload?: boolean
          autoDelete?: boolean
          fsync?: boolean
          watch?: number
        },
      ) => {
        if (options.dryRun && options.deleteAfterDownload)
          throw cliError(
            'CONFLICTING_OPTIONS',
            '--dry-run changes nothing, so it cannot be combined with --delete-after-download.',
          )
        // The assets --delete-after-download moves to Recently Deleted would come back as deletions and
        // take their files with them.
        if (options.autoDelete && options.deleteAfterDownload)
          throw cliError(
            'CONFLICTING_OPTIONS',
            '--auto-delete would delete the files --delete-after-download keeps: pass one of them.',
          )
        if (/[{}]/.test(options.folderStructure.replace(/\{(yyyy|mm|dd|hh|MM)\}/g, '')))
          throw cliError(
            'INVALID_OPTION',
            `--folder-structure knows {yyyy}, {mm}, {dd}, {hh} and {MM} (got ${JSON.stringify(options.folderStructure.slice(0, 40))}).`,
          )
        const to = resolve(options.to)
        const kind = targetKind(to)
        if (kind && !kind.isDirectory())
          throw cliError(
            'NOT_A_DIRECTORY',
            `--to names ${to}, which is (or is under) a file: name a directory.`,
          )
        if (!options.dryRun)
          await mkdir(to, { recursive: true }).catch((error: unknown) => failWrite(error, to))
        const selection: Selection = {
          sizes: options.size.length > 0 ? options.size : ['original'],
          livePhotos: options.livePhotos,
          skipVideos: options.skipVideos === true,
          folderStructure: options.folderStructure,
          fileMatchPolicy: options.fileMatchPolicy,
        }
        let state: SyncState | undefined
        const open = () => {
          state ??= options.dryRun && !kind ? memoryless() : openState(to)
          return state
        }
        let failure: { error: unknown } | undefined
        // Ctrl-C (or SIGTERM) stops the pass at once: downloads in flight keep their bytes to resume
        // from, finished files are recorded when the state closes below. A second Ctrl-C kills.
        const interrupt = onInterrupt()
        try {
          await withClient(
            io,
            options,
            async (client) => {
              for (;;) {
                const bar = progressBar(io, options.json === true)
                const started = Date.now()
                let waitMs = (options.watch ?? 0) * 1000
                try {
                  const summary = await runPhotoSync(client.photos, open(), {
                    to,
                    albums: options.album,
                    sharedAlbums: options.sharedAlbum,
                    library: options.library,
                    selection,
                    since: options.since,
                    recent: options.recent,
                    concurrency: options.concurrency,
                    dryRun: options.dryRun === true,
                    deleteAfterDownload: options.deleteAfterDownload === true,
                    autoDelete: options.autoDelete === true,
                    fsync: options.fsync === true,
                    onProgress: bar.update,
                    signal: interrupt.signal,
                  }).finally(bar.stop)
                  const result = { ...summary, seconds: (Date.now() - started) / 1000, to }
                  if (options.json) printJson(io, result)
                  else report(io, result, options.dryRun === true, options.autoDelete === true)
                  setExit(summary.failures.length > 0 ? EXIT.failed : EXIT.ok)
                } catch (error) {
                  // A watch outlives a pass that failed for a reason the next pass may not meet (the
                  // network, throttling, a library still indexing); anything else needs the user.
                  if (options.watch === undefined || interrupt.signal.aborted || !passMayRecover(error))
                    throw error
                  const failed = describeFailure(error)
                  printFailure(io, failed, options.json === true)
                  setExit(failed.exit)
                  waitMs = Math.max(waitMs, (error as { retryAfterMs?: number }).retryAfterMs ?? 0)
                  if (!options.json)
                    io.err(`sigwire: the watch goes on: next pass in ${Math.ceil(waitMs / 1000)} s.`)
                }
                if (options.watch === undefined) break
                // Interrupted while waiting: the watch ends, exit 1 if any pass failed (`main` keeps the worst).
                if (!(await pause(waitMs, interrupt.signal))) break
              }
            },
            open,
          )
        } catch (error) {
          failure = {
            error: interrupt.signal.aborted
              ? cliError(
                  'INTERRUPTED',
                  `The sync of ${to} was interrupted. The files it finished are kept and recorded, partial downloads resume: run the same command again to continue.`,
                )
              : error,
          }
        } finally {
          interrupt.dispose()
        }
        // A state that cannot be written on close (the disk filled up) is reported, unless the sync
        // already failed: then that first error is the one to read.
        try {
          state?.close()
        } catch (error) {
          failure ??= { error }
        }
        if (failure) throw failure.error
      },
    )
}

function targetKind(to: string): { isDirectory(): boolean } | undefined {
  try {
    return statSync(to, { throwIfNoEntry: false })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return { isDirectory: () => false }
    throw error
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function collectSizes(value: string, previous: SyncSize[]): SyncSize[] {
  return [...previous, choiceOption('--size', SIZES)(value)]
}

function sinceOption(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) ? new Date(value) : new Date(Number.NaN)
  if (Number.isNaN(date.getTime()))
    throw cliError(
      'INVALID_OPTION',
      `--since ${JSON.stringify(value.slice(0, 40))} is not a date: use YYYY-MM-DD or ISO 8601.`,
    )
  return date
}

function openState(to: string) {
  try {
    return openSyncState(to)
  } catch (error) {
    if ((error as { code?: string }).code === 'STATE_BUSY')
      throw cliError('FILE_EXISTS', `${(error as Error).message} Wait for it to finish.`)
    return failWrite(error, to)
  }
}

/** A state that remembers nothing (a dry run into a directory that does not exist yet). */
function memoryless(): SyncState {
  return {
    get: () => undefined,
    set: () => {},
    file: () => undefined,
    owner: () => undefined,
    preload: () => {},
    record: () => {},
    filesOf: () => [],
    assetsOf: () => [],
    forget: () => {},
    count: () => 0,
    flush: () => {},
    close: () => {},
  }
}

function failWrite(error: unknown, to: string): never {
  // Node 22's statSync({ throwIfNoEntry: false }) answers undefined for a path under a file (ENOTDIR),
  // so the mkdir is where such a target shows up.
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOTDIR' || code === 'EEXIST')
    throw cliError('NOT_A_DIRECTORY', `--to names ${to}, which is (or is under) a file: name a directory.`)
  throw cliError(
    'FILE_WRITE_FAILED',
    `Cannot write into ${to} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check that it is a writable directory.`,
  )
}

async function libraries(client: ICloudClient, which: SessionOptions['library']): Promise<PhotoLibrary[]> {
  return (await client.photos.libraries()).filter((l) => which === 'all' || l.kind === which)
}

/** What `ls` lists: each library's assets, or the album's in each library that has it. */
async function assetListings(
  client: ICloudClient,
  options: SessionOptions & { album?: string },
): Promise<Array<AsyncIterable<PhotoAsset>>> {
  const chosen = await libraries(client, options.library)
  if (options.album === undefined) return chosen.map((library) => client.photos.assets({ library }))
  const albums = await albumsByLibrary(client.photos, chosen, [options.album])
  return [...albums.values()].flat().map((album) => client.photos.assets({ album }))
}

function describe(asset: PhotoAsset) {
  return {
    id: asset.id,
    library: asset.library.id,
    filename: asset.filename,
    type: asset.type,
    live: asset.isLivePhoto,
    created: asset.created.toISOString(),
    size: asset.resources.original?.size ?? null,
    favorite: asset.favorite,
    resources: Object.keys(asset.resources),
  }
}

/** Codes of a failed pass that a later pass of `--watch` may not meet. */
const PASS_MAY_RECOVER = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'THROTTLED',
  'PHOTOS_NOT_READY',
  'URL_EXPIRED',
  'DOWNLOAD_INCOMPLETE',
  'INVALID_RESPONSE',
  'STORE_UNAVAILABLE',
  'LEASE_TIMEOUT',
])

function passMayRecover(error: unknown): boolean {
  if (!isSigwireError(error)) return false
  if (PASS_MAY_RECOVER.has(error.code)) return true
  // A server error (5xx) is Apple's, and usually passes; a 4xx answer is about the request.
  return error.code === 'SERVICE_ERROR' && error.status !== undefined && error.status >= 500
}

/** Waits `ms`; false when `signal` fired first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}

/**
 * Runs `task` with a client continuing the saved session (SIGWIRE_ICLOUD_PASSWORD lets it sign in
 * again). `whileChecking`, synchronous work the task needs first, runs while the session check's
 * request is in flight (or after the check, when it sent none).
 */
async function withClient(
  io: Io,
  options: SessionOptions,
  task: (client: ICloudClient) => Promise<void>,
  whileChecking?: () => void,
): Promise<void> {
  const located = await locateSavedSession(options)
  const { saved } = located
  const endpoints = saved.state.endpoints
  const hosts = endpoints
    ? [...new Set(Object.values(endpoints).map((u) => new URL(String(u)).hostname))]
    : []
  const password = io.env.SIGWIRE_ICLOUD_PASSWORD
  let client: ICloudClient
  try {
    client = createICloudClient({
      appleId: saved.appleId,
      store: located.store,
      ...(endpoints ? { endpoints, allowHosts: hosts, allowInsecureLoopback: true } : {}),
      ...(password ? { password } : {}),
    })
  } catch (error) {
    await located.close()
    throw error
  }
  const overlapped = whileChecking ? whileRequestInFlight(whileChecking) : undefined
  try {
    const resumed = await client.resume().catch((error: unknown) => {
      overlapped?.cancel()
      throw error
    })
    overlapped?.settle()
    if (!resumed) {
      if (!password)
        throw new ICloudError({
          code: 'AUTHENTICATION_REQUIRED',
          message: `The saved session of ${saved.appleId} expired: run sigwire icloud login --apple-id ${saved.appleId} (or set SIGWIRE_ICLOUD_PASSWORD).`,
        })
      await client.login()
    }
    await task(client)
  } finally {
    await client.close()
    await located.close()
  }
}

function progressBar(io: Io, json: boolean): { update: (p: SyncProgress) => void; stop: () => void } {
  const stream = io.progressStream
  if (stream === undefined || json) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar(
    {
      stream,
      format:
        'photos [{bar}] {percentage}% | {assetsDone}/{assets} assets | {mb}/{totalMb} MB | {rate} MB/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  )
  const started = Date.now()
  let running = false
  return {
    update: (p) => {
      const payload = {
        assets: p.assets,
        assetsDone: p.assetsDone,
        mb: (p.bytesDone / 1e6).toFixed(1),
        totalMb: (p.bytes / 1e6).toFixed(1),
        rate: (p.bytesDone / 1e6 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
      }
      if (!running) {
        bar.start(Math.max(1, p.bytes), p.bytesDone, payload)
        running = true
      }
      bar.setTotal(Math.max(1, p.bytes))
      bar.update(p.bytesDone, payload)
    },
    stop: () => {
      if (running) bar.stop()
    },
  }
}

/** A library as `--library` names it: `shared`, not the SharedSync zone's id (which `--json` gives). */
function libraryLabel(id: string): string {
  return id.startsWith('shared:') ? 'shared' : id
}

function report(
  io: Io,
  s: Awaited<ReturnType<typeof runPhotoSync>> & { seconds: number; to: string },
  dryRun: boolean,
  autoDelete: boolean,
): void {
  const c = colors(io)
  if (dryRun) {
    for (const path of s.planned) io.out(`would download ${path}`)
    io.out(
      `${s.planned.length} ${s.planned.length === 1 ? 'file' : 'files'} would be downloaded, ${s.skipped} ${s.skipped === 1 ? 'is' : 'are'} already there`,
    )
    return
  }
  const modes = Object.entries(s.libraries)
    .map(([id, mode]) => `${libraryLabel(id)}: ${mode}`)
    .join(', ')
  io.out(
    `${s.failures.length === 0 ? c.green('✓') : c.red('✗')} ${s.downloaded} downloaded (${formatBytes(s.bytes)}${s.resumedBytes ? `, ${formatBytes(s.resumedBytes)} resumed` : ''}), ${s.skipped} already there, in ${s.seconds.toFixed(1)} s (${modes}) into ${s.to}`,
  )
  if (s.removedRemotely)
    io.out(
      `  ${s.removedRemotely} records were removed from iCloud since the last run${autoDelete ? '' : ' (local files kept; --auto-delete deletes them)'}`,
    )
  if (s.deletedFromICloud) io.out(`  ${s.deletedFromICloud} assets moved to Recently Deleted in iCloud`)
  if (s.deletedLocally)
    io.out(`  ${s.deletedLocally} local files deleted (their assets were deleted in iCloud)`)
  for (const f of s.failures.slice(0, 20)) io.err(`  failed: ${f.path}: ${f.code}: ${f.message}`)
}
