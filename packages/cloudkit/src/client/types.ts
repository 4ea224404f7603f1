import type { CloudKitError } from '../errors.js'
import type { FieldInput, FieldValue, WireField, ZoneID } from './fields.js'

export type { CallOptions } from '@sigwire/core'

/** Who changed a record and when (DOC `Types`). */
export interface ChangeInfo {
  /** When the change happened (whole milliseconds since the epoch on the wire). */
  readonly timestamp: Date
  /** The user who made the change (for server-to-server writes, the key's creator, §2); absent if unsent. */
  readonly userRecordName?: string
  /** CloudKit's id of the device the change came from; absent when not sent. */
  readonly deviceID?: string
}

/** A record as CloudKit returns it, with typed field values. */
export interface CloudKitRecord {
  /** The record's name, unique in its zone (a random UUID when it was created without one, §4.1). */
  readonly recordName: string
  /** The record type, as defined in the container's schema. */
  readonly recordType: string
  /** Needed to update, replace or delete it without forcing. */
  readonly recordChangeTag?: string
  /** The fields returned (all, or the `desiredKeys` asked for), each with its type tag. */
  readonly fields: Readonly<Record<string, FieldValue>>
  /** Who created the record and when; absent when CloudKit did not send it. */
  readonly created?: ChangeInfo
  /** Who last changed the record and when; absent when CloudKit did not send it. */
  readonly modified?: ChangeInfo
  /** True in change feeds for a deleted record (then only `recordName` is meaningful). */
  readonly deleted?: boolean
  /** The zone the record lives in; absent when CloudKit leaves it out. */
  readonly zoneID?: ZoneID
  /** The short id of a shared record, what `records/resolve` and `records/accept` take (§4.1). */
  readonly shortGUID?: string
}

/** A record to create or change. Fields take typed values or plain ones (see `FieldInput`); `null` clears. */
export interface RecordInput {
  /** Default on create: a random UUID chosen by CloudKit. */
  recordName?: string
  /** The record type; required to create, `forceUpdate` or replace (§4.1). */
  recordType?: string
  /**
   * The `recordChangeTag` CloudKit returned with the record; send it back with `update`, `replace` or
   * `delete` so that a concurrent change is refused with `CONFLICT` instead of overwritten.
   */
  recordChangeTag?: string
  /** Field values by name; `update` changes only these, `replace` clears the others, `null` clears one. */
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
  /** What to do with the record (see {@link RecordOperationType}). */
  operationType: RecordOperationType
  /** The record: its name and, depending on the operation, type, change tag and fields. */
  record: RecordInput
  /** Only these fields in the record this operation returns; every field when absent. */
  desiredKeys?: readonly string[]
}

/**
 * The outcome for one record of a batch: the record, or its own error. CloudKit reports per-record
 * failures inside an HTTP 200 (§4); they are returned here, item by item, never dropped.
 */
export type RecordResult =
  | {
      /** The item succeeded. */
      readonly ok: true
      /** The record as CloudKit returned it (a deleted one has `deleted: true`). */
      readonly record: CloudKitRecord
    }
  | {
      /** The item failed; the rest of the batch may still have succeeded. */
      readonly ok: false
      /** The record the error is about, when CloudKit named it. */
      readonly recordName: string | undefined
      /** The item's error: its `code` and, from CloudKit, `serviceCode` and `retryAfterMs`. */
      readonly error: CloudKitError
    }

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
  /** Every item of the page, in order (changed records, deleted ones, per-record errors). */
  readonly results: readonly RecordResult[]
  /** The records of the page (the successful items of `results`), deleted ones included. */
  readonly records: readonly CloudKitRecord[]
  /** Where to resume; store it after processing the page. */
  readonly syncToken: string
  /** True when another page follows. */
  readonly moreComing: boolean
}

/** A record zone. */
export interface Zone {
  /** The zone's name and owner. */
  readonly zoneID: ZoneID
  /** The zone's current sync token, for `records.changes`; absent when CloudKit sent none. */
  readonly syncToken?: string
  /** True for a zone whose `records/modify` batches are all or nothing (custom zones, §4.1). */
  readonly atomic?: boolean
  /** True in `zones/changes` for a zone that was deleted. */
  readonly deleted?: boolean
}

/** The outcome for one zone of a batch. */
export type ZoneResult =
  | {
      /** The item succeeded. */
      readonly ok: true
      /** The zone as CloudKit returned it. */
      readonly zone: Zone
    }
  | {
      /** The item failed (e.g. `ZONE_NOT_FOUND`); the rest of the batch may still have succeeded. */
      readonly ok: false
      /** The zone the error is about, when CloudKit named it. */
      readonly zoneName: string | undefined
      /** The item's error. */
      readonly error: CloudKitError
    }

