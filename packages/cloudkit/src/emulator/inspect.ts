import type { CloudKitData, StoredDatabase } from '@sigwire/emulator-kit/cloudkit'

/** A record as {@link CloudKitEmulator.inspect} shows it. */
export interface CloudKitRecordView {
  /** The record name. */
  readonly recordName: string
  /** The record type. */
  readonly recordType: string
  /** Its change tag. */
  readonly recordChangeTag: string
  /** Each field's wire type and value (assets show their metadata: size, checksum, no bytes). */
  readonly fields: Readonly<
    Record<
      string,
      {
        /** The wire type (`STRING`, `INT64`, `ASSET`, ...), when the client sent one. */
        readonly type?: string
        /** The value as stored. */
        readonly value: unknown
      }
    >
  >
  /** When it was created, epoch ms. */
  readonly created: number
  /** When it was last modified, epoch ms. */
  readonly modified: number
}

/** A zone as {@link CloudKitEmulator.inspect} shows it. */
export interface CloudKitZoneView {
  /** The zone name. */
  readonly zoneName: string
  /** The zone's owner, in shared databases. */
  readonly ownerRecordName?: string
  /** The zone's records. */
  readonly records: readonly CloudKitRecordView[]
}

/** A database as {@link CloudKitEmulator.inspect} shows it. */
export interface CloudKitDatabaseView {
  /** `container|environment|database`, with the user for private and shared databases. */
  readonly key: string
  /** Its zones (deleted zones left out). */
  readonly zones: readonly CloudKitZoneView[]
  /** Its subscriptions as the client saved them. */
  readonly subscriptions: readonly Readonly<Record<string, unknown>>[]
}

/** What the CloudKit emulator holds, for a state browser (`@sigwire/emulator-ui`). */
export interface CloudKitEmulatorState {
  /** Every database with a zone or a subscription. */
  readonly databases: readonly CloudKitDatabaseView[]
}

/** A snapshot of the emulator's containers, databases, zones, records and subscriptions. */
export function inspectCloudKitState(data: CloudKitData): CloudKitEmulatorState {
  return { databases: [...data.databases()].map(databaseView) }
}

function databaseView(db: StoredDatabase): CloudKitDatabaseView {
  return {
    key: db.key,
    zones: [...db.zones.values()]
      .filter((z) => !z.deleted)
      .map((z) => ({
        zoneName: z.zoneID.zoneName,
        ...(z.zoneID.ownerRecordName ? { ownerRecordName: z.zoneID.ownerRecordName } : {}),
        records: [...z.records.values()].map((r) => ({
          recordName: r.recordName,
          recordType: r.recordType,
          recordChangeTag: r.recordChangeTag,
          fields: Object.fromEntries(Object.entries(r.fields).map(([name, f]) => [name, { ...f }])),
          created: r.created.timestamp,
          modified: r.modified.timestamp,
        })),
      })),
    subscriptions: [...db.subscriptions.values()].map((s) => ({ ...s })),
  }
}
