import { ICloudError } from '../../errors.js'
import { decodeCrdtText, encodeCrdtText } from './crdt-text.js'
import type { Reminder, ReminderList } from './types.js'

/** A record as `ckdatabasews` answers it. */
export interface WireRecord {
  readonly recordName: string
  readonly recordType?: string
  readonly recordChangeTag?: string
  readonly fields?: Record<string, { value?: unknown; type?: string } | undefined>
  readonly created?: { timestamp?: number }
  readonly modified?: { timestamp?: number }
  readonly deleted?: boolean
  readonly serverErrorCode?: string
  readonly reason?: string
}

/** A field value as `records/modify` takes it; a null value clears the field. */
export type WireField = { type: string; value: unknown }

/** Record names carry their type as a prefix (`Reminder/<UUID>`); ids without it get it. */
export function recordName(id: string, prefix: 'Reminder' | 'List'): string {
  return id.startsWith(`${prefix}/`) ? id : `${prefix}/${id}`
}

const value = (r: WireRecord, name: string): unknown => r.fields?.[name]?.value
const flag = (r: WireRecord, name: string): boolean => Number(value(r, name) ?? 0) !== 0
const date = (v: unknown): Date | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? new Date(v) : undefined
const ref = (r: WireRecord, name: string): string | undefined => {
  const v = value(r, name) as { recordName?: unknown } | null | undefined
  return typeof v?.recordName === 'string' ? v.recordName : undefined
}

/** True for a reminder or list the web app deleted (`Deleted = 1`: deletes are updates, §20.6). */
export function isSoftDeleted(r: WireRecord): boolean {
  return flag(r, 'Deleted')
}

/** A `List` record as a {@link ReminderList}. */
export function toList(r: WireRecord): ReminderList {
  const count = Number(value(r, 'Count') ?? 0)
  let ids: unknown[] = []
  try {
    const raw = value(r, 'ReminderIDs')
    ids = typeof raw === 'string' ? (JSON.parse(raw) as unknown[]) : []
  } catch {
    ids = []
  }
  const name = value(r, 'Name')
  const color = value(r, 'Color')
  return {
    id: r.recordName,
    title: typeof name === 'string' && name !== '' ? name : 'Untitled',
    color: typeof color === 'string' ? color : undefined,
    count: count > 0 ? count : Array.isArray(ids) ? ids.length : 0,
    changeTag: r.recordChangeTag ?? '',
  }
}

/** A `Reminder` record as a {@link Reminder}. */
export function toReminder(r: WireRecord): Reminder {
  const tz = value(r, 'TimeZone')
  return {
    id: r.recordName,
    listId: ref(r, 'List') ?? '',
    title: decodeCrdtText(value(r, 'TitleDocument')) ?? '',
    notes: decodeCrdtText(value(r, 'NotesDocument')) ?? '',
    priority: Number(value(r, 'Priority') ?? 0) || 0,
    due: date(value(r, 'DueDate')),
    allDay: flag(r, 'AllDay'),
    timeZone: typeof tz === 'string' && tz !== '' ? tz : undefined,
    flagged: flag(r, 'Flagged'),
    completed: flag(r, 'Completed'),
    completedAt: date(value(r, 'CompletionDate')),
    parentId: ref(r, 'ParentReminder'),
    created: date(value(r, 'CreationDate')) ?? date(r.created?.timestamp),
    modified: date(value(r, 'LastModifiedDate')) ?? date(r.modified?.timestamp),
    changeTag: r.recordChangeTag ?? '',
  }
}

/** `ResolutionTokenMap`: per changed field, a counter, the time (seconds since 2001) and a replica (§20.5). */
export function resolutionTokenMap(fields: readonly string[], now: number, replica: string): string {
  const modificationTime = now / 1000 - 978_307_200
  const map: Record<string, unknown> = {}
  for (const f of fields) map[f] = { counter: 1, modificationTime, replicaID: replica }
  return JSON.stringify({ map })
}

export const text = (s: string): WireField => ({ type: 'STRING', value: encodeCrdtText(s) })
export const int = (n: number): WireField => ({ type: 'INT64', value: n })
export const stamp = (d: Date | null): WireField => ({ type: 'TIMESTAMP', value: d ? d.getTime() : null })
export const reference = (name: string | null): WireField => ({
  type: 'REFERENCE',
  value: name === null ? null : { recordName: name, action: 'VALIDATE' },
})

/** Throws the first per-record error of a `records/*` answer (CloudKit answers them with HTTP 200). */
export function checkRecords(records: readonly WireRecord[], what: string): void {
  const failed = records.find((r) => r.serverErrorCode !== undefined)
  if (!failed) return
  const code = failed.serverErrorCode
  throw new ICloudError({
    code: code === 'CONFLICT' ? 'CONFLICT' : code === 'NOT_FOUND' ? 'NOT_FOUND' : 'SERVICE_ERROR',
    serviceCode: code,
    message:
      code === 'CONFLICT'
        ? `${what}: ${failed.recordName ?? 'the record'} changed on the server meanwhile; read it again and retry.`
        : `${what}: Reminders answered ${code} for ${failed.recordName ?? 'a record'}${failed.reason ? ` (${failed.reason})` : ''}.`,
    ...(code === 'NOT_FOUND' ? { details: { kind: 'reminder' } } : {}),
  })
}
