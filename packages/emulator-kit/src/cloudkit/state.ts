import type { DurableStore, Transaction } from '../store.js'
import type { EngineField as WireField, EngineZoneID as ZoneID } from './vocabulary.js'

/** The default zone every database has. */
export const DEFAULT_ZONE = '_defaultZone'

/** Who changed a record. */
export interface StoredChange {
  /** When, in epoch milliseconds. */
  timestamp: number
  /** The user record name of who did it. */
  userRecordName: string
  /** The device that did it. */
  deviceID: string
}

/**
 * An asset field value as stored: the asset's ID on disk plus the checksums the upload returned. The
 * download URL is rendered per response, from the emulator's own address.
 */
export interface StoredAsset {
  /** The ID of the stored bytes. */
  assetId: string
  /** The checksum of the bytes (base64). */
  fileChecksum: string
  /** Size in bytes. */
  size: number
  /** The reference checksum CloudKit returns with an asset. */
  referenceChecksum: string
  /** The wrapping key CloudKit returns with an asset. */
  wrappingKey: string
}

/** A record as the emulator keeps it (fields in wire form, assets by ID; field names in a null-prototype object). */
export interface StoredRecord {
  /** The record name. */
  recordName: string
  /** The record type. */
  recordType: string
  /** The change tag (a new one per change). */
  recordChangeTag: string
  /** Field values in wire form, by field name. */
  fields: Record<string, WireField>
  /** Who created it, and when. */
  created: StoredChange
  /** Who changed it last, and when. */
  modified: StoredChange
  /** Zone serial of the last change (for change tokens). */
  serial: number
  /** Creation order (default query order). */
  order: number
}

/** A record zone: its persisted fields, plus its records and deletions (tombstones) in memory. */
export interface StoredZone {
  /** The zone identity. */
  zoneID: ZoneID
  /** Incremented by every record change; `syncToken`s name a serial. */
  serial: number
  /** Database serial of the zone's last change (for `metaSyncToken`s). */
  changedAt: number
  /** Distinguishes a zone from an earlier one of the same name. */
  incarnation: string
  /** True once the zone was deleted. */
  deleted?: boolean
  /** Records by name. */
  readonly records: Map<string, StoredRecord>
  /** Deleted record names with the serial of their deletion. */
  readonly tombstones: Map<string, StoredTombstone>
}

/** A deleted record's trace in the change feed. */
export interface StoredTombstone {
  /** The zone serial of the deletion. */
  serial: number
}

/** One database (public, or one user's private or shared database). */
export interface StoredDatabase {
  /** The database key (`scope|database[|user]`). */
  readonly key: string
  /** Incremented by every zone change. */
  serial: number
  /** Zones by name. */
  readonly zones: Map<string, StoredZone>
  /** Subscriptions by ID. */
  readonly subscriptions: Map<string, Record<string, unknown>>
}

/** An uploaded asset's bytes and metadata. */
export interface StoredUpload {
  /** Container, environment and database key the upload URL was issued for. */
  scope: string
  /** The record name. */
  recordName: string
  /** The record type. */
  recordType: string
  /** The asset field the upload is for. */
  fieldName: string
  /** Expiry, epoch milliseconds. */
  expiresAt: number
  /** Set once the bytes arrived. */
  asset?: StoredAsset
  /** The receipt handed to the uploader. */
  receipt?: string
}

/** A web auth token session. */
export interface StoredSession {
  /** The user record name of who did it. */
  userRecordName: string
  /** `container|environment`. */
  scope: string
  /** Expiry, epoch milliseconds. */
  expiresAt: number
  /** True once the token was used (web auth tokens are single-use). */
  used: boolean
}

/** A key registered at run time (`emulator.registerKey`). */
export interface StoredKey {
  /** The container identifier. */
  container: string
  /** The environment. */
  environment: string
  /** The key ID. */
  keyId: string
  /** The public key, PEM. */
  publicKeyPem: string
}

/** An APNs token (`tokens/create`, `tokens/register`). */
export interface StoredApnsToken {
  /** The `container|environment` the token belongs to. */
  scope: string
  /** The APNs environment. */
  apnsEnvironment: string
  /** True once registered. */
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
  /** The global counter (change tags, creation order). */
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

  /** Uploads by upload ID. */
  uploads() {
    return this.#store.table<StoredUpload>('uploads')
  }

  /** Upload IDs by receipt. */
  receipts() {
    return this.#store.table<string>('receipts')
  }

  /** Web auth token sessions by token. */
  sessions() {
    return this.#store.table<StoredSession>('sessions')
  }

  /** APNs tokens. */
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

  /** The next value of the global counter (written in `tx`). */
  nextCounter(tx: Transaction): number {
    this.counter += 1
    tx.put('meta', 'counter', this.counter)
    return this.counter
  }

  /** Writes a database's serial. */
  putDatabase(tx: Transaction, db: StoredDatabase): void {
    tx.put('databases', db.key, { serial: db.serial })
  }

  /** Writes a zone (its records are written one by one). */
  putZone(tx: Transaction, db: StoredDatabase, zone: StoredZone): void {
    db.zones.set(zone.zoneID.zoneName, zone)
    const { records: _records, tombstones: _tombstones, ...row } = zone
    tx.put('zones', JSON.stringify([db.key, zone.zoneID.zoneName]), row)
  }

  /** Writes a record (and forgets its tombstone). */
  putRecord(tx: Transaction, db: StoredDatabase, zone: StoredZone, record: StoredRecord): void {
    zone.records.set(record.recordName, record)
    tx.put('records', rowKey(db, zone, record.recordName), record)
    if (zone.tombstones.delete(record.recordName))
      tx.delete('tombstones', rowKey(db, zone, record.recordName))
  }

  /** Deletes a record, leaving a tombstone at `serial` for the change feed. */
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

  /** Writes a subscription. */
  putSubscription(tx: Transaction, db: StoredDatabase, id: string, value: Record<string, unknown>): void {
    db.subscriptions.set(id, value)
    tx.put('subscriptions', JSON.stringify([db.key, id]), value)
  }

  /** Deletes a subscription. */
  deleteSubscription(tx: Transaction, db: StoredDatabase, id: string): void {
    db.subscriptions.delete(id)
    tx.delete('subscriptions', JSON.stringify([db.key, id]))
  }

  /** Writes an upload (and indexes its asset). */
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
