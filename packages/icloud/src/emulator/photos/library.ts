import { createHash, randomBytes } from 'node:crypto'
import { mkdir, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import {
  type CloudKitData,
  type EngineField,
  type EngineZoneID,
  newZone,
  type StoredAsset,
  type StoredDatabase,
  type StoredRecord,
  type StoredZone,
  scopeKey,
} from '@sigwire/emulator-kit/cloudkit'
import { fileChecksum, sha1Checksum } from './checksum.js'
import { JPEG_UTI, seedFileType, standInJpeg } from './file-types.js'
import { type ImageCodecs, loadImageCodecs } from './image-codecs.js'
import { type AssetView, type ZoneViews, zoneViews } from './indexes.js'
import {
  albumFields,
  assetFields,
  masterFields,
  masterRecordName,
  type ResourceSpec,
  relationFields,
  uuidOf,
} from './records.js'
import { type RenditionRole, renditionsOf } from './renditions.js'
import { type SeedAsset, type SeedFile, scanPhotosDir } from './scan.js'

/** The CloudKit container of Photos (docs/protocols/icloud.md §8.7). */
export const PHOTOS_CONTAINER = 'com.apple.photos.cloud'
/** The environment the web app uses. */
export const PHOTOS_ENVIRONMENT = 'production'
/** The scope key of the Photos container in the engine. */
export const PHOTOS_SCOPE = scopeKey(PHOTOS_CONTAINER, PHOTOS_ENVIRONMENT)
/** The private library's zone. */
export const PRIMARY_ZONE = 'PrimarySync'
/** The folder record every top-level album hangs from (icloudpd skips it by name, §16.5). */
export const ROOT_FOLDER = '----Root-Folder----'
/** The tables the Photos library adds to the iCloud emulator's store. */
export const PHOTOS_TABLES = ['photoContent', 'photoSeed', 'photoAccounts'] as const

/** Where the bytes of a stored asset come from. */
export interface PhotoContent {
  /** A file on disk (a seeded file, an uploaded one, or a rendition made from either). */
  readonly path?: string
  /** A stand-in rendition made on request. */
  readonly standIn?: string
  /** Size in bytes. */
  readonly size: number
  /** Uti. */
  readonly uti: string
}

/** A medium or thumbnail rendition of an asset: its asset dictionary, its bytes and its pixel size. */
interface DerivedRendition {
  readonly asset: StoredAsset
  readonly content: PhotoContent
  readonly width: number
  readonly height: number
}

type Renditions = Partial<Record<RenditionRole, DerivedRendition>>

/** The stand-in rendition's pixel size (file-types.ts `standInJpeg`). */
const STAND_IN_SIZE = 16

interface SeedRow {
  readonly signature: string
  readonly master: string
  readonly asset: string
  readonly albums: readonly string[]
}

interface AccountRow {
  readonly owner: string
  readonly sharedZone?: string
}

/** A zone of a user's Photos database. */
export interface PhotosZone {
  /** Db. */
  readonly db: StoredDatabase
  /** The zone it is in. */
  readonly zone: StoredZone
}

/**
 * The Photos libraries of the emulated accounts, kept as CloudKit records in the shared engine's
 * state (`@sigwire/emulator-kit/cloudkit`): one private database per account with the `PrimarySync`
 * zone and, when the seed has a `shared/` folder, a `SharedSync-<uuid>` zone for the Shared Library.
 */
export class PhotosLibrary {
  readonly #store: DurableStore
  readonly #data: CloudKitData
  readonly #now: () => number
  readonly #contentDir: string | undefined
  readonly #renditionDir: string | undefined
  #codecs: Promise<ImageCodecs | undefined> | undefined
  readonly #views = new WeakMap<StoredZone, ZoneViews>()
  /** `FINISHED`, or `RUNNING` to make clients wait (the indexing gate, §16.3). */
  indexingState: 'FINISHED' | 'RUNNING' = 'FINISHED'
  /** Accounts whose library is behind Advanced Data Protection without web access consent (§5.5). */
  readonly adpAccounts = new Set<string>()
  /** Download URLs expire this long after a record was read (a refreshed read gives new ones). */
  downloadUrlLifetimeMs = 60 * 60_000

  /**
   * `stateDir` keeps uploads and renditions beside the state; without it, renditions go to
   * `scratchDir` (removed with the emulator); without either, or with `renditions: 'stand-in'`, the
   * renditions are stand-ins.
   */
  constructor(
    store: DurableStore,
    data: CloudKitData,
    options: {
      now: () => number
      stateDir?: string
      scratchDir?: string
      renditions?: 'scaled' | 'stand-in'
    },
  ) {
    this.#store = store
    this.#data = data
    this.#now = options.now
    this.#contentDir = options.stateDir ? join(options.stateDir, 'photos') : undefined
    const renditionsBase = this.#contentDir ?? options.scratchDir
    this.#renditionDir =
      renditionsBase && options.renditions !== 'stand-in' ? join(renditionsBase, 'renditions') : undefined
  }

  /** The user record name the Photos database of `dsid` belongs to (`_` and 32 hex digits). */
  ownerOf(dsid: string): string {
    const row = this.#store.table<AccountRow>('photoAccounts').get(dsid)
    return row?.owner ?? `_${createHash('md5').update(`photos:${dsid}`).digest('hex')}`
  }

  /** The database key of an account's private or shared Photos database. */
  databaseKey(dsid: string, database: 'private' | 'shared'): string {
    return `${PHOTOS_SCOPE}|${database}|${this.ownerOf(dsid)}`
  }

  /** The account's zone `name` in its private database, created when `create` is set. */
  zone(dsid: string, name: string, tx?: Transaction): PhotosZone | undefined {
    const db = this.#data.database(this.databaseKey(dsid, 'private'))
    const existing = db.zones.get(name)
    if (existing && !existing.deleted) return { db, zone: existing }
    if (!tx) return undefined
    db.serial += 1
    const zoneID: EngineZoneID = {
      zoneName: name,
      ownerRecordName: this.ownerOf(dsid),
      zoneType: 'REGULAR_CUSTOM_ZONE',
    }
    const zone = newZone(zoneID, db.serial)
    this.#data.putZone(tx, db, zone)
    this.#data.putDatabase(tx, db)
    return { db, zone }
  }

  /** Makes sure the account has a Photos library (its `PrimarySync` zone and root folder). */
  async ensureAccount(dsid: string): Promise<void> {
    if (this.zone(dsid, PRIMARY_ZONE)) return
    await this.#store.write((tx) => {
      tx.put<AccountRow>('photoAccounts', dsid, { owner: this.ownerOf(dsid) })
      const primary = this.zone(dsid, PRIMARY_ZONE, tx)!
      this.#commit(
        tx,
        primary,
        [this.#albumRecord(tx, primary.zone, ROOT_FOLDER, undefined, 3, undefined, 0)],
        [],
      )
    })
  }

  /** The Shared Library zone of the account, created on first use. */
  sharedZoneName(dsid: string, tx?: Transaction): string | undefined {
    const row = this.#store.table<AccountRow>('photoAccounts').get(dsid)
    if (row?.sharedZone) return row.sharedZone
    if (!tx) return undefined
    const name = `SharedSync-${uuidOf(`shared:${dsid}`)}`
    tx.put<AccountRow>('photoAccounts', dsid, { owner: this.ownerOf(dsid), sharedZone: name })
    this.zone(dsid, name, tx)
    return name
  }

  /** The asset views of a zone (cached per zone serial). */
  views(zone: StoredZone): ZoneViews {
    const cached = this.#views.get(zone)
    if (cached && cached.serial === zone.serial) return cached
    const fresh = zoneViews(zone)
    this.#views.set(zone, fresh)
    return fresh
  }

  /** The bytes behind a stored asset ID. */
  content(assetId: string): PhotoContent | undefined {
    return this.#store.table<PhotoContent>('photoContent').get(assetId)
  }

  /** The bytes of a stand-in rendition. */
  standInBytes(content: PhotoContent): Buffer {
    return standInJpeg(content.standIn ?? '')
  }

  /**
   * Seeds the account's library from a directory (see `scanPhotosDir`): new files become assets,
   * changed files replace theirs, files gone from the directory take their assets with them. Each
   * change moves the zone's sync token; an unchanged directory changes nothing.
   */
  async seed(dsid: string, dir: string): Promise<{ added: number; removed: number; unchanged: number }> {
    await this.ensureAccount(dsid)
    const seeds = await scanPhotosDir(dir)
    const table = this.#store.table<SeedRow>('photoSeed')
    const wanted = new Map<string, SeedAsset>()
    const hasShared = seeds.some((s) => s.shared)
    let sharedName = this.sharedZoneName(dsid)
    if (hasShared && !sharedName)
      await this.#store.write((tx) => {
        sharedName = this.sharedZoneName(dsid, tx)
      })
    for (const s of seeds) wanted.set(`${s.shared ? sharedName : PRIMARY_ZONE}\u0000${s.key}`, s)
    let added = 0
    let unchanged = 0
    const pending: Array<[string, SeedAsset]> = []
    for (const [key, s] of wanted) {
      const row = table.get(`${dsid}\u0000${key}`)
      if (row && row.signature === signature(s)) unchanged++
      else pending.push([key, s])
    }
    // Batches keep each journal line (one transaction) a few megabytes at most.
    for (let i = 0; i < pending.length; i += 100) {
      const batch = pending.slice(i, i + 100)
      const hashed = await Promise.all(
        batch.map(async ([key, s]) => ({ key, s, files: await this.#fileAssets(s) })),
      )
      // One at a time: each rendering holds a decoded original (up to ~50 MB for 12 MP) in memory.
      const prepared: Array<(typeof hashed)[number] & { renditions: Renditions }> = []
      for (const item of hashed)
        prepared.push({ ...item, renditions: await this.#renditions(item.s, item.files.original!) })
      await this.#store.write((tx) => {
        for (const { key, s, files, renditions } of prepared) {
          const zoneName = key.slice(0, key.indexOf('\u0000'))
          const target = this.zone(dsid, zoneName, tx)!
          const old = table.get(`${dsid}\u0000${key}`)
          const deletes = old ? this.#assetDeletions(target.zone, old) : []
          const puts = this.#assetRecords(tx, target.zone, s, files, renditions, old)
          this.#commit(tx, target, puts, deletes)
          tx.put<SeedRow>('photoSeed', `${dsid}\u0000${key}`, {
            signature: signature(s),
            master: puts[0]!.recordName,
            asset: puts[1]!.recordName,
            albums: puts.filter((r) => r.recordType === 'CPLContainerRelation').map((r) => r.recordName),
          })
          added++
        }
      })
    }
    let removed = 0
    const gone = [...table.keys()].filter(
      (k) => k.startsWith(`${dsid}\u0000`) && !wanted.has(k.slice(dsid.length + 1)),
    )
    if (gone.length > 0)
      await this.#store.write((tx) => {
        for (const k of gone) {
          const zoneName = k.slice(dsid.length + 1, k.indexOf('\u0000', dsid.length + 1))
          const target = this.zone(dsid, zoneName)
          const row = table.get(k)!
          if (target) this.#commit(tx, target, [], this.#assetDeletions(target.zone, row))
          tx.delete('photoSeed', k)
          removed++
        }
      })
    return { added, removed, unchanged }
  }

  /** Changes fields of records of a zone (favourite, hide, delete), as one change of the zone. */
  async updateAsset(
    dsid: string,
    zoneName: string,
    assetName: string,
    fields: Record<string, EngineField>,
  ): Promise<void> {
    const target = this.zone(dsid, zoneName)
    const record = target?.zone.records.get(assetName)
    if (!target || !record) throw new Error(`No asset ${assetName} in ${zoneName}.`)
    await this.#store.write((tx) => {
      const next: StoredRecord = {
        ...record,
        fields: Object.assign(Object.create(null), record.fields, fields),
        recordChangeTag: this.#changeTag(tx),
        modified: this.#who(),
      }
      this.#commit(tx, target, [next], [])
    })
  }

  /** Removes an asset (its CPLAsset, CPLMaster and album relations) as the service would expunge it. */
  async expungeAsset(dsid: string, zoneName: string, assetName: string): Promise<void> {
    const target = this.zone(dsid, zoneName)
    const view = target ? this.views(target.zone).byName.get(assetName) : undefined
    if (!target || !view) throw new Error(`No asset ${assetName} in ${zoneName}.`)
    const relations = [...target.zone.records.values()]
      .filter((r) => r.recordType === 'CPLContainerRelation' && r.fields.itemId?.value === assetName)
      .map((r) => r.recordName)
    await this.#store.write((tx) =>
      this.#commit(tx, target, [], [assetName, view.master.recordName, ...relations]),
    )
  }

  /**
   * Stores an uploaded file (already written to `tempPath`) and creates its CPLMaster and CPLAsset in
   * the account's private library. Answers the two records.
   */
  async addUpload(
    dsid: string,
    filename: string,
    tempPath: string,
    size: number,
    checksum: string,
  ): Promise<StoredRecord[]> {
    const type = seedFileType(filename)
    if (!type) throw new Error('unsupported type')
    await this.ensureAccount(dsid)
    const assetId = randomBytes(16).toString('hex')
    let path = tempPath
    if (this.#contentDir) {
      await mkdir(this.#contentDir, { recursive: true, mode: 0o700 })
      path = join(this.#contentDir, assetId)
      await rename(tempPath, path)
    }
    const file: SeedFile = { path, name: filename, size, mtimeMs: this.#now(), type }
    const seedAsset: SeedAsset = {
      key: `upload/${assetId}/${filename}`,
      original: file,
      created: new Date(this.#now()),
      album: [],
      shared: false,
    }
    const stored = this.#storedAsset(assetId, checksum, size)
    const files = { original: stored } as Record<string, StoredAsset>
    const renditions = await this.#renditions(seedAsset, stored, true)
    let records: StoredRecord[] = []
    await this.#store.write((tx) => {
      tx.put<PhotoContent>('photoContent', assetId, { path, size, uti: type.uti })
      const target = this.zone(dsid, PRIMARY_ZONE, tx)!
      records = this.#assetRecords(tx, target.zone, seedAsset, files, renditions, undefined)
      this.#commit(tx, target, records, [])
    })
    return records.slice(0, 2)
  }

  /** Removes an uploaded file that was refused (nothing refers to it). */
  async discardUpload(tempPath: string): Promise<void> {
    await unlink(tempPath).catch(() => undefined)
  }

  /** Where uploads are written while they arrive. */
  get uploadDir(): string | undefined {
    return this.#contentDir
  }

  #commit(
    tx: Transaction,
    target: PhotosZone,
    puts: readonly StoredRecord[],
    deletes: readonly string[],
  ): void {
    const { db, zone } = target
    for (const record of puts) {
      zone.serial += 1
      record.serial = zone.serial
      this.#data.putRecord(tx, db, zone, record)
    }
    for (const name of deletes) {
      if (!zone.records.has(name)) continue
      zone.serial += 1
      this.#data.deleteRecord(tx, db, zone, name, zone.serial)
    }
    db.serial += 1
    zone.changedAt = db.serial
    this.#data.putZone(tx, db, zone)
    this.#data.putDatabase(tx, db)
  }

  #changeTag(tx: Transaction): string {
    return `${this.#data.nextCounter(tx).toString(36)}${randomBytes(2).toString('hex')}`
  }

  #who() {
    return { timestamp: this.#now(), userRecordName: '_photos', deviceID: 'sigwire-emulator' }
  }

  #record(
    tx: Transaction,
    name: string,
    type: string,
    fields: Record<string, EngineField>,
    at = this.#now(),
  ): StoredRecord {
    const who = { ...this.#who(), timestamp: at }
    return {
      recordName: name,
      recordType: type,
      recordChangeTag: this.#changeTag(tx),
      fields,
      created: who,
      modified: this.#who(),
      serial: 0,
      order: this.#data.nextCounter(tx),
    }
  }

  #albumRecord(
    tx: Transaction,
    zone: StoredZone,
    name: string,
    label: string | undefined,
    type: 0 | 3,
    parentId: string | undefined,
    position: number,
  ): StoredRecord {
    const existing = zone.records.get(name)
    return existing ?? this.#record(tx, name, 'CPLAlbum', albumFields(label, type, parentId, position))
  }

  /** Hashes the asset's files (the file checksums) and registers their bytes. */
  async #fileAssets(s: SeedAsset): Promise<Record<string, StoredAsset>> {
    const out: Record<string, StoredAsset> = {}
    for (const [role, file] of Object.entries({
      original: s.original,
      alternative: s.alternative,
      live: s.live,
      adjusted: s.adjusted,
    })) {
      if (!file) continue
      const id = createHash('sha256')
        .update(`${file.path}\u0000${file.size}\u0000${file.mtimeMs}`)
        .digest('hex')
        .slice(0, 32)
      out[role] = this.#storedAsset(id, await fileChecksum(file.path), file.size)
    }
    return out
  }

  #storedAsset(assetId: string, checksum: string, size: number): StoredAsset {
    return {
      assetId,
      fileChecksum: checksum,
      size,
      referenceChecksum: Buffer.concat([
        Buffer.from([1]),
        createHash('sha256').update(`ref:${assetId}`).digest().subarray(0, 20),
      ]).toString('base64'),
      wrappingKey: createHash('sha256').update(`wrap:${assetId}`).digest('base64'),
    }
  }

  /**
   * The medium and thumbnail renditions of an image (none for a video, whose smaller renditions are
   * its own file, §16.10): real scaled JPEGs of a JPEG or PNG original when the image libraries are
   * installed (renditions.ts), else stand-ins. Each record states the pixel size of its own bytes.
   */
  async #renditions(s: SeedAsset, original: StoredAsset, upload = false): Promise<Renditions> {
    if (s.original.type.kind === 'movie') return {}
    const dir = this.#renditionDir
    this.#codecs ??= dir ? loadImageCodecs() : Promise.resolve(undefined)
    const codecs = await this.#codecs
    // The scan read each seeded file's header: one that gave no pixel size (bytes that only carry a
    // .JPG name) cannot be rendered and costs no further read. An upload was not scanned.
    const readable = upload || s.original.width !== undefined
    const real =
      dir && codecs && readable
        ? await renditionsOf(
            { path: s.original.path, uti: s.original.type.uti, checksum: original.fileChecksum },
            dir,
            codecs,
          )
        : undefined
    const out: Renditions = {}
    for (const role of ['medium', 'thumb'] as const) {
      const id = createHash('sha256').update(`${original.assetId}:${role}`).digest('hex').slice(0, 32)
      const made = real?.[role]
      if (made) {
        out[role] = {
          asset: this.#storedAsset(id, made.checksum, made.size),
          content: { path: made.path, size: made.size, uti: JPEG_UTI },
          width: made.width,
          height: made.height,
        }
        continue
      }
      const label = `${role} of ${s.key}`
      const bytes = standInJpeg(label)
      out[role] = {
        asset: this.#storedAsset(id, sha1Checksum(bytes), bytes.length),
        content: { standIn: label, size: bytes.length, uti: JPEG_UTI },
        width: STAND_IN_SIZE,
        height: STAND_IN_SIZE,
      }
    }
    return out
  }

  #assetRecords(
    tx: Transaction,
    zone: StoredZone,
    s: SeedAsset,
    files: Record<string, StoredAsset>,
    renditions: Renditions,
    old: SeedRow | undefined,
  ): StoredRecord[] {
    const zoneID = zone.zoneID
    for (const [role, file] of Object.entries({
      original: s.original,
      alternative: s.alternative,
      live: s.live,
      adjusted: s.adjusted,
    }))
      if (file && files[role])
        tx.put<PhotoContent>('photoContent', files[role].assetId, {
          path: file.path,
          size: file.size,
          uti: file.type.uti,
        })
    for (const rendition of Object.values(renditions))
      tx.put<PhotoContent>('photoContent', rendition.asset.assetId, rendition.content)
    const derived = files
    const master = old?.master ?? masterRecordName(`${zoneID.zoneName}:${s.key}`)
    const asset = old?.asset ?? uuidOf(`asset:${zoneID.zoneName}:${s.key}`)
    const movie = s.original.type.kind === 'movie'
    const resources: ResourceSpec[] = [
      {
        prefix: 'resOriginal',
        asset: derived.original!,
        uti: s.original.type.uti,
        width: s.original.width,
        height: s.original.height,
      },
    ]
    if (s.alternative && derived.alternative)
      resources.push({
        prefix: 'resOriginalAlt',
        asset: derived.alternative,
        uti: s.alternative.type.uti,
        width: s.alternative.width,
        height: s.alternative.height,
      })
    if (s.live && derived.live) {
      resources.push({ prefix: 'resOriginalVidCompl', asset: derived.live, uti: s.live.type.uti })
      // The live video's smaller renditions are the video itself (stand-ins, §16.10).
      resources.push({ prefix: 'resVidMed', asset: derived.live, uti: s.live.type.uti })
      resources.push({ prefix: 'resVidSmall', asset: derived.live, uti: s.live.type.uti })
    }
    if (movie) {
      resources.push({ prefix: 'resVidMed', asset: derived.original!, uti: s.original.type.uti })
      resources.push({ prefix: 'resVidSmall', asset: derived.original!, uti: s.original.type.uti })
    } else
      for (const [prefix, rendition] of [
        ['resJPEGMed', renditions.medium],
        ['resJPEGThumb', renditions.thumb],
      ] as const)
        if (rendition)
          resources.push({
            prefix,
            asset: rendition.asset,
            uti: JPEG_UTI,
            width: rendition.width,
            height: rendition.height,
          })
    const name = s.original.name
    const hints: string[] = []
    if (/screenshot/i.test(name)) hints.push('SCREENSHOT')
    if (/slo-?mo/i.test(name)) hints.push('SLOMO')
    if (/time-?lapse/i.test(name)) hints.push('TIMELAPSE')
    if (s.original.width && s.original.height && s.original.width >= 2.5 * s.original.height)
      hints.push('PANORAMA')
    const burst = /_BURST(\d+)/i.exec(name)?.[1]
    const previous = zone.records.get(asset)
    const keep = (field: string) => Number(previous?.fields[field]?.value ?? 0) === 1
    const masterRecord = this.#record(
      tx,
      master,
      'CPLMaster',
      masterFields({ filename: name, itemType: s.original.type.uti, resources }),
    )
    const assetRecord = this.#record(
      tx,
      asset,
      'CPLAsset',
      assetFields({
        masterName: master,
        zoneID,
        assetDate: s.created.getTime(),
        addedDate: Number(previous?.fields.addedDate?.value ?? this.#now()),
        favorite: keep('isFavorite'),
        hidden: keep('isHidden'),
        deleted: keep('isDeleted'),
        subtype: s.live ? 2 : 0,
        adjusted:
          s.adjusted && derived.adjusted
            ? {
                prefix: 'resJPEGFull',
                asset: derived.adjusted,
                uti: s.adjusted.type.uti,
                width: s.adjusted.width,
                height: s.adjusted.height,
              }
            : undefined,
        hints,
        burstId: burst,
      }),
    )
    const out = [masterRecord, assetRecord]
    // Sub-folders are albums; the folders above them are CPLAlbum folders.
    if (s.album.length > 0) {
      // Top-level albums carry no parentId (docs/protocols/icloud.md §26).
      let parent: string | undefined
      for (let i = 0; i < s.album.length - 1; i++) {
        const id = uuidOf(`folder:${zoneID.zoneName}:${s.album.slice(0, i + 1).join('/')}`)
        if (!zone.records.has(id) && !out.some((r) => r.recordName === id))
          out.push(this.#albumRecord(tx, zone, id, s.album[i]!, 3, parent, i + 1))
        parent = id
      }
      const albumId = uuidOf(`album:${zoneID.zoneName}:${s.album.join('/')}`)
      if (!zone.records.has(albumId))
        out.push(this.#albumRecord(tx, zone, albumId, s.album.at(-1)!, 0, parent, s.album.length))
      out.push(
        this.#record(
          tx,
          `${asset}-IN-${albumId}`,
          'CPLContainerRelation',
          relationFields(asset, albumId, s.created.getTime()),
        ),
      )
    }
    return out
  }

  #assetDeletions(zone: StoredZone, row: SeedRow): string[] {
    return [row.asset, row.master, ...row.albums].filter((n) => zone.records.has(n))
  }
}

/** What identifies a seed asset's files: paths, sizes and modification times. */
function signature(s: SeedAsset): string {
  return [s.original, s.alternative, s.live, s.adjusted]
    .map((f) => (f ? `${f.path}:${f.size}:${Math.floor(f.mtimeMs)}` : '-'))
    .concat(s.album.join('/'))
    .join('|')
}

/** The visible views of an asset name in a zone. */
export type { AssetView }
