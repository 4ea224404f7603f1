import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DurableStore, Route, RouteAuth, RouteRequest } from '@sigwire/emulator-kit'
import { CloudKitData } from '@sigwire/emulator-kit/cloudkit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudContext } from '../context.js'
import { webSession } from '../setup.js'
import type { EmulatedAccount } from '../state.js'
import { contentUrl, urlKey } from './content.js'
import { type AssetView, PhotosLibrary, PRIMARY_ZONE } from './library.js'
import { photosRoutes } from './routes.js'

/** Options of the Photos library of {@link startICloudEmulator}. */
export interface PhotosOptions {
  /**
   * Seeds the library from this directory at start (again at each start: new files are added, changed
   * ones replaced, removed ones deleted): every image and video file becomes an asset, `NAME.HEIC` +
   * `NAME.MOV` a live photo, `NAME.DNG` + `NAME.JPG` a RAW+JPEG pair, sub-folders albums, `shared/` the
   * Shared Library (docs/protocols/icloud.md §16.10).
   */
  photosDir?: string
  /** Whose library the directory seeds. Default: the development account, else the first configured one. */
  photosAccount?: string
  /**
   * The medium and thumbnail renditions of images. `scaled` (default): real JPEGs scaled from JPEG and
   * PNG originals when jpeg-js and pngjs are installed (optional peer dependencies), rendered once per
   * distinct original and kept in the state directory; about 3 s for a 12 MP photo on first seeding.
   * `stand-in`: a 16×16 JPEG for every image, for large libraries that must start at once
   * (docs/protocols/icloud.md §16.10).
   */
  photosRenditions?: 'scaled' | 'stand-in'
}

/** What a seeding changed. */
export interface SeedResult {
  /** Assets created or replaced. */
  readonly added: number
  /** Assets whose files left the directory. */
  readonly removed: number
  /** Assets whose files did not change. */
  readonly unchanged: number
  /** What re-reading `shared-albums/` changed (iCloud Shared Albums); absent when only the library was read. */
  readonly sharedAlbums?: {
    /** Albums created or whose photos changed. */
    readonly changed: number
    /** Albums whose folder is gone. */
    readonly removed: number
    /** Albums left as they were. */
    readonly unchanged: number
  }
}

/** One asset of an emulated library, for tests and benchmarks. */
export interface EmulatedPhoto {
  /** The CPLAsset record name (what clients call the asset's id). */
  readonly id: string
  /** The CPLMaster record name. */
  readonly masterId: string
  /** The original file name. */
  readonly filename: string
  /** The zone it is in. */
  readonly zone: string
  /** In Favorites. */
  readonly favorite: boolean
  /** Hidden. */
  readonly hidden: boolean
  /** True once the zone was deleted. */
  readonly deleted: boolean
}

/** Live control of the emulated Photos libraries. */
export interface PhotosControl {
  /**
   * Reads the seed directory again (or another one): adds, replaces and removes assets, each change
   * moving the sync token; its `shared-albums/` folder is read again into the iCloud Shared Albums.
   */
  seed(dir?: string, appleId?: string): Promise<SeedResult>
  /** The assets of an account's zone (default: the Photos account's private library), oldest first. */
  list(options?: { appleId?: string; zone?: string }): EmulatedPhoto[]
  /** Marks an asset favourite or not (a change of the zone). */
  setFavorite(id: string, favorite: boolean, options?: { appleId?: string; zone?: string }): Promise<void>
  /** Hides or shows an asset. */
  setHidden(id: string, hidden: boolean, options?: { appleId?: string; zone?: string }): Promise<void>
  /** Moves an asset to Recently Deleted (`isDeleted = 1`), as the web app does. */
  trash(id: string, options?: { appleId?: string; zone?: string }): Promise<void>
  /** Removes an asset for good (its records become tombstones in the change feed). */
  expunge(id: string, options?: { appleId?: string; zone?: string }): Promise<void>
  /** The indexing state `CheckIndexingState` answers (`RUNNING` makes clients wait). */
  indexingState: 'FINISHED' | 'RUNNING'
  /** Puts an account behind Advanced Data Protection without web access (Photos answers ACCESS_DENIED). */
  setAdvancedDataProtection(appleId: string, on: boolean): void
  /** How long download URLs stay valid, ms (default one hour). */
  downloadUrlLifetimeMs: number
  /** The Shared Library zone name of an account, when it has one. */
  sharedZone(appleId?: string): string | undefined
}

/** The tables the Photos library needs in the iCloud emulator's store (the engine's and its own). */
export { PHOTOS_TABLES } from './library.js'

