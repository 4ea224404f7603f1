import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { type CalendarDate, calendarDay, decodeCalendarDate } from './calendar-date.js'
import {
  type CalendarEventChanges,
  type CalendarWriteApi,
  CalendarWrites,
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
      events: (Array.isArray(raw?.Event) ? raw.Event : []).map(toEvent),
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
    const events = Array.isArray(raw?.Event) ? raw.Event : []
    return events[0] ? toEvent(events[0]) : undefined
  }

  async events(range: CalendarRange): Promise<CalendarEvent[]> {
    const raw = await this.caller.call<Raw>('calendar', 'GET', '/ca/events', {
      query: this.#query(range),
      ...callOptions(range),
    })
    return (Array.isArray(raw?.Event) ? raw.Event : []).map(toEvent)
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

function toEvent(e: Raw): CalendarEvent {
  const tz = typeof e.tz === 'string' ? e.tz : 'UTC'
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
    raw: e,
  }
}
