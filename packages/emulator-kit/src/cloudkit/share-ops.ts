import { randomUUID } from 'node:crypto'
import { listOf, newChangeTag, nextCounter, type OperationContext } from './context.js'
import { badRequest, itemError } from './errors.js'
import { notifySubscribers } from './notify.js'
import { renderRecord } from './records.js'
import { renderParticipant } from './shares.js'
import type {
  StoredDatabase,
  StoredParticipant,
  StoredParticipation,
  StoredRecord,
  StoredZone,
} from './state.js'

interface ShortGuidRequest {
  value: string
  shouldFetchRootRecord?: boolean
  rootRecordDesiredKeys?: unknown
}

interface Found {
  db: StoredDatabase
  zone: StoredZone
  share: StoredRecord
  owner: string
}

function requests(ctx: OperationContext): ShortGuidRequest[] {
  const list = listOf(ctx.body, 'shortGUIDs')
  if (list.length === 0) throw badRequest('shortGUIDs must list at least one short GUID.')
  if (list.length > 200) throw badRequest('At most 200 short GUIDs per request.')
  return list.map((entry) => {
    const e = (typeof entry === 'string' ? { value: entry } : entry) as Partial<ShortGuidRequest>
    if (typeof e?.value !== 'string' || e.value === '') throw badRequest('Each short GUID needs a value.')
    return e as ShortGuidRequest
  })
}

function find(ctx: OperationContext, guid: string): Found | undefined {
  const at = ctx.data.shortGuids().get(guid)
  const db = at ? ctx.data.databases.get(at.database) : undefined
  const zone = at ? db?.zones.get(at.zoneName) : undefined
  const share = at ? zone?.records.get(at.recordName) : undefined
  if (!db || !zone || !share?.shareInfo || !db.key.startsWith(`${ctx.scope}|private|`)) return undefined
  return { db, zone, share, owner: db.key.split('|')[3]! }
}

/** The caller's participant entry: by user record name, or by the email address the owner invited. */
function me(ctx: OperationContext, share: StoredRecord): StoredParticipant | undefined {
  const user = ctx.principal.userRecordName
  if (user === undefined) return undefined
  const email = (ctx.identity?.(user)?.lookupInfo as { emailAddress?: string } | undefined)?.emailAddress
  return share.shareInfo!.participants.find(
    (p) =>
      p.userRecordName === user ||
      (email !== undefined && p.userRecordName === undefined && p.emailAddress === email),
  )
}

/** May the caller see this share: a participant, or anyone while the public permission is not NONE. */
function access(ctx: OperationContext, found: Found): Record<string, unknown> | undefined {
  if (me(ctx, found.share) || found.share.shareInfo!.publicPermission !== 'NONE') return undefined
  return itemError('ACCESS_DENIED', 'You are not a participant of this share, and it is not public.')
}

/** One result of `records/resolve` and `records/accept` (DOC `Types`, ShortGUID Result Dictionary). */
function result(ctx: OperationContext, request: ShortGuidRequest, found: Found): Record<string, unknown> {
  const { zone, share, owner } = found
  const zoneID = { ...zone.zoneID, ownerRecordName: owner }
  const participant = me(ctx, share)
  const root = zone.records.get(share.shareInfo!.rootRecordName)
  const ownerIdentity = ctx.identity?.(owner)
  return {
    shortGUID: request.value,
    containerIdentifier: ctx.scope.split('|')[0],
    environment: ctx.scope.split('|')[1],
    databaseScope: 'SHARED',
    zoneID,
    share: { ...renderRecord({ ...ctx, database: 'private' }, share, zone), zoneID },
    ...(request.shouldFetchRootRecord && root
      ? {
          rootRecord: {
            ...renderRecord({ ...ctx, database: 'private' }, root, zone, request.rootRecordDesiredKeys),
            zoneID,
          },
        }
      : {}),
    rootRecordName: share.shareInfo!.rootRecordName,
    ...(ownerIdentity ? { ownerIdentity } : {}),
    ...(participant
      ? {
          participantType: participant.type,
          participantStatus: participant.acceptanceStatus,
          participantPermission: participant.permission,
          currentUserParticipant: renderParticipant(participant, ctx.identity),
        }
      : {
          participantType: 'PUBLIC_USER',
          participantStatus: 'UNKNOWN',
          participantPermission: share.shareInfo!.publicPermission,
        }),
  }
}

/**
 * `records/resolve` (DOC `FetchingRecordInformation`; docs/protocols/cloudkit.md §9), sent to the
 * public database: what a share URL's short GUID points to, for showing before accepting. Unknown
 * GUIDs are NOT_FOUND items, shares the caller may not see ACCESS_DENIED items.
 */
export function resolveShortGuids(ctx: OperationContext): Record<string, unknown> {
  return {
    results: requests(ctx).map((request) => {
      const found = find(ctx, request.value)
      if (!found) return itemError('NOT_FOUND', `No share has the short GUID ${request.value}.`)
      return access(ctx, found) ?? result(ctx, request, found)
    }),
  }
}

/**
 * `records/accept` (DOC `AcceptingShareRecords`): the signed-in user accepts each share. An invited
 * participant becomes ACCEPTED; anyone else joins a public share as a PUBLIC_USER with its public
 * permission. The share record changes (new change tag, in the owner's change feeds) and the zone
 * appears in the user's shared database.
 */
export function acceptShares(ctx: OperationContext): Record<string, unknown> {
  const user = ctx.principal.userRecordName
  if (ctx.principal.kind !== 'user' || user === undefined)
    throw badRequest('records/accept needs a signed-in user (a web auth token).')
  return {
    results: requests(ctx).map((request) => {
      const found = find(ctx, request.value)
      if (!found) return itemError('NOT_FOUND', `No share has the short GUID ${request.value}.`)
      const denied = access(ctx, found)
      if (denied) return denied
      if (found.owner === user) return result(ctx, request, found)
      const { db, zone, share } = found
      const clock = nextCounter(ctx)
      const invited = me(ctx, share)
      const participants = share.shareInfo!.participants.map((p) =>
        p === invited ? { ...p, userRecordName: user, acceptanceStatus: 'ACCEPTED', acceptedAt: clock } : p,
      )
      if (!participants.some((p) => p.userRecordName === user))
        participants.push({
          participantId: randomUUID(),
          userRecordName: user,
          type: 'PUBLIC_USER',
          acceptanceStatus: 'ACCEPTED',
          permission: share.shareInfo!.publicPermission,
          acceptedAt: clock,
        })
      zone.serial += 1
      const before = zone.records.get(share.recordName)
      const next: StoredRecord = {
        ...share,
        shareInfo: { ...share.shareInfo!, participants },
        recordChangeTag: newChangeTag(ctx),
        serial: zone.serial,
      }
      ctx.data.putRecord(ctx.tx, db, zone, next)
      db.serial += 1
      zone.changedAt = db.serial
      zone.clock = clock
      ctx.data.putZone(ctx.tx, db, zone)
      ctx.data.putDatabase(ctx.tx, db)
      ctx.tx.put<StoredParticipation>(
        'participations',
        JSON.stringify([ctx.scope, user, found.owner, zone.zoneID.zoneName, share.recordName]),
        {
          scope: ctx.scope,
          userRecordName: user,
          ownerRecordName: found.owner,
          zoneName: zone.zoneID.zoneName,
          shareRecordName: share.recordName,
          acceptedAt: clock,
        },
      )
      notifySubscribers({ ...ctx, database: 'private' }, db, zone, [
        { name: share.recordName, before, after: next },
      ])
      return result(ctx, request, { ...found, share: next })
    }),
  }
}
