import { createHash } from 'node:crypto'
import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import { fileChecksum } from '../photos/checksum.js'
import type { PhotoContent } from '../photos/library.js'
import { masterRecordName, uuidOf } from '../photos/records.js'
import type { SeedAsset, SeedFile } from '../photos/scan.js'
import { scanSharedAlbums } from './seed.js'

/** The table of the iCloud emulator's store that keeps the shared albums. */
export const SHARED_ALBUMS_TABLE = 'sharedAlbums'
/** The Photos library's table of downloadable bytes, which its content route serves (`photos/content.ts`). */
const CONTENT_TABLE = 'photoContent'

/** One file of a shared asset, as stored. */
export interface SharedFileRow {
  /** The ID its download URL names (a row of the Photos library's content table). */
  readonly assetId: string
  /** The emulator's `fileChecksum` of the bytes. */
  readonly checksum: string
  /** Bytes. */
  readonly size: number
  /** The uniform type identifier. */
  readonly uti: string
  /** Pixels, when the header says. */
  readonly width?: number
  /** Pixels, when the header says. */
  readonly height?: number
}

/** One asset of a shared album, as stored. */
export interface SharedAssetRow {
  /** The seed file's path inside the album folder: the asset's identity. */
  readonly key: string
  /** The CPLMaster record name. */
  readonly master: string
  /** The CPLAsset record name. */
  readonly asset: string
  /** The original file's name. */
  readonly filename: string
  /** When it was taken, ms since the epoch (EXIF date, else the file's mtime). */
  readonly created: number
  /** When it was added to the album, ms since the epoch. */
  readonly added: number
  /** The original (the JPEG of a RAW+JPEG pair). */
  readonly original: SharedFileRow
  /** The video of a live photo. */
  readonly live?: SharedFileRow
  /** What identifies the seed files (paths, sizes, mtimes). */
  readonly signature: string
}

/** One shared album of an account, as stored. */
export interface SharedAlbumRow {
  /** The account's dsid. */
  readonly dsid: string
  /** `albumguid`: derived from the dsid and the folder name, so stable across restarts. */
  readonly guid: string
  /** `albumctag`: derived from the album's assets, so it moves when they change. */
  readonly ctag: string
  /** The album's name (its folder's). */
  readonly name: string
  /** When the emulator first saw it, ms since the epoch. */
  readonly created: number
  /** Its assets, oldest first. */
  readonly assets: readonly SharedAssetRow[]
}

/** What seeding the shared albums changed. */
export interface SharedAlbumsSeedResult {
  /** Albums created or whose assets changed. */
  readonly changed: number
  /** Albums whose folder is gone. */
  readonly removed: number
  /** Albums left as they were. */
  readonly unchanged: number
}

/** The key of an album row: dsid and guid. */
export function albumKey(dsid: string, guid: string): string {
  return `${dsid}\u0000${guid}`
}

/**
 * The shared albums of the emulated accounts (docs/protocols/icloud.md §22.4), in the iCloud emulator's
 * durable store: seeding writes each album (and the content rows its download URLs need) in one
 * transaction before anything can read it.
 */
export class SharedAlbums {
  readonly #store: DurableStore
  readonly #now: () => number

  constructor(store: DurableStore, now: () => number) {
    this.#store = store
    this.#now = now
  }

