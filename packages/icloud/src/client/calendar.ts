import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { type CalendarDate, calendarDay, decodeCalendarDate } from './calendar-date.js'
import {
  type CalendarEventChanges,
  type CalendarWriteApi,
  CalendarWrites,
  type EventRecurrence,
  type NewCalendar,
  type NewCalendarEvent,
  type SavedCalendar,
  type SavedEvent,
} from './calendar-writes/calendar-writes.js'
import type { Raw } from './raw.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** A calendar (collection). */
export interface CalendarCollection {
  /** The calendar's id, the `pGuid` of its events. */
  readonly guid: string
  /** The calendar's name as the user sees it; empty when iCloud sent none. */
  readonly title: string
  /** The calendar's display colour as iCloud sends it (a `#rrggbb` hex); absent when none. */
  readonly color?: string
  /**
   * The calendar's change tag: it changes whenever an event in it changes, and writes send the current one
   * back in `ClientState` (§8.4); absent when iCloud sent none.
   */
  readonly ctag?: string
}

/** An event, with its dates decoded (docs/protocols/icloud.md §8.4). */
export interface CalendarEvent {
  /** The event's id (with `pGuid`, the path of `ca/eventdetail/{pGuid}/{guid}`). */
  readonly guid: string
  /** The calendar's guid. */
  readonly pGuid: string
  /** The event's title; empty when iCloud sent none. */
  readonly title: string
  /** The event's own time zone. */
  readonly timeZone: string
  /** True for an all-day event, whose start and end are whole days. */
  readonly allDay: boolean
  /** When the event starts, decoded from `startDate` in the event's time zone. */
  readonly start: CalendarDate
  /** When the event ends, decoded from `endDate` in the event's time zone. */
  readonly end: CalendarDate
  /** Duration in minutes. */
  readonly duration: number
  /** The event's location text; absent when empty. */
  readonly location?: string
  /**
   * For a repeating event: the guid of its series (`recurrence` is `<series guid>*MME-RID`,
   * docs/protocols/icloud.md §24). An occurrence listed for a date range has a guid of its own
   * (`<series guid>__<YYYYMMDDTHHMMSS>`); change or delete the series by this guid. Absent for a one-off event.
   */
  readonly seriesGuid?: string
  /** True when this entry is the series itself (`recurrenceMaster`), false for one occurrence or a one-off. */
  readonly recurrenceMaster: boolean
  /** True for an occurrence changed on its own (`recurrenceException`). */
  readonly recurrenceException: boolean
  /** How the series repeats, from the answer's `Recurrence[]`; absent for a one-off or when not sent. */
  readonly recurrence?: EventRecurrence
  /** The event as received (`etag`, `alarms`, `invitees`, recurrence...), for fields not mapped here. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** An alarm due in the requested range (`ca/alarmtriggers`). */
export interface AlarmTrigger {
  /** The event's guid. */
  readonly guid: string
  /** The guid of the event's calendar. */
  readonly pGuid: string
  /** The event's title; empty when iCloud sent none. */
  readonly title: string
  /** When the alarm fires, in the user's time zone (`usertz`). */
  readonly trigger: CalendarDate
  /** The event's start and end in the event's time zone. */
  readonly start: CalendarDate
  /** The event's end in the event's time zone (`endDate`). */
  readonly end: CalendarDate
  /** The event's start and end in the user's time zone. */
  readonly localStart: CalendarDate
  /** The event's end in the user's time zone (`localEndDate`). */
  readonly localEnd: CalendarDate
  /** True for an all-day event. */
  readonly allDay: boolean
  /** The event's location text; absent when empty. */
  readonly location?: string
}

/** A date range for calendar calls (inclusive days in the user's time zone). */
export interface CalendarRange extends CallOptions {
  /** First day of the range: its date in the user's time zone is sent as `startDate`. */
  readonly from: Date
  /** Last day of the range, included: its date in the user's time zone is sent as `endDate`. */
  readonly to: Date
}

/** Calendar (`webservices.calendar`): reads, and event and calendar changes (§18.5). */
export interface CalendarApi extends CalendarWriteApi {
  /** `GET {calendar}/ca/startup`: calendars and the events in the range. */
  startup(range: CalendarRange): Promise<{
    /** Every calendar of the account (`Collection`). */
    collections: CalendarCollection[]
    /** The events in the range (`Event`). */
    events: CalendarEvent[]
  }>
  /** `GET {calendar}/ca/events`: the events in the range. */
  events(range: CalendarRange): Promise<CalendarEvent[]>
  /** `POST {calendar}/ca/alarmtriggers/`: alarms due in the range, dates decoded. */
  alarmTriggers(range: CalendarRange): Promise<AlarmTrigger[]>
  /** `GET {calendar}/ca/allcollections`: every calendar (pyicloud `get_calendars`). */
  collections(options?: CallOptions): Promise<CalendarCollection[]>
  /** `GET {calendar}/ca/eventdetail/{pGuid}/{guid}`: one event (undefined when the answer has none). */
  eventDetail(pGuid: string, guid: string, options?: CallOptions): Promise<CalendarEvent | undefined>
}

/** The {@link CalendarApi} of a session. */
export class CalendarService implements CalendarApi {
  readonly #writes: CalendarWrites

