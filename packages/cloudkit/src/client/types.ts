import type { CloudKitError } from '../errors.js'
import type { FieldInput, FieldValue, WireField, ZoneID } from './fields.js'
import type { SharingAttributes, SharingInput } from './share-types.js'

export type { CallOptions } from '@sigwire/core'

/** Who changed a record and when (DOC `Types`). */
export interface ChangeInfo {
  readonly timestamp: Date
  readonly userRecordName?: string
  readonly deviceID?: string
}

/** A record as CloudKit returns it, with typed field values (and, for shares, their participants). */
export interface CloudKitRecord extends SharingAttributes {
  readonly recordName: string
  readonly recordType: string
  /** Needed to update, replace or delete it without forcing. */
  readonly recordChangeTag?: string
  readonly fields: Readonly<Record<string, FieldValue>>
  readonly created?: ChangeInfo
  readonly modified?: ChangeInfo
  /** True in change feeds for a deleted record (then only `recordName` is meaningful). */
  readonly deleted?: boolean
  readonly zoneID?: ZoneID
  readonly shortGUID?: string
}

/**
 * A record to create or change. Fields take typed values or plain ones (see `FieldInput`); `null`
 * clears. A share is a record of type `cloudkit.share` with `forRecord` (see `SharingInput`).
 */
export interface RecordInput extends SharingInput {
  /** Default on create: a random UUID chosen by CloudKit. */
  recordName?: string
  recordType?: string
  recordChangeTag?: string
  fields?: Readonly<Record<string, FieldInput | null>>
}

/** What `records/modify` can do with one record (DOC `ModifyRecords`). */
export type RecordOperationType =
  | 'create'
  | 'update'
  | 'forceUpdate'
  | 'replace'
  | 'forceReplace'
  | 'delete'
  | 'forceDelete'

/** One operation of a `records/modify` request. */
export interface RecordOperation {
  operationType: RecordOperationType
  record: RecordInput
  desiredKeys?: readonly string[]
}

/**
 * The outcome for one record of a batch: the record, or its own error. CloudKit reports per-record
 * failures inside an HTTP 200 (§4); they are returned here, item by item, never dropped.
 */
export type RecordResult =
  | { readonly ok: true; readonly record: CloudKitRecord }
  | { readonly ok: false; readonly recordName: string | undefined; readonly error: CloudKitError }

/** One page of a query. */
export interface QueryPage {
  /** Every item of the page, in order (records and per-record errors). */
  readonly results: readonly RecordResult[]
  /** The records of the page (the successful items of `results`). */
  readonly records: readonly CloudKitRecord[]
  /** Present when more results exist: pass it back to get the next page. */
  readonly continuationMarker?: string
}

/** One page of `records/changes`. */
export interface RecordChangesPage {
  readonly results: readonly RecordResult[]
  readonly records: readonly CloudKitRecord[]
  /** Where to resume; store it after processing the page. */
  readonly syncToken: string
  /** True when another page follows. */
  readonly moreComing: boolean
}

/** A record zone. */
export interface Zone {
  readonly zoneID: ZoneID
  readonly syncToken?: string
  readonly atomic?: boolean
  readonly deleted?: boolean
}

/** The outcome for one zone of a batch. */
export type ZoneResult =
  | { readonly ok: true; readonly zone: Zone }
  | { readonly ok: false; readonly zoneName: string | undefined; readonly error: CloudKitError }

/** One page of `zones/changes`. */
export interface ZoneChangesPage {
  readonly zones: readonly Zone[]
  readonly metaSyncToken: string
  readonly moreComing: boolean
}

/**
 * A subscription (DOC `ModifySubscriptions`). `database` subscriptions (any change in the private or
 * shared database's custom zones) are CloudKit JS's third type (VC `SubscriptionType.DATABASE`).
 */
export interface Subscription {
  subscriptionID?: string
  subscriptionType: 'zone' | 'query' | 'database'
  zoneID?: ZoneID
  query?: { recordType: string; filterBy?: readonly unknown[]; sortBy?: readonly unknown[] }
  firesOn?: readonly ('create' | 'update' | 'delete')[]
  firesOnce?: boolean
  notificationInfo?: Readonly<Record<string, unknown>>
  zoneWide?: boolean
}

/** The outcome for one subscription of a batch. */
export type SubscriptionResult =
  | { readonly ok: true; readonly subscription: Subscription & { subscriptionID: string } }
  | { readonly ok: false; readonly subscriptionID: string | undefined; readonly error: CloudKitError }

/** A user identity (DOC `FetchCurrentUserIdentity`, `LookupUsers`). */
export interface UserIdentity {
  readonly userRecordName: string
  readonly lookupInfo?: { emailAddress?: string; phoneNumber?: string; userRecordName?: string }
  readonly nameComponents?: { givenName?: string; familyName?: string; [key: string]: unknown }
}

/** The APNs token `tokens/create` returns (DOC `CreateTokens`). */
export interface ApnsToken {
  readonly apnsEnvironment: 'development' | 'production'
  readonly apnsToken: string
  readonly webcourierURL?: string
}

/** A record as it travels (used by the emulator and tests). */
export interface WireRecord {
  recordName?: string
  recordType?: string
  recordChangeTag?: string
  fields?: Record<string, WireField | null>
  created?: { timestamp: number; userRecordName?: string; deviceID?: string }
  modified?: { timestamp: number; userRecordName?: string; deviceID?: string }
  deleted?: boolean
  zoneID?: ZoneID
  shortGUID?: string
  /** Sharing keys (share records and records in a share's hierarchy). */
  parent?: { recordName: string; zoneID?: ZoneID } | null
  share?: { recordName: string; zoneID?: ZoneID }
  forRecord?: { recordName: string; recordChangeTag?: string }
  createShortGUID?: boolean
  publicPermission?: string
  participants?: unknown[]
  owner?: unknown
  currentUserParticipant?: unknown
}