  /** The albums of an account, by name. */
  list(dsid: string): SharedAlbumRow[] {
    return [...this.#store.table<SharedAlbumRow>(SHARED_ALBUMS_TABLE).values()]
      .filter((row) => row.dsid === dsid)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** One album of an account by its guid. */
  get(dsid: string, guid: string): SharedAlbumRow | undefined {
    return this.#store.table<SharedAlbumRow>(SHARED_ALBUMS_TABLE).get(albumKey(dsid, guid))
  }

  /**
   * Seeds the account's shared albums from `<dir>/shared-albums/`: new folders become albums, changed
   * ones are rewritten (keeping the guid, the creation date and each unchanged asset's ids and added
   * date), folders gone remove their albums.
   */
  async seed(dsid: string, dir: string): Promise<SharedAlbumsSeedResult> {
    const table = this.#store.table<SharedAlbumRow>(SHARED_ALBUMS_TABLE)
    const seen = new Set<string>()
    let changed = 0
    let unchanged = 0
    for (const album of await scanSharedAlbums(dir)) {
      const guid = uuidOf(`shared-album:${dsid}:${album.name}`)
      const key = albumKey(dsid, guid)
      seen.add(key)
      const old = table.get(key)
      const previous = new Map((old?.assets ?? []).map((a) => [a.key, a]))
      const assets: SharedAssetRow[] = []
      for (const s of album.assets) {
        const before = previous.get(s.key)
        assets.push(
          before && before.signature === signature(s) ? before : await this.#assetRow(guid, s, before),
        )
      }
      assets.sort((a, b) => a.created - b.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      const ctag = ctagOf(assets)
      if (old && old.ctag === ctag && old.name === album.name) {
        unchanged++
        continue
      }
      const row: SharedAlbumRow = {
        dsid,
        guid,
        ctag,
        name: album.name,
        created: old?.created ?? this.#now(),
        assets,
      }
      await this.#store.write((tx) => {
        for (const a of assets) for (const f of [a.original, a.live]) if (f) putContent(tx, f)
        tx.put(SHARED_ALBUMS_TABLE, key, row)
      })
      changed++
    }
    const gone = [...table.keys()].filter((k) => k.startsWith(`${dsid}\u0000`) && !seen.has(k))
    if (gone.length > 0)
      await this.#store.write((tx) => {
        for (const k of gone) tx.delete(SHARED_ALBUMS_TABLE, k)
      })
    return { changed, removed: gone.length, unchanged }
  }

  async #assetRow(guid: string, s: SeedAsset, before: SharedAssetRow | undefined): Promise<SharedAssetRow> {
    return {
      key: s.key,
      master: before?.master ?? masterRecordName(`shared-album:${guid}:${s.key}`),
      asset: before?.asset ?? uuidOf(`shared-asset:${guid}:${s.key}`),
      filename: s.original.name,
      created: s.created.getTime(),
      added: before?.added ?? this.#now(),
      original: await fileRow(s.original),
      ...(s.live ? { live: await fileRow(s.live) } : {}),
      signature: signature(s),
    }
  }
}

/** The seed file behind each file row made in this process (stored rows already have their content row). */
const contentPaths = new WeakMap<SharedFileRow, string>()

async function fileRow(file: SeedFile): Promise<SharedFileRow> {
  const assetId = createHash('sha256')
    .update(`shared-album\u0000${file.path}\u0000${file.size}\u0000${file.mtimeMs}`)
    .digest('hex')
    .slice(0, 32)
  const row: SharedFileRow = {
    assetId,
    checksum: await fileChecksum(file.path),
    size: file.size,
    uti: file.type.uti,
    ...(file.width === undefined ? {} : { width: file.width }),
    ...(file.height === undefined ? {} : { height: file.height }),
  }
  contentPaths.set(row, file.path)
  return row
}

function putContent(tx: Transaction, file: SharedFileRow): void {
  const path = contentPaths.get(file)
  // An unchanged asset's content row is already stored.
  if (path === undefined) return
  tx.put<PhotoContent>(CONTENT_TABLE, file.assetId, { path, size: file.size, uti: file.uti })
}

/** What identifies a seed asset's files. */
function signature(s: SeedAsset): string {
  return [s.original, s.live].map((f) => (f ? `${f.path}:${f.size}:${Math.floor(f.mtimeMs)}` : '-')).join('|')
}

/** A change tag of the album's contents (Apple's format is not on record; clients only send it back). */
function ctagOf(assets: readonly SharedAssetRow[]): string {
  const hash = createHash('sha256')
  for (const a of assets) hash.update(`${a.asset}:${a.signature}\u0000`)
  return `FT${hash.digest('base64url').slice(0, 10)}`
}
