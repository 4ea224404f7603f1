import type { ZoneID } from './fields.js'
import type { CloudKitRecord, UserIdentity } from './types.js'

/** The record type of shares (VC `CloudKit.Share.NAME`; docs/protocols/cloudkit.md §9). */
export const SHARE_RECORD_TYPE = 'cloudkit.share'

/** What a participant, or anyone with the share URL, may do with the shared records. */
export type SharePermission = 'NONE' | 'READ_ONLY' | 'READ_WRITE'

/** How a participant came to the share (VC `ShareParticipantType`). */
export type ShareParticipantType = 'OWNER' | 'PRIVATE_USER' | 'PUBLIC_USER' | 'UNKNOWN'

/** Whether a participant accepted (VC `ShareParticipantAcceptanceStatus`). */
export type ShareAcceptanceStatus = 'PENDING' | 'ACCEPTED' | 'REMOVED' | 'UNKNOWN'

/** A participant of a share, as records and `records/resolve` carry it (VC `ShareParticipant`). */
export interface ShareParticipant {
  readonly participantId?: string
  readonly userIdentity: Partial<UserIdentity> & {
    readonly lookupInfo?: { emailAddress?: string; phoneNumber?: string; userRecordName?: string }
  }
  readonly type: ShareParticipantType
  readonly acceptanceStatus: ShareAcceptanceStatus
  readonly permission: SharePermission
}

/** A participant to invite, by user record name or email address. */
export interface ShareParticipantInput {
  readonly userIdentity: {
    readonly userRecordName?: string
    readonly lookupInfo?: { emailAddress?: string; userRecordName?: string }
  }
  /** Default `READ_ONLY`. */
  readonly permission?: 'READ_ONLY' | 'READ_WRITE'
}

/** The sharing attributes a record may carry (DOC `ModifyRecords`, Record Dictionary; VC `CloudKit.Record`). */
export interface SharingAttributes {
  /** The record's short GUID (share URLs end with it). */
  readonly shortGUID?: string
  /** The parent that places the record in a share's hierarchy. */
  readonly parent?: { readonly recordName: string; readonly zoneID?: ZoneID }
  /** A root record's share. */
  readonly share?: { readonly recordName: string; readonly zoneID?: ZoneID }
  /** Share records: what anyone with the URL may do. */
  readonly publicPermission?: SharePermission
  /** Share records: every participant the caller may see, the owner first. */
  readonly participants?: readonly ShareParticipant[]
  /** Share records: the owner. */
  readonly owner?: ShareParticipant
  /** Share records: the caller, when a participant. */
  readonly currentUserParticipant?: ShareParticipant
}

/** The sharing keys a record to save may carry. */
export interface SharingInput {
  /** Ask CloudKit for a short GUID. */
  createShortGUID?: boolean
  /** Place the record under a parent (its share covers the record), or `null` to detach it. */
  parent?: { recordName: string } | null
  /** Share records only, on create: the root record (its `recordChangeTag` too, as CloudKit JS sends it). */
  forRecord?: { recordName: string; recordChangeTag?: string }
  /** Share records only: what anyone with the URL may do. Default `NONE`. */
  publicPermission?: SharePermission
  /** Share records only: the participants to invite (the owner is added by CloudKit). */
  participants?: readonly ShareParticipantInput[]
}

/** One item of `records/resolve` and `records/accept` (DOC `Types`, ShortGUID Result Dictionary). */
export interface ShareInfo {
  readonly shortGUID: string
  readonly containerIdentifier?: string
  readonly environment?: string
  readonly zoneID: ZoneID
  /** The share record. */
  readonly share: CloudKitRecord
  /** The root record, when asked for with `shouldFetchRootRecord`. */
  readonly rootRecord?: CloudKitRecord
  readonly rootRecordName?: string
  readonly ownerIdentity?: UserIdentity
  readonly participantType?: ShareParticipantType
  readonly participantStatus?: ShareAcceptanceStatus
  readonly participantPermission?: SharePermission
}
