import { createHash } from 'node:crypto'
import {
  badRequest,
  type EngineField,
  type OperationContext,
  queryRecords,
  type StoredRecord,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'
import { offsetPage } from '../ckdatabase/continuation.js'

// `records/query` of the Reminders container. `reminderList` is a compound query the server answers
// with a list's reminders and the records hanging off them (docs/protocols/icloud.md §20.3); any
// other record type is an ordinary CloudKit query run by the shared engine.

/** Record types that hang off a reminder through their `Reminder` reference (pyicloud `_reads.py`). */
const CHILD_TYPES = new Set(['Alarm', 'Attachment', 'Hashtag', 'RecurrenceRule'])

const refName = (record: StoredRecord, field: string): string | undefined =>
  (record.fields[field]?.value as { recordName?: unknown } | null | undefined)?.recordName as
    | string
    | undefined
const flag = (record: StoredRecord, field: string): boolean => Number(record.fields[field]?.value ?? 0) !== 0

/** Answers one Reminders `records/query`. */
export function remindersQuery(ctx: OperationContext): Record<string, unknown> {
  const query = ctx.body.query as { recordType?: unknown; filterBy?: unknown } | undefined
  if (query?.recordType !== 'reminderList') return queryRecords(ctx)
  const filters = Array.isArray(query.filterBy)
    ? (query.filterBy as Array<{ fieldName?: unknown; fieldValue?: EngineField }>)
    : []
  const value = (name: string) => filters.find((f) => f?.fieldName === name)?.fieldValue?.value
  const list = (value('List') as { recordName?: unknown } | undefined)?.recordName
  if (list !== undefined && typeof list !== 'string')
    throw badRequest('The List filter needs a reference with a recordName.')
  const includeCompleted = Number(value('includeCompleted') ?? 0) !== 0
  const zone = zoneOf(ctx, ctx.body.zoneID)
  // Without a List filter (the sync-token probe) the answer has no records.
  const reminders =
    list === undefined
      ? []
      : [...zone.records.values()].filter(
          (r) =>
            r.recordType === 'Reminder' &&
            refName(r, 'List') === list &&
            !flag(r, 'Deleted') &&
            (includeCompleted || !flag(r, 'Completed')),
        )
  const names = new Set(reminders.map((r) => r.recordName))
  const children = [...zone.records.values()].filter(
    (r) => CHILD_TYPES.has(r.recordType) && names.has(refName(r, 'Reminder') ?? '') && !flag(r, 'Deleted'),
  )
  const alarms = new Set(children.filter((r) => r.recordType === 'Alarm').map((r) => r.recordName))
  const triggers = [...zone.records.values()].filter(
    (r) => r.recordType === 'AlarmTrigger' && alarms.has(refName(r, 'Alarm') ?? ''),
  )
  const all = [...reminders, ...children, ...triggers].sort((a, b) => a.order - b.order)
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([list, includeCompleted]))
    .digest('base64url')
    .slice(0, 12)
  return offsetPage(ctx, zone, all, fingerprint)
}
