import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import type { WireField, ZoneID } from '../client/fields.js'

/** The default zone every database has. */
export const DEFAULT_ZONE = '_defaultZone'

/** Who changed a record. */
export interface StoredChange {
  timestamp: number
  userRecordName: string
  deviceID: string
}

/**
 * An asset field value as stored: the asset's ID on disk plus the checksums the upload returned. The
 * download URL is rendered per response, from the emulator's own address.
 */
export interface StoredAsset {
  assetId: string
  fileChecksum: string
  size: number
  referenceChecksum: string
  wrappingKey: string
}

/** A record as the emulator keeps it (fields in wire form, assets by ID; field names in a null-prototype object). */
export interface StoredRecord {
  recordName: string
  recordType: string
  recordChangeTag: string
  fields: Record<string, WireField>
  created: StoredChange
  modified: StoredChange
  /** Zone serial of the last change (for change tokens). */
  serial: number
  /** Creation order (default query order). */
  order: number
}

/** A record zone: its persisted fields, plus its records and deletions (tombstones) in memory. */
export interface StoredZone {
  zoneID: ZoneID
  /** Incremented by every record change; `syncToken`s name a serial. */
  serial: number
  /** Database serial of the zone's last change (for `metaSyncToken`s). */
  changedAt: number
  /** Distinguishes a zone from an earlier one of the same name. */
  incarnation: string
  deleted?: boolean
  readonly records: Map<string, StoredRecord>
  readonly tombstones: Map<string, { serial: number }>
}

/** One database (public, or one user's private or shared database). */
export interface StoredDatabase {
  readonly key: string
  /** Incremented by every zone change. */
  serial: number
  readonly zones: Map<string, StoredZone>
  readonly subscriptions: Map<string, Record<string, unknown>>
}

/** An uploaded asset's bytes and metadata. */
export interface StoredUpload {
  /** Container, environment and database key the upload URL was issued for. */
  scope: string
  recordName: string
  recordType: string
  fieldName: string
  expiresAt: number
  /** Set once the bytes arrived. */
  asset?: StoredAsset
  receipt?: string
}

/** A web auth token session. */
export interface StoredSession {
  userRecordName: string
  /** `container|environment`. */
  scope: string
  expiresAt: number
  used: boolean
}

/** A key registered at run time (`emulator.registerKey`). */
export interface StoredKey {
  container: string
  environment: string
  keyId: string
  publicKeyPem: string
}

/** An APNs token (`tokens/create`, `tokens/register`). */
export interface StoredApnsToken {
  scope: string
  apnsEnvironment: string
  registered: boolean
}

/** The tables of the CloudKit emulator's durable store. */
export const CLOUDKIT_TABLES = [
  'keys',
  'databases',
  'zones',
  'records',
  'tombstones',
  'subscriptions',
  'uploads',
  'receipts',
  'sessions',
  'apnsTokens',
  'meta',
] as const

type ZoneRow = Omit<StoredZone, 'records' | 'tombstones'>

/**
 * Everything the emulator keeps, in memory as nested Maps (zones of a database, records of a zone),
 * persisted row by row: each record, zone, subscription, upload and session is one row of the store,
 * written by the request that changed it, so a write costs the size of what changed.
 */
export class CloudKitData {
  readonly #store: DurableStore
  readonly #databases = new Map<string, StoredDatabase>()
  /** Upload ID by asset ID (downloads and re-referenced assets). */
  readonly #assetUploads = new Map<string, string>()
  counter: number

  constructor(store: DurableStore) {
    this.#store = store
    this.counter = store.table<number>('meta').get('counter') ?? 0
    for (const [key, row] of store.table<{ serial: number }>('databases'))
      this.#databases.set(key, this.#newDatabase(key, row.serial))
    for (const [key, row] of store.table<ZoneRow>('zones')) {
      const [dbKey] = JSON.parse(key) as [string, string]
      this.database(dbKey).zones.set(row.zoneID.zoneName, {
        ...row,
        records: new Map(),
        tombstones: new Map(),
      })
    }
    for (const [key, row] of store.table<StoredRecord>('records')) {
      const [dbKey, zoneName, name] = JSON.parse(key) as [string, string, string]
      this.database(dbKey).zones.get(zoneName)?.records.set(name, reviveRecord(row))
    }
    for (const [key, row] of store.table<{ serial: number }>('tombstones')) {
      const [dbKey, zoneName, name] = JSON.parse(key) as [string, string, string]
      this.database(dbKey).zones.get(zoneName)?.tombstones.set(name, row)
    }
    for (const [key, row] of store.table<Record<string, unknown>>('subscriptions')) {
      const [dbKey, id] = JSON.parse(key) as [string, string]
      this.database(dbKey).subscriptions.set(id, row)
    }
    for (const [id, upload] of store.table<StoredUpload>('uploads'))
      if (upload.asset) this.#assetUploads.set(upload.asset.assetId, id)
  }

