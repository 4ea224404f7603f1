import { randomBytes, randomUUID } from 'node:crypto'
import { newChangeTag, type OperationContext } from './context.js'
import { itemError } from './errors.js'
import {
  DEFAULT_ZONE,
  type StoredDatabase,
  type StoredParticipant,
  type StoredRecord,
  type StoredShareInfo,
  type StoredZone,
} from './state.js'
import type { EngineZoneID as ZoneID } from './vocabulary.js'

/** The record type of shares (VC `cloudkit.share`; docs/protocols/cloudkit.md §9). */
export const SHARE_RECORD_TYPE = 'cloudkit.share'
const PERMISSIONS = new Set(['NONE', 'READ_ONLY', 'READ_WRITE'])

/** What an operation changes besides fields: sharing attributes, and the root record a new share names. */
export type SharingOutcome =
  | { readonly error: Record<string, unknown> }
  | { readonly extras: Partial<StoredRecord>; readonly root?: StoredRecord }

type Staged = Map<string, StoredRecord | null>

interface ShareInput {
  recordName?: unknown
  recordType?: unknown
  createShortGUID?: unknown
  parent?: unknown
  forRecord?: unknown
  publicPermission?: unknown
  participants?: unknown
}

/** A short GUID like CloudKit's (letters and digits, used in share URLs). */
export function newShortGuid(): string {
  return `0${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`
}

/**
 * The sharing attributes of a created or changed record (DOC `ModifyRecords`; VC record keys):
 * `createShortGUID`, `parent`, and for `cloudkit.share` records `forRecord` (the root, which gets a
 * `share` reference and a new change tag in the same batch), `publicPermission` and `participants`.
 * Shares live in custom zones of the private database.
 */
export function sharingOf(
  ctx: OperationContext,
  zone: StoredZone,
  staged: Staged,
  input: ShareInput,
  existing: StoredRecord | undefined,
): SharingOutcome {
  const name = typeof input.recordName === 'string' ? input.recordName : undefined
  const fail = (code: Parameters<typeof itemError>[0], reason: string): SharingOutcome => ({
    error: itemError(code, reason, name === undefined ? {} : { recordName: name }),
  })
  const extras: Partial<StoredRecord> = {}
  if (input.createShortGUID === true && !existing?.shortGUID) extras.shortGUID = newShortGuid()
  if (input.parent !== undefined) {
    const parent = input.parent as { recordName?: unknown } | null
    if (parent !== null && typeof parent?.recordName !== 'string')
      return fail('BAD_REQUEST', 'parent must be a reference with a recordName, or null.')
    extras.parent = parent === null ? undefined : { recordName: parent.recordName as string }
  }
  const recordType = input.recordType ?? existing?.recordType
  if (recordType !== SHARE_RECORD_TYPE) return { extras }
  if (ctx.database !== 'private' || zone.zoneID.zoneName === DEFAULT_ZONE)
    return fail('BAD_REQUEST', 'Shares live in custom zones of the private database.')
  const permission = input.publicPermission ?? existing?.shareInfo?.publicPermission ?? 'NONE'
  if (typeof permission !== 'string' || !PERMISSIONS.has(permission))
    return fail('BAD_REQUEST', 'publicPermission must be NONE, READ_ONLY or READ_WRITE.')
  const owner = ctx.principal.userRecordName ?? ''
  const participants = participantsOf(input.participants, existing?.shareInfo, owner)
  if ('error' in participants) return fail('BAD_REQUEST', participants.error)
  if (existing?.shareInfo) {
    extras.shareInfo = {
      ...existing.shareInfo,
      publicPermission: permission,
      participants: participants.list,
    }
    return { extras }
  }
  const forRecord = input.forRecord as { recordName?: unknown } | undefined
  if (typeof forRecord?.recordName !== 'string')
    return fail('BAD_REQUEST', 'A new share needs forRecord, naming the root record it shares.')
  const rootName = forRecord.recordName
  const root = staged.has(rootName) ? (staged.get(rootName) ?? undefined) : zone.records.get(rootName)
  if (!root) return fail('NOT_FOUND', `The root record ${rootName} does not exist in this zone.`)
  if (root.share)
    return fail('EXISTS', `Record ${rootName} is already shared (share ${root.share.recordName}).`)
  extras.shortGUID = existing?.shortGUID ?? newShortGuid()
  extras.shareInfo = {
    publicPermission: permission,
    rootRecordName: rootName,
    participants: participants.list,
  }
  const shareName = name ?? ''
  return {
    extras,
    root: {
      ...root,
      share: { recordName: shareName, zoneID: zone.zoneID },
      recordChangeTag: newChangeTag(ctx),
      modified: { timestamp: ctx.now, userRecordName: owner, deviceID: 'sigwire-emulator' },
    },
  }
}