/** One page of `zones/changes`. */
export interface ZoneChangesPage {
  /** Zones created, changed or deleted (`deleted: true`) since the token given. */
  readonly zones: readonly Zone[]
  /** Where to resume: pass it to the next `zones/changes` call (not `syncToken`, §2.4). */
  readonly metaSyncToken: string
  /** True when another page follows: call again with `metaSyncToken`. */
  readonly moreComing: boolean
}

/** A subscription (DOC `ModifySubscriptions`). */
export interface Subscription {
  /** The subscription's id; on create, CloudKit picks one when it is left out. */
  subscriptionID?: string
  /** `zone`: fires on any change in `zoneID`; `query`: fires when records matching `query` change. */
  subscriptionType: 'zone' | 'query'
  /** The zone watched (zone subscriptions) or searched (query subscriptions). */
  zoneID?: ZoneID
  /** The query a `query` subscription matches records against. */
  query?: {
    /** The record type to watch. */
    recordType: string
    /** Filters in the wire form of `records/query` (`{comparator, fieldName, fieldValue}`). */
    filterBy?: readonly unknown[]
    /** Sort descriptors in the wire form of `records/query`. */
    sortBy?: readonly unknown[]
  }
  /** Which changes of matching records fire a `query` subscription. */
  firesOn?: readonly ('create' | 'update' | 'delete')[]
  /** Delete the subscription after it fires once (query subscriptions). */
  firesOnce?: boolean
  /** What the push notification carries (`alertBody`, `shouldBadge`, `shouldSendContentAvailable`...). */
  notificationInfo?: Readonly<Record<string, unknown>>
  /** Match records in every zone instead of `zoneID` alone (query subscriptions). */
  zoneWide?: boolean
}

/** The outcome for one subscription of a batch. */
export type SubscriptionResult =
  | {
      /** The item succeeded. */
      readonly ok: true
      /** The subscription as CloudKit returned it. */
      readonly subscription: Subscription & {
        /** The subscription's id, chosen by CloudKit when the create left it out. */
        subscriptionID: string
      }
    }
  | {
      /** The item failed; the rest of the batch may still have succeeded. */
      readonly ok: false
      /** The subscription the error is about, when CloudKit named it. */
      readonly subscriptionID: string | undefined
      /** The item's error. */
      readonly error: CloudKitError
    }

/** A user identity (DOC `FetchCurrentUserIdentity`, `LookupUsers`). */
export interface UserIdentity {
  /** The user's record name in this container (the same user has another one in other containers). */
  readonly userRecordName: string
  /** What the user was found by, echoed back; absent for `users/caller` answers that leave it out. */
  readonly lookupInfo?: {
    /** The e-mail address looked up. */
    emailAddress?: string
    /** The phone number looked up. */
    phoneNumber?: string
    /** The user record name looked up. */
    userRecordName?: string
  }
  /** The user's name, when the user made it discoverable; absent otherwise. */
  readonly nameComponents?: {
    /** Given (first) name. */
    givenName?: string
    /** Family (last) name. */
    familyName?: string
    [key: string]: unknown
  }
}

/** The APNs token `tokens/create` returns (DOC `CreateTokens`). */
export interface ApnsToken {
  /** The APNs environment the token is valid in, as requested. */
  readonly apnsEnvironment: 'development' | 'production'
  /** The token: register it with `tokens/register` to receive the container's push notifications. */
  readonly apnsToken: string
  /** A URL to long-poll for the token's notifications (web clients); absent when CloudKit sent none. */
  readonly webcourierURL?: string
}

/** A record as it travels (used by the emulator and tests). */
export interface WireRecord {
  /** The record's name. */
  recordName?: string
  /** The record type. */
  recordType?: string
  /** The record's change tag. */
  recordChangeTag?: string
  /** Fields in the wire form `{ value, type }`; `null` clears a field in a write. */
  fields?: Record<string, WireField | null>
  /** Who created the record and when. */
  created?: {
    /** Milliseconds since the epoch. */
    timestamp: number
    /** The creator's user record name. */
    userRecordName?: string
    /** The device the record was created from. */
    deviceID?: string
  }
  /** Who last changed the record and when. */
  modified?: {
    /** Milliseconds since the epoch. */
    timestamp: number
    /** The user record name of the last writer. */
    userRecordName?: string
    /** The device the last change came from. */
    deviceID?: string
  }
  /** True in change feeds for a deleted record. */
  deleted?: boolean
  /** The zone the record lives in. */
  zoneID?: ZoneID
  /** The short id of a shared record. */
  shortGUID?: string
}
