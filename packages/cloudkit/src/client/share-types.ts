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
  /** The participant's ID within the share. */
  readonly participantId?: string
  /** Who the participant is: their identity, or how the owner named them. */
  readonly userIdentity: Partial<UserIdentity> & {
    /** How the owner named the participant when inviting them. */
    readonly lookupInfo?: {
      /** The email address invited. */
      emailAddress?: string
      /** The phone number invited. */
      phoneNumber?: string
      /** The user record name invited. */
      userRecordName?: string
    }
  }
  /** How the participant came to the share. */
  readonly type: ShareParticipantType
  /** Whether the participant accepted. */
  readonly acceptanceStatus: ShareAcceptanceStatus
  /** What the participant may do with the shared records. */
  readonly permission: SharePermission
}

/** A participant to invite, by user record name or email address. */
export interface ShareParticipantInput {
  /** Who to invite: a user record name, or lookup information. */
  readonly userIdentity: {
    /** The user record name of the user to invite. */
    readonly userRecordName?: string
    /** The user to invite, by email address or user record name. */
    readonly lookupInfo?: {
      /** The email address to invite. */
      emailAddress?: string
      /** The user record name to invite. */
      userRecordName?: string
    }
  }
  /** Default `READ_ONLY`. */
  readonly permission?: 'READ_ONLY' | 'READ_WRITE'
}

/** The sharing attributes a record may carry (DOC `ModifyRecords`, Record Dictionary; VC `CloudKit.Record`). */
export interface SharingAttributes {
  /** The record's short GUID (share URLs end with it). */
  readonly shortGUID?: string
  /** The parent that places the record in a share's hierarchy. */
  readonly parent?: {
    /** The parent record's name. */
    readonly recordName: string
    /** The parent's zone. */
    readonly zoneID?: ZoneID
  }
  /** A root record's share. */
  readonly share?: {
    /** The share record's name. */
    readonly recordName: string
    /** The share's zone. */
    readonly zoneID?: ZoneID
  }
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
  parent?: {
    /** The parent record's name (in the same zone). */
    recordName: string
  } | null
  /** Share records only, on create: the root record (its `recordChangeTag` too, as CloudKit JS sends it). */
  forRecord?: {
    /** The root record's name. */
    recordName: string
    /** The root record's change tag. */
    recordChangeTag?: string
  }
  /** Share records only: what anyone with the URL may do. Default `NONE`. */
  publicPermission?: SharePermission
  /** Share records only: the participants to invite (the owner is added by CloudKit). */
  participants?: readonly ShareParticipantInput[]
}

/** One item of `records/resolve` and `records/accept` (DOC `Types`, ShortGUID Result Dictionary). */
export interface ShareInfo {
  /** The short GUID asked about. */
  readonly shortGUID: string
  /** The container of the share. */
  readonly containerIdentifier?: string
  /** The container's environment. */
  readonly environment?: string
  /** The shared zone, with its owner (`ownerRecordName`). */
  readonly zoneID: ZoneID
  /** The share record. */
  readonly share: CloudKitRecord
  /** The root record, when asked for with `shouldFetchRootRecord`. */
  readonly rootRecord?: CloudKitRecord
  /** The name of the shared root record. */
  readonly rootRecordName?: string
  /** Who owns the share. */
  readonly ownerIdentity?: UserIdentity
  /** The caller's part in the share (`PUBLIC_USER` for a caller who is not a participant). */
  readonly participantType?: ShareParticipantType
  /** Whether the caller accepted (`UNKNOWN` for a caller who is not a participant). */
  readonly participantStatus?: ShareAcceptanceStatus
  /** What the caller may do (the public permission for a caller who is not a participant). */
  readonly participantPermission?: SharePermission
}
