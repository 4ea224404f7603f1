import type { CallOptions } from '@sigwire/core'
import { LIMITS } from '../constants.js'
import type { CloudKitError } from '../errors.js'
import type { Connection } from './connection.js'
import { decodeRecord } from './decode.js'
import type { ZoneID } from './fields.js'
import { invalid } from './query.js'
import { itemError, type ServerErrorBody } from './response-errors.js'
import {
  SHARE_RECORD_TYPE,
  type ShareAcceptanceStatus,
  type ShareInfo,
  type ShareParticipantInput,
  type ShareParticipantType,
  type SharePermission,
} from './share-types.js'
import type { RecordOperation, UserIdentity, WireRecord } from './types.js'

/** A short GUID to resolve or accept, with what to fetch of the root record (DOC `Types`, ShortGUID Dictionary). */
export interface ShortGuidInput {
  /** The short GUID: the last path segment of a share URL. */
  value: string
  /** Also return the root record. */
  shouldFetchRootRecord?: boolean
  /** The root record's fields to return. */
  rootRecordDesiredKeys?: readonly string[]
}

/** The outcome for one short GUID: what it points to, or its own error (NOT_FOUND, ACCESS_DENIED). */
export type ShareInfoResult =
  | {
      /** The share was found (and, for `accept`, accepted). */
      readonly ok: true
      /** What the short GUID points to. */
      readonly info: ShareInfo
    }
  | {
      /** This short GUID failed. */
      readonly ok: false
      /** The short GUID asked about. */
      readonly shortGUID: string
      /** Why (NOT_FOUND, ACCESS_DENIED...). */
      readonly error: CloudKitError
    }

/** Input of {@link shareOperation}. */
export interface ShareInput {
  /** The root record: its name and, as CloudKit JS sends it, its current change tag. */
  root: {
    /** The root record's name. */
    recordName: string
    /** The root record's current change tag. */
    recordChangeTag?: string
  }
  /** The share record's name. Default: CloudKit picks one. */
  recordName?: string
  /** What anyone with the share URL may do. Default `NONE` (participants only). */
  publicPermission?: SharePermission
  /** Who to invite. */
  participants?: readonly ShareParticipantInput[]
  /** The share's title (the `cloudkit.title` field). */
  title?: string
}

/**
 * A `records/modify` operation that shares a record hierarchy (docs/protocols/cloudkit.md §9): it
 * creates a `cloudkit.share` record for `root`; CloudKit gives the root a `share` reference and both a
 * short GUID. Send it in the root's zone (a custom zone of the private database).
 */
export function shareOperation(input: ShareInput): RecordOperation {
  return {
    operationType: 'create',
    record: {
      recordType: SHARE_RECORD_TYPE,
      ...(input.recordName ? { recordName: input.recordName } : {}),
      forRecord: input.root,
      ...(input.publicPermission ? { publicPermission: input.publicPermission } : {}),
      ...(input.participants ? { participants: input.participants } : {}),
      ...(input.title === undefined ? {} : { fields: { 'cloudkit.title': input.title } }),
    },
  }
}

/**
 * Shares of the container (DOC `FetchingRecordInformation`, `AcceptingShareRecords`): what a share URL
 * points to, and accepting it. Both are sent to the public database path whatever database holds the
 * share; accepting acts for the signed-in user, so the client needs `apiToken` and `webAuthToken`.
 */
export interface SharingApi {
  /** What each short GUID points to (`records/resolve`), to show before accepting. */
  resolve(shortGUIDs: readonly (string | ShortGuidInput)[], options?: CallOptions): Promise<ShareInfoResult[]>
  /** Accepts each share for the signed-in user (`records/accept`); its zone then appears in `sharedDatabase`. */
  accept(shortGUIDs: readonly (string | ShortGuidInput)[], options?: CallOptions): Promise<ShareInfoResult[]>
}

type WireShareInfo = ServerErrorBody & {
  shortGUID?: string
  containerIdentifier?: string
  environment?: string
  zoneID?: ZoneID
  share?: WireRecord
  rootRecord?: WireRecord
  rootRecordName?: string
  ownerIdentity?: UserIdentity
  participantType?: string
  participantStatus?: string
  participantPermission?: string
}

/** The {@link SharingApi} of a container. */
export class Sharing implements SharingApi {
  readonly #connection: Connection
  readonly #signsPublic: boolean

  constructor(connection: Connection, signsPublic: boolean) {
    this.#connection = connection
    this.#signsPublic = signsPublic
  }

  resolve(
    shortGUIDs: readonly (string | ShortGuidInput)[],
    options: CallOptions = {},
  ): Promise<ShareInfoResult[]> {
    return this.#send('records/resolve', shortGUIDs, options)
  }

  async accept(
    shortGUIDs: readonly (string | ShortGuidInput)[],
    options: CallOptions = {},
  ): Promise<ShareInfoResult[]> {
    if (this.#signsPublic)
      throw invalid(
        'records.accept acts for the signed-in user, but this client signs public-database calls with its server-to-server key: use a client made with apiToken and webAuthToken.',
      )
    return this.#send('records/accept', shortGUIDs, options)
  }

  async #send(
    operation: string,
    shortGUIDs: readonly (string | ShortGuidInput)[],
    options: CallOptions,
  ): Promise<ShareInfoResult[]> {
    if (shortGUIDs.length === 0) return []
    if (shortGUIDs.length > LIMITS.recordsPerResponse)
      throw invalid(`${operation} takes at most ${LIMITS.recordsPerResponse} short GUIDs per call.`)
    const items = shortGUIDs.map((g) => (typeof g === 'string' ? { value: g } : g))
    items.forEach((g, i) => {
      if (typeof g.value !== 'string' || g.value === '') throw invalid(`shortGUIDs[${i}] needs a value.`)
    })
    const response = await this.#connection.call<{ results?: WireShareInfo[] }>(
      {
        database: 'public',
        operation,
        method: 'POST',
        body: { shortGUIDs: items },
        readOnly: operation === 'records/resolve',
      },
      options,
    )
    return (response.results ?? []).map((item, i) => shareInfoResult(item, items[i]!.value))
  }
}

function shareInfoResult(item: WireShareInfo, asked: string): ShareInfoResult {
  if (item.serverErrorCode !== undefined)
    return {
      ok: false,
      shortGUID: item.shortGUID ?? asked,
      error: itemError(item, `Share ${JSON.stringify(asked)}`),
    }
  return {
    ok: true,
    info: {
      shortGUID: item.shortGUID ?? asked,
      ...(item.containerIdentifier ? { containerIdentifier: item.containerIdentifier } : {}),
      ...(item.environment ? { environment: item.environment } : {}),
      zoneID: item.zoneID ?? item.share?.zoneID ?? { zoneName: '' },
      share: decodeRecord(item.share ?? {}),
      ...(item.rootRecord ? { rootRecord: decodeRecord(item.rootRecord) } : {}),
      ...(item.rootRecordName ? { rootRecordName: item.rootRecordName } : {}),
      ...(item.ownerIdentity ? { ownerIdentity: item.ownerIdentity } : {}),
      ...(item.participantType ? { participantType: item.participantType as ShareParticipantType } : {}),
      ...(item.participantStatus
        ? { participantStatus: item.participantStatus as ShareAcceptanceStatus }
        : {}),
      ...(item.participantPermission
        ? { participantPermission: item.participantPermission as SharePermission }
        : {}),
    },
  }
}
