import { randomUUID } from 'node:crypto'
import type { CallOptions } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import { callCkDatabase, queryPages } from '../ckdatabase.js'
import type { ServiceCaller } from '../service-caller.js'
import {
  checkRecords,
  int,
  isSoftDeleted,
  recordName,
  reference,
  resolutionTokenMap,
  stamp,
  text,
  toList,
  toReminder,
  type WireField,
  type WireRecord,
} from './records.js'
import type {
  NewReminder,
  Reminder,
  ReminderChanges,
  ReminderList,
  ReminderQuery,
  RemindersApi,
  ReminderUpdate,
} from './types.js'

/** The container, environment and zone of Reminders (docs/protocols/icloud.md §20.1, §20.2). */
export const REMINDERS_CONTAINER = 'com.apple.reminders'
const ZONE = { zoneName: 'Reminders', zoneType: 'REGULAR_CUSTOM_ZONE' } as const
const PAGE = 200

interface ZoneChanges {
  zones?: Array<{ records?: WireRecord[]; syncToken?: string; moreComing?: boolean }>
}

/** The {@link RemindersApi} of a session. */
export class RemindersService implements RemindersApi {
  /** Names this client in `ResolutionTokenMap`s (one per client, as one app instance is one replica). */
  readonly #replica = randomUUID().toUpperCase()

  constructor(readonly caller: ServiceCaller) {}