/** The participant list of a share: the owner first, then those given (keeping the status of those already there). */
function participantsOf(
  given: unknown,
  existing: StoredShareInfo | undefined,
  owner: string,
): { list: StoredParticipant[] } | { error: string } {
  const ownerEntry: StoredParticipant = existing?.participants.find((p) => p.type === 'OWNER') ?? {
    participantId: randomUUID(),
    userRecordName: owner,
    type: 'OWNER',
    acceptanceStatus: 'ACCEPTED',
    permission: 'READ_WRITE',
  }
  if (given === undefined) return { list: existing?.participants ?? [ownerEntry] }
  if (!Array.isArray(given)) return { error: 'participants must be an array.' }
  const list: StoredParticipant[] = [ownerEntry]
  for (const raw of given) {
    const p = raw as {
      userIdentity?: {
        userRecordName?: unknown
        lookupInfo?: { emailAddress?: unknown; userRecordName?: unknown }
      }
      permission?: unknown
      type?: unknown
    }
    const userRecordName = p?.userIdentity?.userRecordName ?? p?.userIdentity?.lookupInfo?.userRecordName
    const emailAddress = p?.userIdentity?.lookupInfo?.emailAddress
    if (typeof userRecordName !== 'string' && typeof emailAddress !== 'string')
      return {
        error: 'Each participant needs userIdentity with a userRecordName or lookupInfo.emailAddress.',
      }
    if (p.type === 'OWNER' || userRecordName === owner) continue
    const permission = p.permission ?? 'READ_ONLY'
    if (permission !== 'READ_ONLY' && permission !== 'READ_WRITE')
      return { error: 'A participant permission is READ_ONLY or READ_WRITE.' }
    const same = existing?.participants.find(
      (x) =>
        (typeof userRecordName === 'string' && x.userRecordName === userRecordName) ||
        (typeof emailAddress === 'string' && x.emailAddress === emailAddress),
    )
    list.push({
      participantId: same?.participantId ?? randomUUID(),
      ...(typeof userRecordName === 'string' ? { userRecordName } : {}),
      ...(typeof emailAddress === 'string' ? { emailAddress } : {}),
      type: same?.type ?? 'PRIVATE_USER',
      acceptanceStatus: same?.acceptanceStatus ?? 'PENDING',
      permission,
      ...(same?.acceptedAt === undefined ? {} : { acceptedAt: same.acceptedAt }),
    })
  }
  for (const p of existing?.participants ?? [])
    if (p.type === 'PUBLIC_USER' && !list.some((x) => x.participantId === p.participantId)) list.push(p)
  return { list }
}

/** How a participant travels (VC `ShareParticipant`; DOC `Types`). */
export function renderParticipant(
  p: StoredParticipant,
  lookup?: (userRecordName: string) => Record<string, unknown> | undefined,
): Record<string, unknown> {
  const identity = p.userRecordName ? lookup?.(p.userRecordName) : undefined
  return {
    participantId: p.participantId,
    userIdentity: identity ?? {
      ...(p.userRecordName ? { userRecordName: p.userRecordName } : {}),
      lookupInfo: p.emailAddress ? { emailAddress: p.emailAddress } : { userRecordName: p.userRecordName },
    },
    type: p.type,
    acceptanceStatus: p.acceptanceStatus,
    permission: p.permission,
  }
}

/** The sharing keys of a record as responses carry them (owner and current user for shares). */
export function renderSharing(
  ctx: OperationContext,
  record: StoredRecord,
  zoneID: ZoneID,
  lookup?: (userRecordName: string) => Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (record.shortGUID) out.shortGUID = record.shortGUID
  if (record.parent) out.parent = { recordName: record.parent.recordName, zoneID }
  if (record.share) out.share = { recordName: record.share.recordName, zoneID }
  const info = record.shareInfo
  if (info) {
    const render = (p: StoredParticipant) => renderParticipant(p, lookup)
    const owner = info.participants.find((p) => p.type === 'OWNER')
    const me = info.participants.find((p) => p.userRecordName === ctx.principal.userRecordName)
    out.publicPermission = info.publicPermission
    out.participants = info.participants.map(render)
    if (owner) out.owner = render(owner)
    if (me) out.currentUserParticipant = render(me)
  }
  return out
}

/** After a batch of `records/modify` is applied: keeps the short-GUID index, and ends the participations of deleted shares. */
export function afterSharingChanges(
  ctx: OperationContext,
  db: StoredDatabase,
  zone: StoredZone,
  changes: ReadonlyArray<{
    readonly name: string
    readonly before: StoredRecord | undefined
    readonly after: StoredRecord | null
  }>,
): void {
  for (const { name, before, after } of changes) {
    if (after?.shortGUID)
      ctx.tx.put('shortGuids', after.shortGUID, {
        database: db.key,
        zoneName: zone.zoneID.zoneName,
        recordName: name,
      })
    else if (before?.shortGUID && !after?.shortGUID) ctx.tx.delete('shortGuids', before.shortGUID)
    if (before?.shareInfo && after === null) {
      for (const [key, p] of ctx.data.participations())
        if (
          p.shareRecordName === name &&
          p.zoneName === zone.zoneID.zoneName &&
          db.key.endsWith(`|private|${p.ownerRecordName}`)
        )
          ctx.tx.delete('participations', key)
    }
  }
}

/** Deleting a share stops sharing its root: the root loses its `share` reference in the same batch. */
export function unshareRoot(
  ctx: OperationContext,
  zone: StoredZone,
  staged: Staged,
  share: StoredRecord,
): void {
  const rootName = share.shareInfo?.rootRecordName
  if (rootName === undefined) return
  const root = staged.has(rootName) ? staged.get(rootName) : zone.records.get(rootName)
  if (!root || root.share?.recordName !== share.recordName) return
  const { share: _share, ...rest } = root
  staged.set(rootName, { ...rest, recordChangeTag: newChangeTag(ctx) })
}
