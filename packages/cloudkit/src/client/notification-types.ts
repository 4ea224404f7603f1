import type { ZoneID } from './fields.js'

/** What every CloudKit notification carries (VC `CloudKit.Notification`). */
interface NotificationBase {
  /** The notification's ID (`ck.nid`). */
  readonly notificationID?: string
  /** The container the change happened in (`ck.cid`). */
  readonly containerIdentifier?: string
  /** The subscription that fired (`sid`). */
  readonly subscriptionID?: string
  /** The database of the change (`dbs`: 0 public, 1 private, 2 shared; VC reads 0 as public). */
  readonly databaseScope?: 'public' | 'private' | 'shared'
  /** The alert the subscription's `notificationInfo` asked for. */
  readonly alert?: {
    /** The alert text. */
    readonly body?: string
    /** A key of the app's Localizable.strings for the alert text (`loc-key`). */
    readonly localizationKey?: string
    /** Values for the localized alert's format (`loc-args`). */
    readonly localizationArgs?: readonly string[]
    /** A key of the localized title of the alert's action button (`action-loc-key`). */
    readonly actionLocalizationKey?: string
    /** The launch image shown when the app opens from the alert (`launch-image`). */
    readonly launchImage?: string
  }
  /** The sound to play (`aps.sound`). */
  readonly soundName?: string
  /** The badge number to show on the app icon (`aps.badge`). */
  readonly badge?: number
  /** The notification category, for its actions (`aps.category`). */
  readonly category?: string
  /** The payload as it arrived. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** A query subscription fired: a record matching it was created, updated or deleted. */
export interface QueryNotification extends NotificationBase {
  /** `query`: a query subscription fired. */
  readonly type: 'query'
  /** The zone of the record that changed. */
  readonly zoneID?: ZoneID
  /** The record that changed. */
  readonly recordName?: string
  /** What happened to the record. */
  readonly reason?: 'created' | 'updated' | 'deleted'
  /** The record fields the subscription's `notificationInfo.desiredKeys` asked for. */
  readonly fields?: Readonly<Record<string, unknown>>
}

/** A zone subscription fired: records of the zone changed (fetch them with `changes.zonePages`). */
export interface RecordZoneNotification extends NotificationBase {
  /** `zone`: a zone subscription fired. */
  readonly type: 'zone'
  /** The zone whose records changed. */
  readonly zoneID?: ZoneID
}

/** A database subscription fired: zones of the database changed (fetch them with `changes.databasePages`). */
export interface DatabaseNotification extends NotificationBase {
  /** `database`: a database subscription fired. */
  readonly type: 'database'
}

/** A payload without a CloudKit part sigwire knows. */
export interface UnknownNotification extends NotificationBase {
  /** `unknown`: no CloudKit part sigwire reads. */
  readonly type: 'unknown'
}

/** A notification from a webcourier URL, by kind (docs/protocols/cloudkit.md §10). */
export type CloudKitNotification =
  | QueryNotification
  | RecordZoneNotification
  | DatabaseNotification
  | UnknownNotification

const SCOPES = ['public', 'private', 'shared'] as const
const REASONS = { 1: 'created', 2: 'updated', 3: 'deleted' } as const

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * Reads a push payload (`{ck: {nid, cid, qry | fet | met}, aps}`; VC `parseRawNotification`,
 * docs/protocols/cloudkit.md §10) into a typed notification. `qry` is a query notification, `fet` a
 * zone notification; `met` (database) is sigwire's reading, no public source names it.
 */
export function parseNotification(raw: Readonly<Record<string, unknown>>): CloudKitNotification {
  const ck = (raw.ck ?? {}) as Record<string, unknown>
  const aps = (raw.aps ?? {}) as Record<string, unknown>
  const alertRaw = aps.alert
  const alert =
    typeof alertRaw === 'string' ? { body: alertRaw } : ((alertRaw ?? {}) as Record<string, unknown>)
  const part = (ck.qry ?? ck.fet ?? ck.met ?? {}) as Record<string, unknown>
  const scope = typeof part.dbs === 'number' ? SCOPES[part.dbs] : undefined
  const alertOut = {
    ...(str(alert.body) ? { body: str(alert.body) } : {}),
    ...(str(alert['loc-key']) ? { localizationKey: str(alert['loc-key']) } : {}),
    ...(Array.isArray(alert['loc-args']) ? { localizationArgs: alert['loc-args'] as string[] } : {}),
    ...(str(alert['action-loc-key']) ? { actionLocalizationKey: str(alert['action-loc-key']) } : {}),
    ...(str(alert['launch-image']) ? { launchImage: str(alert['launch-image']) } : {}),
  }
  const base = {
    ...(str(ck.nid) ? { notificationID: str(ck.nid) } : {}),
    ...(str(ck.cid) ? { containerIdentifier: str(ck.cid) } : {}),
    ...(str(part.sid) ? { subscriptionID: str(part.sid) } : {}),
    ...(scope ? { databaseScope: scope } : {}),
    ...(Object.keys(alertOut).length > 0 ? { alert: alertOut } : {}),
    ...(str(aps.sound) ? { soundName: str(aps.sound) } : {}),
    ...(typeof aps.badge === 'number' ? { badge: aps.badge } : {}),
    ...(str(aps.category) ? { category: str(aps.category) } : {}),
    raw,
  }
  const zoneID =
    str(part.zid) === undefined
      ? {}
      : {
          zoneID: {
            zoneName: str(part.zid)!,
            ...(str(part.zoid) ? { ownerRecordName: str(part.zoid)! } : {}),
          },
        }
  if (ck.qry !== undefined) {
    const reason = REASONS[part.fo as 1 | 2 | 3]
    return {
      type: 'query',
      ...base,
      ...zoneID,
      ...(str(part.rid) ? { recordName: str(part.rid) } : {}),
      ...(reason ? { reason } : {}),
      ...(part.af && typeof part.af === 'object' ? { fields: part.af as Record<string, unknown> } : {}),
    }
  }
  if (ck.fet !== undefined) return { type: 'zone', ...base, ...zoneID }
  if (ck.met !== undefined) return { type: 'database', ...base }
  return { type: 'unknown', ...base }
}