  /** Every database that holds a zone or subscription (for a state browser). */
  databases(): IterableIterator<StoredDatabase> {
    return this.#databases.values()
  }

  /** Runtime-registered keys. */
  get keys(): Iterable<StoredKey> {
    return this.#store.table<StoredKey>('keys').values()
  }

  uploads() {
    return this.#store.table<StoredUpload>('uploads')
  }

  receipts() {
    return this.#store.table<string>('receipts')
  }

  sessions() {
    return this.#store.table<StoredSession>('sessions')
  }

  apnsTokens() {
    return this.#store.table<StoredApnsToken>('apnsTokens')
  }

  /** The database, created (in memory; persisted with its first change) when new. */
  database(key: string): StoredDatabase {
    let db = this.#databases.get(key)
    if (!db) {
      db = this.#newDatabase(key, 0)
      this.#databases.set(key, db)
    }
    return db
  }

  /** The upload that stored `assetId`. */
  uploadOfAsset(assetId: string): StoredUpload | undefined {
    const id = this.#assetUploads.get(assetId)
    return id === undefined ? undefined : this.uploads().get(id)
  }

  /** True when some upload stored this asset file. */
  hasAsset(assetId: string): boolean {
    return this.#assetUploads.has(assetId)
  }

  nextCounter(tx: Transaction): number {
    this.counter += 1
    tx.put('meta', 'counter', this.counter)
    return this.counter
  }

  putDatabase(tx: Transaction, db: StoredDatabase): void {
    tx.put('databases', db.key, { serial: db.serial })
  }

  putZone(tx: Transaction, db: StoredDatabase, zone: StoredZone): void {
    db.zones.set(zone.zoneID.zoneName, zone)
    const { records: _records, tombstones: _tombstones, ...row } = zone
    tx.put('zones', JSON.stringify([db.key, zone.zoneID.zoneName]), row)
  }

  putRecord(tx: Transaction, db: StoredDatabase, zone: StoredZone, record: StoredRecord): void {
    zone.records.set(record.recordName, record)
    tx.put('records', rowKey(db, zone, record.recordName), record)
    if (zone.tombstones.delete(record.recordName))
      tx.delete('tombstones', rowKey(db, zone, record.recordName))
  }

  deleteRecord(tx: Transaction, db: StoredDatabase, zone: StoredZone, name: string, serial: number): void {
    zone.records.delete(name)
    tx.delete('records', rowKey(db, zone, name))
    zone.tombstones.set(name, { serial })
    tx.put('tombstones', rowKey(db, zone, name), { serial })
  }

  /** Empties a deleted zone. */
  clearZone(tx: Transaction, db: StoredDatabase, zone: StoredZone): void {
    for (const name of zone.records.keys()) tx.delete('records', rowKey(db, zone, name))
    for (const name of zone.tombstones.keys()) tx.delete('tombstones', rowKey(db, zone, name))
    zone.records.clear()
    zone.tombstones.clear()
  }

  putSubscription(tx: Transaction, db: StoredDatabase, id: string, value: Record<string, unknown>): void {
    db.subscriptions.set(id, value)
    tx.put('subscriptions', JSON.stringify([db.key, id]), value)
  }

  deleteSubscription(tx: Transaction, db: StoredDatabase, id: string): void {
    db.subscriptions.delete(id)
    tx.delete('subscriptions', JSON.stringify([db.key, id]))
  }

  putUpload(tx: Transaction, id: string, upload: StoredUpload): void {
    tx.put('uploads', id, upload)
    if (upload.asset) this.#assetUploads.set(upload.asset.assetId, id)
  }

  #newDatabase(key: string, serial: number): StoredDatabase {
    const db: StoredDatabase = { key, serial, zones: new Map(), subscriptions: new Map() }
    // A fixed incarnation: the default zone is never recreated, and its sync tokens survive a restart.
    db.zones.set(DEFAULT_ZONE, { ...newZone({ zoneName: DEFAULT_ZONE }, 0), incarnation: 'default' })
    return db
  }
}

function rowKey(db: StoredDatabase, zone: StoredZone, name: string): string {
  return JSON.stringify([db.key, zone.zoneID.zoneName, name])
}

/** Field names come from clients: a record read back keeps them in a null-prototype object. */
function reviveRecord(row: StoredRecord): StoredRecord {
  return { ...row, fields: Object.assign(Object.create(null), row.fields) }
}

/** A new empty zone. */
export function newZone(zoneID: ZoneID, changedAt: number): StoredZone {
  return {
    zoneID,
    serial: 0,
    changedAt,
    incarnation: Math.random().toString(36).slice(2, 10),
    records: new Map(),
    tombstones: new Map(),
  }
}

/** `container|environment`. */
export function scopeKey(container: string, environment: string): string {
  return `${container}|${environment}`
}