  #call<T>(op: string, body: unknown, options: CallOptions, retrySafe: boolean): Promise<T> {
    return callCkDatabase<T>(this.caller, {
      container: REMINDERS_CONTAINER,
      database: 'private',
      op,
      body,
      options,
      retrySafe,
    })
  }

  async #zoneChanges(
    types: string[] | undefined,
    since: string | undefined,
    options: CallOptions,
  ): Promise<{ records: WireRecord[]; syncToken: string }> {
    const records: WireRecord[] = []
    let token = since
    for (;;) {
      const answer = await this.#call<ZoneChanges>(
        'changes/zone',
        {
          zones: [
            {
              zoneID: ZONE,
              ...(types ? { desiredRecordTypes: types } : {}),
              ...(token ? { syncToken: token } : {}),
            },
          ],
        },
        options,
        true,
      )
      const zone = answer?.zones?.[0]
      if (!zone) return { records, syncToken: token ?? '' }
      records.push(...(zone.records ?? []))
      token = zone.syncToken ?? token
      if (!zone.moreComing) return { records, syncToken: token ?? '' }
    }
  }

  async lists(options: CallOptions = {}): Promise<ReminderList[]> {
    const { records } = await this.#zoneChanges(['List'], undefined, options)
    checkRecords(records, 'Listing reminders lists')
    return records.filter((r) => r.recordType === 'List' && !r.deleted && !isSoftDeleted(r)).map(toList)
  }

  async *reminders(query: ReminderQuery = {}): AsyncIterableIterator<Reminder> {
    const lists = await this.lists(query)
    const wanted = query.list === undefined ? lists : [resolveList(lists, query.list)]
    for (const list of wanted) yield* this.#ofList(list.id, query.completed === true, query)
  }

  /** The compound `reminderList` query of one list, page by page (§20.3). */
  async *#ofList(listId: string, completed: boolean, options: CallOptions): AsyncIterableIterator<Reminder> {
    const pages = queryPages((marker) =>
      this.#call<{ records?: WireRecord[]; continuationMarker?: string }>(
        'records/query',
        {
          query: {
            recordType: 'reminderList',
            filterBy: [
              {
                comparator: 'EQUALS',
                fieldName: 'List',
                fieldValue: { type: 'REFERENCE', value: { recordName: listId, action: 'VALIDATE' } },
              },
              {
                comparator: 'EQUALS',
                fieldName: 'includeCompleted',
                fieldValue: { type: 'INT64', value: completed ? 1 : 0 },
              },
              {
                comparator: 'EQUALS',
                fieldName: 'LookupValidatingReference',
                fieldValue: { type: 'INT64', value: 1 },
              },
            ],
          },
          zoneID: ZONE,
          resultsLimit: PAGE,
          ...(marker ? { continuationMarker: marker } : {}),
        },
        options,
        true,
      ),
    )
    for await (const answer of pages) {
      const records = answer?.records ?? []
      checkRecords(records, 'Listing reminders')
      for (const r of records) {
        if (r.recordType !== 'Reminder' || isSoftDeleted(r)) continue
        const reminder = toReminder(r)
        // The compound answer may carry records of other lists; the list filter is the client's (§20.3).
        if (reminder.listId === listId && (completed || !reminder.completed)) yield reminder
      }
    }
  }

  async #lookup(id: string, options: CallOptions): Promise<WireRecord | undefined> {
    const name = recordName(checkId(id), 'Reminder')
    const answer = await this.#call<{ records?: WireRecord[] }>(
      'records/lookup',
      { records: [{ recordName: name }], zoneID: ZONE },
      options,
      true,
    )
    const found = answer?.records?.find((r) => r.recordName === name)
    if (
      !found ||
      found.serverErrorCode === 'NOT_FOUND' ||
      found.recordType !== 'Reminder' ||
      isSoftDeleted(found)
    )
      return undefined
    checkRecords([found], 'Reading a reminder')
    return found
  }

  async get(id: string, options: CallOptions = {}): Promise<Reminder> {
    const found = await this.#lookup(id, options)
    if (!found) throw unknownReminder(id)
    return toReminder(found)
  }

  async create(reminder: NewReminder): Promise<Reminder> {
    const title = checkTitle(reminder?.title)
    const priority = checkPriority(reminder.priority)
    const due = reminder.due === undefined ? undefined : checkDate(reminder.due, 'due')
    const timeZone = checkTimeZone(reminder.timeZone)
    const parent = reminder.parent === undefined ? undefined : await this.get(reminder.parent, reminder)
    const lists = await this.lists(reminder)
    const list =
      reminder.list !== undefined
        ? resolveList(lists, reminder.list)
        : parent
          ? lists.find((l) => l.id === parent.listId)
          : lists[0]
    if (!list)
      throw new ICloudError({
        code: 'NOT_FOUND',
        message: 'This account has no reminders list; create one in the Reminders app first.',
        details: { kind: 'list' },
      })
    if (parent && parent.listId !== list.id)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `A sub-task lives in its parent's list; leave out list or pass the parent's list (${parent.listId}).`,
        details: { argument: 'list' },
      })
    const now = Date.now()
    const name = `Reminder/${randomUUID().toUpperCase()}`
    const fields: Record<string, WireField> = {
      TitleDocument: text(title),
      NotesDocument: text(reminder.notes ?? ''),
      List: reference(list.id),
      Priority: int(priority),
      Completed: int(0),
      Flagged: int(reminder.flagged ? 1 : 0),
      AllDay: int(reminder.allDay ? 1 : 0),
      Deleted: int(0),
      Imported: int(0),
      CreationDate: stamp(new Date(now)),
      LastModifiedDate: stamp(new Date(now)),
      ...(due ? { DueDate: stamp(due) } : {}),
      ...(timeZone ? { TimeZone: { type: 'STRING', value: timeZone } } : {}),
      ...(parent ? { ParentReminder: reference(parent.id) } : {}),
    }
    fields.ResolutionTokenMap = this.#tokens(
      [
        'titleDocument',
        'notesDocument',
        'list',
        'priority',
        'completed',
        'flagged',
        'allDay',
        'creationDate',
        'lastModifiedDate',
        'dueDate',
        'timeZone',
        'parentReminder',
      ],
      now,
    )
    // The new reminder's parent record is its list (pyicloud `_writes.py`, §20.5).
    const [created] = await this.#modify(
      [
        {
          operationType: 'create',
          record: { recordName: name, recordType: 'Reminder', fields, parent: { recordName: list.id } },
        },
      ],
      reminder,
      'Creating a reminder',
    )
    return toReminder(created!)
  }

  async update(id: string, changes: ReminderUpdate): Promise<Reminder> {
    const fields: Record<string, WireField> = {}
    const changed: string[] = []
    const set = (field: string, token: string, value: WireField) => {
      fields[field] = value
      changed.push(token)
    }
    if (changes?.title !== undefined) set('TitleDocument', 'titleDocument', text(checkTitle(changes.title)))
    if (changes?.notes !== undefined) set('NotesDocument', 'notesDocument', text(String(changes.notes)))
    if (changes?.priority !== undefined) set('Priority', 'priority', int(checkPriority(changes.priority)))
    if (changes?.due !== undefined)
      set('DueDate', 'dueDate', stamp(changes.due === null ? null : checkDate(changes.due, 'due')))
    if (changes?.allDay !== undefined) set('AllDay', 'allDay', int(changes.allDay ? 1 : 0))
    if (changes?.flagged !== undefined) set('Flagged', 'flagged', int(changes.flagged ? 1 : 0))
    const now = Date.now()
    if (changes?.completed !== undefined) {
      set('Completed', 'completed', int(changes.completed ? 1 : 0))
      set('CompletionDate', 'completionDate', stamp(changes.completed ? new Date(now) : null))
    }
    const current = await this.#lookup(id, changes ?? {})
    if (!current) throw unknownReminder(id)
    if (changed.length === 0) return toReminder(current)
    set('LastModifiedDate', 'lastModifiedDate', stamp(new Date(now)))
    fields.ResolutionTokenMap = this.#tokens(changed, now)
    const [updated] = await this.#modify(
      [
        {
          operationType: 'update',
          record: {
            recordName: current.recordName,
            recordType: 'Reminder',
            recordChangeTag: current.recordChangeTag,
            fields,
          },
        },
      ],
      changes ?? {},
      'Changing a reminder',
    )
    return toReminder(updated!)
  }

  complete(id: string, options: CallOptions = {}): Promise<Reminder> {
    return this.update(id, { ...options, completed: true })
  }

  async remove(id: string, options: CallOptions = {}): Promise<void> {
    const current = await this.#lookup(id, options)
    if (!current) throw unknownReminder(id)
    const target = toReminder(current)
    // Sub-tasks go with their parent (DECISION, §20.6): found among the list's reminders.
    const children: Reminder[] = []
    for await (const r of this.#ofList(target.listId, true, options))
      if (r.parentId === target.id) children.push(r)
    const now = Date.now()
    const deleted = (r: { id: string; changeTag: string }) => ({
      operationType: 'update',
      record: {
        recordName: r.id,
        recordType: 'Reminder',
        recordChangeTag: r.changeTag,
        fields: {
          Deleted: int(1),
          LastModifiedDate: stamp(new Date(now)),
          ResolutionTokenMap: this.#tokens(['deleted', 'lastModifiedDate'], now),
        },
      },
    })
    await this.#modify([target, ...children].map(deleted), options, 'Deleting a reminder')
  }

  async syncToken(options: CallOptions = {}): Promise<string> {
    // A one-record query answers the zone's current token with getCurrentSyncToken=true (§20.7).
    const answer = await this.#call<{ syncToken?: string }>(
      'records/query',
      { query: { recordType: 'reminderList' }, zoneID: ZONE, resultsLimit: 1 },
      options,
      true,
    )
    if (typeof answer?.syncToken === 'string' && answer.syncToken !== '') return answer.syncToken
    return (await this.#zoneChanges([], undefined, options)).syncToken
  }

  async changes(since?: string, options: CallOptions = {}): Promise<ReminderChanges> {
    if (since !== undefined && (typeof since !== 'string' || since === ''))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'since must be a sync token from reminders.syncToken() or an earlier changes() call.',
        details: { argument: 'since' },
      })
    const { records, syncToken } = await this.#zoneChanges(['Reminder', 'List'], since, options)
    checkRecords(records, 'Reading reminder changes')
    const out: ReminderChanges = { reminders: [], lists: [], deleted: [], syncToken }
    for (const r of records) {
      if (r.deleted || isSoftDeleted(r)) out.deleted.push(r.recordName)
      else if (r.recordType === 'Reminder') out.reminders.push(toReminder(r))
      else if (r.recordType === 'List') out.lists.push(toList(r))
    }
    return out
  }

  async #modify(operations: unknown[], options: CallOptions, what: string): Promise<WireRecord[]> {
    const answer = await this.#call<{ records?: WireRecord[] }>(
      'records/modify',
      { operations, zoneID: ZONE, atomic: true },
      options,
      false,
    )
    const records = answer?.records ?? []
    checkRecords(records, what)
    if (records.length !== operations.length)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `${what}: Reminders answered ${records.length} records for ${operations.length} changes.`,
      })
    return records
  }

  #tokens(fields: string[], now: number): WireField {
    return { type: 'STRING', value: resolutionTokenMap(fields, now, this.#replica) }
  }
}