  constructor(readonly caller: ServiceCaller) {
    this.#writes = new CalendarWrites(caller)
  }

  createEvent(event: NewCalendarEvent): Promise<SavedEvent> {
    return this.#writes.createEvent(event)
  }

  updateEvent(pGuid: string, guid: string, changes: CalendarEventChanges): Promise<SavedEvent> {
    return this.#writes.updateEvent(pGuid, guid, changes)
  }

  deleteEvent(pGuid: string, guid: string, options: CallOptions = {}): Promise<void> {
    return this.#writes.deleteEvent(pGuid, guid, options)
  }

  createCalendar(calendar: NewCalendar): Promise<SavedCalendar> {
    return this.#writes.createCalendar(calendar)
  }

  deleteCalendar(guid: string, options: CallOptions = {}): Promise<void> {
    return this.#writes.deleteCalendar(guid, options)
  }

  #query(range: CalendarRange): Record<string, string> {
    const tz = this.caller.timeZone
    for (const name of ['from', 'to'] as const)
      if (!(range?.[name] instanceof Date) || Number.isNaN(range[name].getTime()))
        throw new ICloudError({
          code: 'INVALID_ARGUMENT',
          message: `range.${name} must be a valid Date.`,
          details: { argument: name },
        })
    if (calendarDay(range.to, tz) < calendarDay(range.from, tz))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `range.to (${calendarDay(range.to, tz)}) is before range.from (${calendarDay(range.from, tz)}): give the earlier day first.`,
        details: { argument: 'to' },
      })
    return {
      lang: this.caller.locale.toLowerCase().replace('_', '-'),
      usertz: tz,
      startDate: calendarDay(range.from, tz),
      endDate: calendarDay(range.to, tz),
      clientVersion: '5.1',
    }
  }

  async startup(
    range: CalendarRange,
  ): Promise<{ collections: CalendarCollection[]; events: CalendarEvent[] }> {
    const raw = await this.caller.call<Raw>('calendar', 'GET', '/ca/startup', {
      query: this.#query(range),
      ...callOptions(range),
    })
    return {
      collections: (Array.isArray(raw?.Collection) ? raw.Collection : []).map(toCollection),
      events: toEvents(raw),
    }
  }

  async collections(options: CallOptions = {}): Promise<CalendarCollection[]> {
    const today = new Date()
    const raw = await this.caller.call<Raw>('calendar', 'GET', '/ca/allcollections', {
      query: this.#query({ from: today, to: today }),
      ...callOptions(options),
    })
    return (Array.isArray(raw?.Collection) ? raw.Collection : []).map(toCollection)
  }

  async eventDetail(
    pGuid: string,
    guid: string,
    options: CallOptions = {},
  ): Promise<CalendarEvent | undefined> {
    for (const [name, value] of [
      ['pGuid', pGuid],
      ['guid', guid],
    ] as const)
      if (typeof value !== 'string' || value === '' || /[/?#]/.test(value) || value === '.' || value === '..')
        throw new ICloudError({
          code: 'INVALID_ARGUMENT',
          message: `${name} must be the ${name} of an event as calendar.events() returns it.`,
          details: { argument: name },
        })
    const tz = this.caller.timeZone
    const raw = await this.caller.call<Raw>(
      'calendar',
      'GET',
      `/ca/eventdetail/${encodeURIComponent(pGuid)}/${encodeURIComponent(guid)}`,
      {
        query: { lang: this.caller.locale.toLowerCase().replace('_', '-'), usertz: tz, clientVersion: '5.1' },
        ...callOptions(options),
      },
    )
    return toEvents(raw)[0]
  }

  async events(range: CalendarRange): Promise<CalendarEvent[]> {
    const raw = await this.caller.call<Raw>('calendar', 'GET', '/ca/events', {
      query: this.#query(range),
      ...callOptions(range),
    })
    return toEvents(raw)
  }

  async alarmTriggers(range: CalendarRange): Promise<AlarmTrigger[]> {
    const raw = await this.caller.call<Raw>('calendar', 'POST', '/ca/alarmtriggers/', {
      query: this.#query(range),
      body: textBody('{}'),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(range),
    })
    const userTz = this.caller.timeZone
    return (Array.isArray(raw?.AlarmTrigger) ? raw.AlarmTrigger : []).map((a: Raw) => {
      const tz = typeof a.tz === 'string' ? a.tz : userTz
      return {
        guid: String(a.guid),
        pGuid: String(a.pGuid ?? ''),
        title: String(a.title ?? ''),
        trigger: decodeCalendarDate(a.triggerDate, userTz),
        start: decodeCalendarDate(a.startDate, tz),
        end: decodeCalendarDate(a.endDate, tz),
        localStart: decodeCalendarDate(a.localStartDate, userTz),
        localEnd: decodeCalendarDate(a.localEndDate, userTz),
        allDay: a.allDay === true,
        ...(typeof a.location === 'string' && a.location ? { location: a.location } : {}),
      }
    })
  }
}

function toCollection(c: Raw): CalendarCollection {
  return {
    guid: String(c.guid),
    title: String(c.title ?? ''),
    ...(c.color ? { color: String(c.color) } : {}),
    ...(c.ctag ? { ctag: String(c.ctag) } : {}),
  }
}

/** The `Event[]` of an answer, each with its series' rule from the answer's `Recurrence[]` (§24). */
function toEvents(raw: Raw): CalendarEvent[] {
  const rules = new Map<string, Raw>()
  for (const r of Array.isArray(raw?.Recurrence) ? raw.Recurrence : [])
    if (typeof r?.guid === 'string') rules.set(r.guid, r)
  return (Array.isArray(raw?.Event) ? raw.Event : []).map((e: Raw) => toEvent(e, rules))
}

function toEvent(e: Raw, rules: ReadonlyMap<string, Raw>): CalendarEvent {
  const tz = typeof e.tz === 'string' ? e.tz : 'UTC'
  const ruleId = typeof e.recurrence === 'string' ? e.recurrence : undefined
  const series = ruleId?.endsWith('*MME-RID') ? ruleId.slice(0, -'*MME-RID'.length) : undefined
  const rule = ruleId === undefined ? undefined : ruleOf(rules.get(ruleId), tz)
  return {
    guid: String(e.guid),
    pGuid: String(e.pGuid ?? ''),
    title: String(e.title ?? ''),
    timeZone: tz,
    allDay: e.allDay === true,
    start: decodeCalendarDate(e.startDate, tz),
    end: decodeCalendarDate(e.endDate, tz),
    duration: Number(e.duration ?? 0),
    ...(typeof e.location === 'string' && e.location ? { location: e.location } : {}),
    ...(series ? { seriesGuid: series } : {}),
    recurrenceMaster: e.recurrenceMaster === true,
    recurrenceException: e.recurrenceException === true,
    ...(rule ? { recurrence: rule } : {}),
    raw: e,
  }
}

/** A `Recurrence[]` entry as an {@link EventRecurrence}; undefined when absent or of a kind not mapped. */
function ruleOf(r: Raw, tz: string): EventRecurrence | undefined {
  if (!r || !['daily', 'weekly', 'monthly', 'yearly'].includes(r.freq)) return undefined
  let until: Date | undefined
  try {
    until = r.until ? decodeCalendarDate(r.until, tz).date : undefined
  } catch {
    until = undefined
  }
  return {
    frequency: r.freq,
    interval: Number.isSafeInteger(r.interval) && r.interval > 0 ? r.interval : 1,
    ...(Number.isSafeInteger(r.count) ? { count: r.count } : {}),
    ...(until ? { until } : {}),
  }
}