/** Builds the Photos part of the iCloud emulator: its routes and its control object. */
export function createPhotos(
  store: DurableStore,
  base: Omit<ICloudContext, 'tx' | 'cookieDomain'>,
  options: PhotosOptions & {
    stateDir?: string
    defaultAccount: () => string | undefined
    /** Seeds the iCloud Shared Albums from the same directory (its `shared-albums/`), with the library. */
    seedSharedAlbums?: (dir: string, appleId: string) => Promise<NonNullable<SeedResult['sharedAlbums']>>
  },
): {
  routes: (serviceAuth: RouteAuth<unknown>) => Route<unknown>[]
  control: PhotosControl
  library: PhotosLibrary
  /** The CloudKit engine's state, shared with the other containers of `ckdatabasews` (Notes, Reminders). */
  data: CloudKitData
  start: () => Promise<void>
  close: () => Promise<void>
  /** A signed download URL of the content route for a stored content row, valid for the library's URL lifetime. */
  downloadUrl: (assetId: string) => string
} {
  const data = new CloudKitData(store)
  if (options.photosRenditions !== undefined && !['scaled', 'stand-in'].includes(options.photosRenditions))
    throw new TypeError(
      `photosRenditions must be "scaled" or "stand-in" (got ${JSON.stringify(String(options.photosRenditions).slice(0, 40))}).`,
    )
  const tmpDir = mkdtempSync(join(tmpdir(), 'sigwire-photos-'))
  const library = new PhotosLibrary(store, data, {
    now: base.now,
    scratchDir: tmpDir,
    renditions: options.photosRenditions ?? 'scaled',
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  })
  const meta = store.table<string>('meta')
  const secret = meta.get('photosUrlSecret') ?? randomBytes(32).toString('hex')
  const key = urlKey(secret)
  const accountOf = (appleId?: string): EmulatedAccount => {
    const id = normalizeAppleId(appleId ?? options.photosAccount ?? options.defaultAccount() ?? '')
    const account = base.data.accounts.get(id)
    if (!account) throw new Error(`The iCloud emulator has no account ${id}.`)
    return account
  }
  const zoneOf = (o: { appleId?: string; zone?: string } = {}) => {
    const account = accountOf(o.appleId)
    return { dsid: account.dsid, zone: o.zone ?? PRIMARY_ZONE }
  }
  const int = (value: number) => ({ type: 'INT64', value })
  const control: PhotosControl = {
    seed: async (dir, appleId) => {
      const from = dir ?? options.photosDir
      if (!from) throw new Error('No photos directory to seed from: pass one.')
      const account = accountOf(appleId)
      const result = await library.seed(account.dsid, from)
      if (!options.seedSharedAlbums) return result
      return { ...result, sharedAlbums: await options.seedSharedAlbums(from, account.appleId) }
    },
    list: (o) => {
      const { dsid, zone } = zoneOf(o)
      const target = library.zone(dsid, zone)
      if (!target) return []
      return library
        .views(target.zone)
        .assets.slice()
        .sort((a, b) => a.assetDate - b.assetDate)
        .map((v: AssetView) => ({
          id: v.asset.recordName,
          masterId: v.master.recordName,
          filename: Buffer.from(String(v.master.fields.filenameEnc?.value ?? ''), 'base64').toString('utf8'),
          zone,
          favorite: v.smart.has('FAVORITE'),
          hidden: v.hidden,
          deleted: v.deleted,
        }))
    },
    setFavorite: (id, on, o) => {
      const { dsid, zone } = zoneOf(o)
      return library.updateAsset(dsid, zone, id, { isFavorite: int(on ? 1 : 0) })
    },
    setHidden: (id, on, o) => {
      const { dsid, zone } = zoneOf(o)
      return library.updateAsset(dsid, zone, id, { isHidden: int(on ? 1 : 0) })
    },
    trash: (id, o) => {
      const { dsid, zone } = zoneOf(o)
      return library.updateAsset(dsid, zone, id, { isDeleted: int(1) })
    },
    expunge: (id, o) => {
      const { dsid, zone } = zoneOf(o)
      return library.expungeAsset(dsid, zone, id)
    },
    get indexingState() {
      return library.indexingState
    },
    set indexingState(value) {
      library.indexingState = value
    },
    setAdvancedDataProtection: (appleId, on) => {
      const id = normalizeAppleId(appleId)
      if (on) library.adpAccounts.add(id)
      else library.adpAccounts.delete(id)
    },
    get downloadUrlLifetimeMs() {
      return library.downloadUrlLifetimeMs
    },
    set downloadUrlLifetimeMs(value) {
      library.downloadUrlLifetimeMs = value
    },
    sharedZone: (appleId) => library.sharedZoneName(accountOf(appleId).dsid),
  }
  const account = (request: RouteRequest<unknown>): EmulatedAccount | undefined => {
    const alive = webSession({ ...base, tx: request.tx, cookieDomain: undefined }, request)
    return alive ? base.data.accounts.get(alive.session.appleId) : undefined
  }
  return {
    routes: (serviceAuth) => photosRoutes({ base, data, library, urlKey: key, tmpDir, account }, serviceAuth),
    control,
    library,
    data,
    start: async () => {
      if (!meta.has('photosUrlSecret')) await store.write((tx) => tx.put('meta', 'photosUrlSecret', secret))
      if (options.photosDir) await control.seed()
    },
    close: () => rm(tmpDir, { recursive: true, force: true }),
    downloadUrl: (assetId) =>
      contentUrl(base.origin, key, assetId, '', base.now() + library.downloadUrlLifetimeMs),
  }
}