function resolveList(lists: readonly ReminderList[], wanted: string): ReminderList {
  const found =
    lists.find((l) => l.id === wanted || l.id === `List/${wanted}`) ??
    lists.find((l) => l.title.toLowerCase() === String(wanted).toLowerCase())
  if (found) return found
  throw new ICloudError({
    code: 'NOT_FOUND',
    message: `No reminders list has the id or title ${JSON.stringify(String(wanted).slice(0, 80))}; the lists are ${lists.map((l) => JSON.stringify(l.title)).join(', ') || 'none'}.`,
    details: { kind: 'list' },
  })
}

function unknownReminder(id: string): ICloudError {
  return new ICloudError({
    code: 'NOT_FOUND',
    message: `No reminder has the id ${JSON.stringify(String(id).slice(0, 80))}; list them with reminders.reminders() (sigwire icloud reminders ls --json).`,
    details: { kind: 'reminder' },
  })
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '' || id.length > 200 || /[\s]/.test(id))
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'A reminder id is a record name such as Reminder/8F3C… (as reminders() or ls --json shows).',
      details: { argument: 'id' },
    })
  return id
}

function checkTitle(title: unknown): string {
  if (typeof title !== 'string' || title.trim() === '' || title.length > 4096)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'A reminder needs a title of 1 to 4096 characters.',
      details: { argument: 'title' },
    })
  return title
}

function checkPriority(priority: unknown): number {
  if (priority === undefined) return 0
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 9)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message:
        'priority must be 0 (none), 1 (high), 5 (medium) or 9 (low), or another whole number from 0 to 9.',
      details: { argument: 'priority' },
    })
  return priority
}

function checkDate(date: unknown, name: string): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    throw new ICloudError({
      code: 'INVALID_DATE',
      message: `${name} must be a valid Date (for example new Date('2027-03-01T09:00:00Z')).`,
      details: { argument: name },
    })
  return date
}

function checkTimeZone(zone: unknown): string | undefined {
  if (zone === undefined) return undefined
  try {
    if (typeof zone !== 'string') throw new RangeError()
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `timeZone must be an IANA time zone such as Europe/Paris (got ${JSON.stringify(String(zone).slice(0, 40))}).`,
      details: { argument: 'timeZone' },
    })
  }
}
