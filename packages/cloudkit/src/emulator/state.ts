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

/** A record as the emulator keeps it (fields in wire form, assets by ID). */
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

/** A record zone with its records, deletions (tombstones) and change serial. */
export interface StoredZone {
  zoneID: ZoneID
  /** Incremented by every record change; `syncToken`s name a serial. */
  serial: number
  /** Database serial of the zone's last change (for `metaSyncToken`s). */
  changedAt: number
  /** Distinguishes a zone from an earlier one of the same name. */
  incarnation: string
  records: Record<string, StoredRecord>
  tombstones: Record<string, { serial: number }>
  deleted?: boolean
}

/** One database (public, or one user's private or shared database). */
export interface StoredDatabase {
  zones: Record<string, StoredZone>
  /** Incremented by every zone change. */
  serial: number
  subscriptions: Record<string, Record<string, unknown>>
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

/** Everything the emulator persists. */
export interface EmulatorState {
  version: 1
  /** Runtime-registered keys, by `container|environment`. */
  keys: Record<string, Array<{ keyId: string; publicKeyPem: string }>>
  /** Databases by `container|environment|database[|userRecordName]`. */
  databases: Record<string, StoredDatabase>
  uploads: Record<string, StoredUpload>
  /** Receipt → upload ID. */
  receipts: Record<string, string>
  /** Web auth token → session. */
  sessions: Record<string, StoredSession>
  apnsTokens: Record<string, { scope: string; apnsEnvironment: string; registered: boolean }>
  /** Global counter for change tags and creation order. */
  counter: number
}

/** An empty state. */
export function emptyState(): EmulatorState {
  return {
    version: 1,
    keys: {},
    databases: {},
    uploads: {},
    receipts: {},
    sessions: {},
    apnsTokens: {},
    counter: 0,
  }
}

/** A new database with its default zone. */
export function emptyDatabase(): StoredDatabase {
  return { zones: { [DEFAULT_ZONE]: newZone({ zoneName: DEFAULT_ZONE }, 0) }, serial: 0, subscriptions: {} }
}

/** A new empty zone. */
export function newZone(zoneID: ZoneID, changedAt: number): StoredZone {
  return {
    zoneID,
    serial: 0,
    changedAt,
    incarnation: Math.random().toString(36).slice(2, 10),
    records: {},
    tombstones: {},
  }
}

/** `container|environment`. */
export function scopeKey(container: string, environment: string): string {
  return `${container}|${environment}`
}
