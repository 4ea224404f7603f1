import { randomUUID } from 'node:crypto'
import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import { type CalendarDate, decodeCalendarDate, encodeCalendarDate } from '../calendar-date.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** A reminders list (docs/protocols/icloud.md §8.5, §18.3). */
export interface ReminderList {
  /** The list's guid (a reminder's `listGuid`). */
  readonly guid: string
  /** The list's name. */
  readonly title: string
  /** Changes whenever the list or one of its reminders changes. */
  readonly ctag: string
}

/** A reminder. */
export interface Reminder {
  /** The reminder's guid. */
  readonly guid: string
  /** The guid of its list. */
  readonly listGuid: string
  /** The reminder's version: updates and deletes send it back (`ifMatch`). */
  readonly etag: string
  /** What to do. */
  readonly title: string
  /** Notes. */
  readonly notes: string
  /** iCalendar priority: 0 none, 1 high, 5 medium, 9 low (RFC 5545 §3.8.1.9). */
  readonly priority: number
  /** When it is due, in the user's time zone. */
  readonly due: CalendarDate | undefined
  /** When it was completed; undefined while open. */
  readonly completed: CalendarDate | undefined
}

/** What a new reminder has. */
export interface NewReminder extends CallOptions {
  /** What to do (not empty). */
  readonly title: string
  /** The list, by guid or title. Default: the list called `tasks` on the wire (pyicloud's default). */
  readonly list?: string
  /** Notes. */
  readonly notes?: string
  /** When it is due. */
  readonly due?: Date
  /** 0 none, 1 high, 5 medium, 9 low. */
  readonly priority?: number
}

/** Changes to a reminder: only the fields given change. */
export interface ReminderChanges extends CallOptions {
  /** A new title. */
  readonly title?: string
  /** New notes. */
  readonly notes?: string
  /** A new due date, or null to clear it. */
  readonly due?: Date | null
  /** A new priority. */
  readonly priority?: number
  /** A completion date, or null to reopen it. */
  readonly completed?: Date | null
}

/** Options of {@link RemindersApi.reminders}. */
export interface ReminderQuery extends CallOptions {
  /** Only this list, by guid or title. */
  readonly list?: string
  /** Include completed reminders (`rd/completed`). Default false. */
  readonly completed?: boolean
}

/** Reminders (`webservices.reminders`, the `rd` service pyicloud 1.0.0 uses). */
export interface RemindersApi {
  /** `GET {reminders}/rd/startup`: the lists. */
  lists(options?: CallOptions): Promise<ReminderList[]>
  /** Open reminders (and completed ones when asked), one at a time. */
  reminders(query?: ReminderQuery): AsyncIterableIterator<Reminder>
  /** One reminder by guid; `NOT_FOUND` when none has it. */
  get(guid: string, options?: CallOptions): Promise<Reminder>
  /** `POST rd/reminders/tasks`: a new reminder. */
  create(reminder: NewReminder): Promise<Reminder>
  /** `POST rd/reminders/{list}?methodOverride=PUT&ifMatch=<etag>`: changes a reminder. */
  update(guid: string, changes: ReminderChanges): Promise<Reminder>
  /** Marks a reminder done now. */
  complete(guid: string, options?: CallOptions): Promise<Reminder>
  /** `POST rd/reminders/{list}?methodOverride=DELETE&ifMatch=<etag>`: deletes a reminder. */
  remove(guid: string, options?: CallOptions): Promise<void>
}

/** The {@link RemindersApi} of a session. */
export class RemindersService implements RemindersApi {
  constructor(readonly caller: ServiceCaller) {}

