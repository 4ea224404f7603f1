import type { OperationContext } from './context.js'
import { cloudKitError } from './errors.js'
import type { StoredDatabase, StoredParticipation, StoredRecord, StoredZone } from './state.js'
import type { EngineZoneID as ZoneID } from './vocabulary.js'

/** The key of a user's private database. */
export function privateDatabaseKey(scope: string, userRecordName: string): string {
  return `${scope}|private|${userRecordName}`
}

/** The caller's accepted participations, optionally in one owner's zone. */
export function participationsOf(
  ctx: Pick<OperationContext, 'data' | 'scope' | 'principal'>,
  owner?: string,
  zoneName?: string,
): StoredParticipation[] {
  const user = ctx.principal.userRecordName
  if (user === undefined) return []
  const out: StoredParticipation[] = []
  for (const p of ctx.data.participations().values())
    if (
      p.scope === ctx.scope &&
      p.userRecordName === user &&
      (owner === undefined || p.ownerRecordName === owner) &&
      (zoneName === undefined || p.zoneName === zoneName)
    )
      out.push(p)
  return out
}

/**
 * A zone of the shared database: the owner's private zone named by `zoneID` (with
 * `ownerRecordName`), which the caller reaches through a share they accepted; otherwise
 * ZONE_NOT_FOUND, as if it did not exist.
 */
export function sharedZoneOf(
  ctx: OperationContext,
  zoneID: unknown,
): { db: StoredDatabase; zone: StoredZone; permission: string } {
  const id = (zoneID ?? {}) as Partial<ZoneID>
  const missing = () =>
    cloudKitError(
      'ZONE_NOT_FOUND',
      `Zone ${JSON.stringify(id.zoneName ?? '')} of ${JSON.stringify(id.ownerRecordName ?? '')} is not shared with you.`,
    )
  if (typeof id.zoneName !== 'string' || typeof id.ownerRecordName !== 'string') throw missing()
  const accepted = participationsOf(ctx, id.ownerRecordName, id.zoneName)
  const db = ctx.data.databases.get(privateDatabaseKey(ctx.scope, id.ownerRecordName))
  const zone = db?.zones.get(id.zoneName)
  if (accepted.length === 0 || !db || !zone || zone.deleted) throw missing()
  let permission = 'READ_ONLY'
  for (const p of accepted) {
    const share = zone.records.get(p.shareRecordName)
    const me = share?.shareInfo?.participants.find((x) => x.userRecordName === ctx.principal.userRecordName)
    if (me?.permission === 'READ_WRITE') permission = 'READ_WRITE'
  }
  return { db, zone, permission }
}

/**
 * Whether the caller sees `record` in its zone: always outside the shared database; there, only the
 * shares the caller accepted, their root records and the records whose `parent` chain reaches a root
 * (CloudKit shares a record hierarchy, not its zone; §9).
 */
export function canSee(ctx: OperationContext, zone: StoredZone, record: StoredRecord): boolean {
  if (ctx.database !== 'shared') return true
  const shares = new Set(
    participationsOf(ctx, zone.zoneID.ownerRecordName, zone.zoneID.zoneName).map((p) => p.shareRecordName),
  )
  if (shares.has(record.recordName)) return true
  let current: StoredRecord | undefined = record
  for (let depth = 0; current && depth < 64; depth++) {
    if (current.share && shares.has(current.share.recordName)) return true
    current = current.parent ? zone.records.get(current.parent.recordName) : undefined
  }
  return false
}
