import { randomUUID } from 'node:crypto'
import { nextCounter, type OperationContext } from './context.js'
import { type Filter, matchesFilter } from './query.js'
import {
  DEFAULT_ZONE,
  type StoredDatabase,
  type StoredNotification,
  type StoredRecord,
  type StoredZone,
} from './state.js'
import type { EngineZoneID as ZoneID } from './vocabulary.js'

/** One record change of a batch. */
export interface RecordChange {
  readonly name: string
  readonly before: StoredRecord | undefined
  readonly after: StoredRecord | null
}

/** A stored subscription: what the client saved, plus who saved it (never sent back). */
export interface StoredSubscription {
  subscriptionID: string
  subscriptionType?: string
  zoneID?: ZoneID
  query?: { recordType?: string; filterBy?: Filter[] }
  firesOn?: string[]
  firesOnce?: boolean
  zoneWide?: boolean
  recordType?: string
  notificationInfo?: Record<string, unknown>
  /** The user whose devices the notifications go to. */
  _owner?: string
}

/** Database scopes as notifications number them (VC: `dbs` 0 is the public database). */
const DATABASE_SCOPE: Readonly<Record<string, number>> = { public: 0, private: 1, shared: 2 }

/** The keys of the APNs `aps` dictionary a subscription's `notificationInfo` asks for (DOC `ModifySubscriptions`). */
function apsOf(info: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!info) return { 'content-available': 1 }
  const alert: Record<string, unknown> = {}
  if (typeof info.alertBody === 'string') alert.body = info.alertBody
  if (typeof info.alertLocalizationKey === 'string') alert['loc-key'] = info.alertLocalizationKey
  if (Array.isArray(info.alertLocalizationArgs)) alert['loc-args'] = info.alertLocalizationArgs
  if (typeof info.alertActionLocalizationKey === 'string')
    alert['action-loc-key'] = info.alertActionLocalizationKey
  if (typeof info.alertLaunchImage === 'string') alert['launch-image'] = info.alertLaunchImage
  return {
    ...(Object.keys(alert).length > 0 ? { alert } : {}),
    ...(typeof info.soundName === 'string' ? { sound: info.soundName } : {}),
    ...(info.shouldBadge === true ? { badge: 1 } : {}),
    ...(info.shouldSendContentAvailable === true || Object.keys(alert).length === 0
      ? { 'content-available': 1 }
      : {}),
    ...(typeof info.category === 'string' ? { category: info.category } : {}),
  }
}

function parse(key: string): { name: string; user: string | undefined } {
  const parts = key.split('|')
  return { name: parts[2] ?? 'public', user: parts[3] }
}

/**
 * Fires the subscriptions a batch of record changes matches (docs/protocols/cloudkit.md §10): query
 * subscriptions on the changed records (`firesOn`, `filterBy`, the zone or `zoneWide`), zone
 * subscriptions on the zone, database subscriptions on any custom zone; in the owner's database and,
 * for a shared zone, in the shared databases of the participants. Each notification is queued, durably
 * with the batch, for every APNs token of the subscription's owner; `firesOnce` subscriptions end.
 */
export function notifySubscribers(
  ctx: OperationContext,
  db: StoredDatabase,
  zone: StoredZone,
  changes: readonly RecordChange[],
): void {
  if (changes.length === 0) return
  const where = parse(db.key)
  const targets: Array<{ db: StoredDatabase; scope: string; owner: string | undefined }> = [
    { db, scope: where.name, owner: where.user },
  ]
  if (where.name === 'private' && where.user !== undefined)
    for (const p of ctx.data.participations().values())
      if (p.scope === ctx.scope && p.ownerRecordName === where.user && p.zoneName === zone.zoneID.zoneName) {
        const shared = ctx.data.databases.get(`${ctx.scope}|shared|${p.userRecordName}`)
        if (shared && !targets.some((t) => t.db === shared))
          targets.push({ db: shared, scope: 'shared', owner: p.userRecordName })
      }
  const zid = zone.zoneID.zoneName
  const zoid = zone.zoneID.ownerRecordName ?? (where.name === 'private' ? where.user : undefined)
  for (const target of targets) {
    const zoneMatches = (id: ZoneID | undefined) =>
      (id?.zoneName ?? DEFAULT_ZONE) === zid &&
      (target.scope !== 'shared' || id?.ownerRecordName === undefined || id.ownerRecordName === zoid)
    for (const sub of [...target.db.subscriptions.values()] as unknown as StoredSubscription[]) {
      const payloads: Array<Record<string, unknown>> = []
      const base = { dbs: DATABASE_SCOPE[target.scope] ?? 0, sid: sub.subscriptionID }
      if (sub.subscriptionType === 'query') {
        const firesOn = sub.firesOn ?? ['create', 'update', 'delete']
        for (const change of changes) {
          const reason = change.after === null ? 'delete' : change.before ? 'update' : 'create'
          const record = change.after ?? change.before!
          if (!firesOn.includes(reason) || record.recordType !== sub.query?.recordType) continue
          if (!sub.zoneWide && !zoneMatches(sub.zoneID)) continue
          if (!(sub.query.filterBy ?? []).every((f) => matchesFilter(record, f))) continue
          payloads.push({
            qry: {
              ...base,
              zid,
              ...(zoid ? { zoid } : {}),
              rid: change.name,
              fo: reason === 'create' ? 1 : reason === 'update' ? 2 : 3,
              ...desiredFields(sub, change.after),
            },
          })
        }
      } else if (sub.subscriptionType === 'zone') {
        if (zoneMatches(sub.zoneID)) payloads.push({ fet: { ...base, zid, ...(zoid ? { zoid } : {}) } })
      } else if (sub.subscriptionType === 'database') {
        const relevant =
          (target.scope !== 'private' || zid !== DEFAULT_ZONE) &&
          (sub.recordType === undefined ||
            changes.some((c) => (c.after ?? c.before)?.recordType === sub.recordType))
        if (relevant) payloads.push({ met: base })
      }
      if (payloads.length === 0) continue
      const owner = sub._owner ?? target.owner
      for (const body of payloads) deliver(ctx, owner, body, sub.notificationInfo)
      if (sub.firesOnce) ctx.data.deleteSubscription(ctx.tx, target.db, sub.subscriptionID)
    }
  }
}

function desiredFields(sub: StoredSubscription, record: StoredRecord | null): Record<string, unknown> {
  const keys = sub.notificationInfo?.desiredKeys
  if (!record || !Array.isArray(keys)) return {}
  const af: Record<string, unknown> = Object.create(null)
  for (const key of keys) {
    const value = record.fields[String(key)]
    if (value !== undefined) af[String(key)] = value.value
  }
  return Object.keys(af).length > 0 ? { af } : {}
}

/** Queues one notification for every token of `owner` in the container environment. */
function deliver(
  ctx: OperationContext,
  owner: string | undefined,
  body: Record<string, unknown>,
  info: Record<string, unknown> | undefined,
): void {
  if (owner === undefined) return
  const container = ctx.scope.split('|')[0]
  const payload = {
    ck: { ce: 2, cid: container, nid: randomUUID(), ckuserid: owner, ...body },
    aps: apsOf(info),
  }
  const wake = ctx.wake
  for (const [apnsToken, token] of ctx.data.apnsTokens()) {
    if (token.scope !== ctx.scope || token.userRecordName !== owner) continue
    const key = `${apnsToken}|${String(nextCounter(ctx)).padStart(12, '0')}`
    ctx.tx.put<StoredNotification>('notifications', key, { apnsToken, payload })
    if (wake) ctx.tx.afterCommit(() => wake(apnsToken))
  }
}