  #query(): Record<string, string> {
    return { clientVersion: '4.0', lang: 'en-us', usertz: this.caller.timeZone }
  }

  async #startup(options: CallOptions): Promise<{ lists: ReminderList[]; open: Raw[] }> {
    const raw = await this.caller.call<Raw>('reminders', 'GET', '/rd/startup', {
      query: this.#query(),
      ...callOptions(options),
    })
    const lists = (Array.isArray(raw?.Collections) ? raw.Collections : []).map((c: Raw) => ({
      guid: String(c?.guid),
      title: String(c?.title ?? ''),
      ctag: String(c?.ctag ?? ''),
    }))
    return { lists, open: Array.isArray(raw?.Reminders) ? raw.Reminders : [] }
  }

  async lists(options: CallOptions = {}): Promise<ReminderList[]> {
    return (await this.#startup(options)).lists
  }

  async *reminders(query: ReminderQuery = {}): AsyncIterableIterator<Reminder> {
    yield* await this.#all(query)
  }

  async #all(query: ReminderQuery): Promise<Reminder[]> {
    const { lists, open } = await this.#startup(query)
    const list = query.list === undefined ? undefined : resolveList(lists, query.list)
    let all = open
    if (query.completed) {
      const done = await this.caller.call<Raw>('reminders', 'GET', '/rd/completed', {
        query: this.#query(),
        ...callOptions(query),
      })
      all = [...open, ...(Array.isArray(done?.Reminders) ? done.Reminders : [])]
    }
    return all.map((r) => this.#toReminder(r)).filter((r) => list === undefined || r.listGuid === list.guid)
  }

  async get(guid: string, options: CallOptions = {}): Promise<Reminder> {
    const found = (await this.#all({ ...options, completed: true })).find((r) => r.guid === guid)
    if (found) return found
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No reminder has the guid ${JSON.stringify(String(guid).slice(0, 80))}; list them with reminders.reminders() (sigwire icloud reminders ls).`,
      details: { kind: 'reminder' },
    })
  }

  async create(reminder: NewReminder): Promise<Reminder> {
    const title = checkTitle(reminder?.title)
    const priority = checkPriority(reminder.priority)
    const due = reminder.due === undefined ? null : this.#encode(reminder.due, 'due')
    const { lists } = await this.#startup(reminder)
    const list = reminder.list === undefined ? undefined : resolveList(lists, reminder.list)
    const guid = randomUUID()
    const raw = await this.#post(
      '/rd/reminders/tasks',
      undefined,
      {
        title,
        description: reminder.notes ?? '',
        pGuid: list?.guid ?? 'tasks',
        etag: null,
        order: null,
        priority,
        recurrence: null,
        alarms: [],
        startDate: null,
        startDateTz: null,
        startDateIsAllDay: false,
        completedDate: null,
        dueDate: due,
        dueDateIsAllDay: false,
        lastModifiedDate: null,
        createdDate: null,
        isFamily: null,
        createdDateExtended: Date.now(),
        guid,
      },
      lists,
      reminder,
    )
    return this.#changed(raw, 'inserts', guid, reminder)
  }

  async update(guid: string, changes: ReminderChanges): Promise<Reminder> {
    const fields: Record<string, unknown> = {}
    if (changes?.title !== undefined) fields.title = checkTitle(changes.title)
    if (changes?.notes !== undefined) fields.description = String(changes.notes)
    if (changes?.priority !== undefined) fields.priority = checkPriority(changes.priority)
    if (changes?.due !== undefined)
      fields.dueDate = changes.due === null ? null : this.#encode(changes.due, 'due')
    if (changes?.completed !== undefined)
      fields.completedDate = changes.completed === null ? null : this.#encode(changes.completed, 'completed')
    const current = await this.get(guid, changes ?? {})
    const { lists } = await this.#startup(changes ?? {})
    const raw = await this.#post(
      `/rd/reminders/${encodeURIComponent(current.listGuid)}`,
      { methodOverride: 'PUT', ifMatch: current.etag },
      { guid: current.guid, pGuid: current.listGuid, etag: current.etag, ...fields },
      lists,
      changes ?? {},
    )
    return this.#changed(raw, 'updates', current.guid, changes ?? {})
  }

  complete(guid: string, options: CallOptions = {}): Promise<Reminder> {
    return this.update(guid, { ...options, completed: new Date() })
  }

  async remove(guid: string, options: CallOptions = {}): Promise<void> {
    const current = await this.get(guid, options)
    const { lists } = await this.#startup(options)
    await this.#post(
      `/rd/reminders/${encodeURIComponent(current.listGuid)}`,
      { methodOverride: 'DELETE', ifMatch: current.etag },
      { guid: current.guid, pGuid: current.listGuid, etag: current.etag },
      lists,
      options,
    )
  }

  #post(
    path: string,
    query: Record<string, string> | undefined,
    reminder: Record<string, unknown>,
    lists: readonly ReminderList[],
    options: CallOptions,
  ): Promise<Raw> {
    const body = {
      Reminders: reminder,
      ClientState: { Collections: lists.map((l) => ({ guid: l.guid, ctag: l.ctag })) },
    }
    return this.caller.call<Raw>('reminders', 'POST', path, {
      query: { ...this.#query(), ...query },
      body: textBody(JSON.stringify(body)),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
  }

  async #changed(
    raw: Raw,
    kind: 'inserts' | 'updates',
    guid: string,
    options: CallOptions,
  ): Promise<Reminder> {
    const changed = raw?.ChangeSet?.[kind]?.Reminders
    const found = Array.isArray(changed) ? changed.find((r: Raw) => r?.guid === guid) : undefined
    return found ? this.#toReminder(found) : this.get(guid, options)
  }

  /** `[YYYYMMDD, Y, M, D, h, m]` of `date` in the user's zone. */
  #encode(date: unknown, name: string): number[] {
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new ICloudError({
        code: 'INVALID_DATE',
        message: `${name} must be a valid Date.`,
        details: { argument: name },
      })
    return encodeCalendarDate(date, this.caller.timeZone).slice(0, 6)
  }

  #toReminder(r: Raw): Reminder {
    const tz = this.caller.timeZone
    return {
      guid: String(r?.guid),
      listGuid: String(r?.pGuid ?? ''),
      etag: String(r?.etag ?? ''),
      title: String(r?.title ?? ''),
      notes: String(r?.description ?? ''),
      priority: Number(r?.priority ?? 0) || 0,
      due: decodeRdDate(r?.dueDate, tz),
      completed: decodeRdDate(r?.completedDate, tz),
    }
  }
}

/**
 * A `rd` date: the fields after the stamp carry it (pyicloud 1.0.0 writes the stamp with unpadded
 * month and day, reminders.py `post`), so the stamp is rebuilt before decoding.
 */
function decodeRdDate(value: Raw, timeZone: string): CalendarDate | undefined {
  if (!Array.isArray(value) || value.length < 6) return undefined
  const [, y, m, d, h, mi] = value.map(Number)
  try {
    return decodeCalendarDate([y! * 10000 + m! * 100 + d!, y, m, d, h, mi], timeZone)
  } catch {
    return undefined
  }
}

function resolveList(lists: readonly ReminderList[], wanted: string): ReminderList {
  const found =
    lists.find((l) => l.guid === wanted) ??
    lists.find((l) => l.title.toLowerCase() === String(wanted).toLowerCase())
  if (found) return found
  throw new ICloudError({
    code: 'NOT_FOUND',
    message: `No reminders list has the guid or title ${JSON.stringify(String(wanted).slice(0, 80))}; the lists are ${lists.map((l) => JSON.stringify(l.title)).join(', ')}.`,
    details: { kind: 'list' },
  })
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
