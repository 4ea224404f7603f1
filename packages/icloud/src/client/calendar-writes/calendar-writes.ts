import { randomUUID } from 'node:crypto'
import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError, isICloudError } from '../../errors.js'
import { calendarDay, decodeCalendarDate, encodeCalendarDate } from '../calendar-date.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** An alarm of an event: minutes before its start (0: at the start). */
export interface EventAlarm {
  /** Minutes before the start (0 or more). */
  readonly minutesBefore: number
}

/** How an event repeats (docs/protocols/icloud.md §18.5, §24: listings expand it into occurrences). */
export interface EventRecurrence {
  /** `daily`, `weekly`, `monthly` or `yearly`. */
  readonly frequency: 'daily' | 'weekly' | 'monthly' | 'yearly'
  /** Every `interval` periods. Default 1. */
  readonly interval?: number
  /** Stop after this many occurrences. */
  readonly count?: number
  /** Stop after this instant. */
  readonly until?: Date
}

/** What a new event has (docs/protocols/icloud.md §8.4, §18.5). */
export interface NewCalendarEvent extends CallOptions {
  /** The calendar, by guid or title. */
  readonly calendar: string
  /** The title. */
  readonly title: string
  /** When it starts. */
  readonly start: Date
  /** When it ends (after `start`; `INVALID_DATE` otherwise). */
  readonly end: Date
  /** The event's IANA time zone. Default: the client's `timeZone`. */
  readonly timeZone?: string
  /** An all-day event: `start` and `end` are taken as days in `timeZone`. */
  readonly allDay?: boolean
  /** Where. */
  readonly location?: string
  /** Alarms. */
  readonly alarms?: readonly EventAlarm[]
  /** How it repeats. */
  readonly recurrence?: EventRecurrence
}

/** Changes to an event: only the fields given change. */
export type CalendarEventChanges = Partial<Omit<NewCalendarEvent, 'calendar' | 'signal' | 'timeoutMs'>> &
  CallOptions

/** What a new calendar has. */
export interface NewCalendar extends CallOptions {
  /** The calendar's name. */
  readonly title: string
  /** `#rrggbb`. Default `#34aadc`. */
  readonly color?: string
}

/** An event as saved: where it is and its new etag. */
export interface SavedEvent {
  /** The event's guid. */
  readonly guid: string
  /** Its calendar's guid. */
  readonly pGuid: string
  /** Its etag after the change (what the next change sends back). */
  readonly etag: string
}

/** A calendar as made. */
export interface SavedCalendar {
  /** The calendar's guid. */
  readonly guid: string
}

/** Calendar changes: events and calendars (`ca/events/{pGuid}/{guid}`, `ca/collections/{guid}`). */
export interface CalendarWriteApi {
  /** `POST {calendar}/ca/events/{pGuid}/{guid}`: a new event; answers its guid and calendar guid. */
  createEvent(event: NewCalendarEvent): Promise<SavedEvent>
  /** The same URL with `ifMatch`: changes an event. */
  updateEvent(pGuid: string, guid: string, changes: CalendarEventChanges): Promise<SavedEvent>
  /** The same URL with `methodOverride=DELETE&ifMatch=<etag>`: deletes an event. */
  deleteEvent(pGuid: string, guid: string, options?: CallOptions): Promise<void>
  /** `POST {calendar}/ca/collections/{guid}`: a new calendar; answers its guid. */
  createCalendar(calendar: NewCalendar): Promise<SavedCalendar>
  /** `POST {calendar}/ca/collections/{guid}?methodOverride=DELETE`: deletes a calendar and its events. */
  deleteCalendar(guid: string, options?: CallOptions): Promise<void>
}

/** The {@link CalendarWriteApi} of a session. */
export class CalendarWrites implements CalendarWriteApi {
  constructor(readonly caller: ServiceCaller) {}

  #query(day: Date, extra: Record<string, string> = {}): Record<string, string> {
    const tz = this.caller.timeZone
    return {
      lang: this.caller.locale.toLowerCase().replace('_', '-'),
      usertz: tz,
      startDate: calendarDay(day, tz),
      endDate: calendarDay(day, tz),
      clientVersion: '5.1',
      ...extra,
    }
  }

  async #collections(options: CallOptions): Promise<Array<{ guid: string; title: string; ctag: string }>> {
    const raw = await this.caller.call<Raw>('calendar', 'GET', '/ca/allcollections', {
      query: this.#query(new Date()),
      ...callOptions(options),
    })
    return (Array.isArray(raw?.Collection) ? raw.Collection : []).map((c: Raw) => ({
      guid: String(c?.guid),
      title: String(c?.title ?? ''),
      ctag: String(c?.ctag ?? ''),
    }))
  }

  async #calendar(wanted: string, options: CallOptions) {
    const all = await this.#collections(options)
    const found =
      all.find((c) => c.guid === wanted) ??
      all.find((c) => c.title.toLowerCase() === String(wanted).toLowerCase())
    if (found) return found
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No calendar has the guid or title ${JSON.stringify(String(wanted).slice(0, 80))}; the calendars are ${all.map((c) => JSON.stringify(c.title)).join(', ')}.`,
      details: { kind: 'calendar' },
    })
  }

  async #current(pGuid: string, guid: string, options: CallOptions): Promise<Raw> {
    checkId(pGuid, 'pGuid')
    checkId(guid, 'guid')
    const missing = () =>
      new ICloudError({
        code: 'NOT_FOUND',
        message: `No event ${JSON.stringify(guid.slice(0, 80))} in calendar ${JSON.stringify(pGuid.slice(0, 80))}; list the events with calendar.events().`,
        details: { kind: 'event' },
      })
    const raw = await this.caller
      .call<Raw>(
        'calendar',
        'GET',
        `/ca/eventdetail/${encodeURIComponent(pGuid)}/${encodeURIComponent(guid)}`,
        {
          query: { lang: 'en-us', usertz: this.caller.timeZone, clientVersion: '5.1' },
          ...callOptions(options),
        },
      )
      .catch((error: unknown) => {
        throw isICloudError(error, 'SERVICE_ERROR') && error.status === 404 ? missing() : error
      })
    const event = Array.isArray(raw?.Event) ? raw.Event[0] : undefined
    if (!event) throw missing()
    // An occurrence listed for a date range has a guid of its own; its series is named in `recurrence`
    // (docs/protocols/icloud.md §24). Changing one occurrence alone is not implemented.
    const series = typeof event.recurrence === 'string' ? event.recurrence.replace(/\*MME-RID$/, '') : guid
    if (event.recurrenceMaster !== true && series !== guid)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `${JSON.stringify(guid.slice(0, 80))} is one occurrence of the repeating event ${JSON.stringify(series.slice(0, 80))}; change or delete the series by that guid.`,
        details: { argument: 'guid' },
      })
    return { event, alarms: Array.isArray(raw?.Alarm) ? raw.Alarm : [], recurrence: raw?.Recurrence }
  }

  async createEvent(event: NewCalendarEvent): Promise<SavedEvent> {
    const fields = checkEvent(event, this.caller.timeZone, true)
    const calendar = await this.#calendar(event.calendar, event)
    const guid = randomUUID().toUpperCase()
    return this.#save(calendar.guid, guid, calendar.ctag, fields, undefined, event)
  }

  async updateEvent(pGuid: string, guid: string, changes: CalendarEventChanges): Promise<SavedEvent> {
    const current = await this.#current(pGuid, guid, changes ?? {})
    const e = current.event
    const tz = typeof e.tz === 'string' && e.tz ? e.tz : this.caller.timeZone
    const merged: NewCalendarEvent = {
      calendar: pGuid,
      title: changes?.title ?? String(e.title ?? ''),
      // The detail's dates are wall clocks in the event's zone.
      start: changes?.start ?? decodeCalendarDate(e.startDate, tz).date,
      end: changes?.end ?? decodeCalendarDate(e.endDate, tz).date,
      timeZone: changes?.timeZone ?? tz,
      allDay: changes?.allDay ?? e.allDay === true,
      location: changes?.location ?? (typeof e.location === 'string' ? e.location : ''),
      alarms: changes?.alarms ?? alarmsOf(current.alarms),
      ...(changes?.recurrence !== undefined
        ? { recurrence: changes.recurrence }
        : recurrenceOf(current.recurrence, tz)),
    }
    const fields = checkEvent(merged, this.caller.timeZone, false)
    const collections = await this.#collections(changes ?? {})
    const ctag = collections.find((c) => c.guid === pGuid)?.ctag ?? ''
    return this.#save(pGuid, guid, ctag, fields, String(e.etag ?? ''), changes ?? {})
  }

  async deleteEvent(pGuid: string, guid: string, options: CallOptions = {}): Promise<void> {
    const current = await this.#current(pGuid, guid, options)
    const collections = await this.#collections(options)
    const ctag = collections.find((c) => c.guid === pGuid)?.ctag ?? ''
    await this.caller.call<Raw>(
      'calendar',
      'POST',
      `/ca/events/${encodeURIComponent(pGuid)}/${encodeURIComponent(guid)}`,
      {
        query: this.#query(new Date(), {
          methodOverride: 'DELETE',
          ifMatch: String(current.event.etag ?? ''),
        }),
        body: textBody(
          JSON.stringify({
            Event: {},
            Invitee: [],
            Alarm: [],
            ClientState: { Collection: [{ guid: pGuid, ctag }] },
          }),
        ),
        contentType: 'text/plain;charset=UTF-8',
        ...callOptions(options),
      },
    )
  }

  async createCalendar(calendar: NewCalendar): Promise<SavedCalendar> {
    const title = calendar?.title
    if (typeof title !== 'string' || title.trim() === '' || title.length > 256)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'A calendar needs a title of 1 to 256 characters.',
        details: { argument: 'title' },
      })
    const color = calendar.color ?? '#34aadc'
    if (!/^#[0-9a-fA-F]{6}$/.test(color))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'color must be #rrggbb.',
        details: { argument: 'color' },
      })
    const guid = randomUUID().toUpperCase()
    await this.caller.call<Raw>('calendar', 'POST', `/ca/collections/${guid}`, {
      query: this.#query(new Date()),
      body: textBody(
        JSON.stringify({
          // The fields pyicloud's CalendarObject sends (services/calendar.py l. 448-505; docs/protocols/icloud.md §18.5).
          Collection: {
            title,
            guid,
            color,
            symbolicColor: '__custom__',
            supportedType: 'Event',
            objectType: 'personal',
            order: 7,
            enabled: true,
            readOnly: false,
            extendedDetailsAreIncluded: true,
          },
          ClientState: { Collection: [], fullState: false },
        }),
      ),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(calendar),
    })
    return { guid }
  }

  async deleteCalendar(guid: string, options: CallOptions = {}): Promise<void> {
    const calendar = await this.#calendar(guid, options)
    await this.caller.call<Raw>('calendar', 'POST', `/ca/collections/${encodeURIComponent(calendar.guid)}`, {
      query: this.#query(new Date(), { methodOverride: 'DELETE' }),
      body: textBody('{}'),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
  }

  async #save(
    pGuid: string,
    guid: string,
    ctag: string,
    fields: CheckedEvent,
    etag: string | undefined,
    options: CallOptions,
  ): Promise<SavedEvent> {
    const tz = fields.timeZone
    const start = encodeCalendarDate(fields.start, tz)
    const end = encodeCalendarDate(fields.end, tz)
    const userTz = this.caller.timeZone
    const alarmGuids = fields.alarms.map(() => `${guid}:${randomUUID().toUpperCase()}`)
    const body = {
      Event: {
        title: fields.title,
        tz,
        icon: 0,
        duration: Math.round((fields.end.getTime() - fields.start.getTime()) / 60_000),
        allDay: fields.allDay,
        pGuid,
        guid,
        startDate: start,
        endDate: end,
        localStartDate: encodeCalendarDate(fields.start, userTz),
        localEndDate: encodeCalendarDate(fields.end, userTz),
        location: fields.location,
        etag: etag ?? '',
        alarms: alarmGuids,
        invitees: [],
        extendedDetailsAreIncluded: true,
        recurrenceMaster: fields.recurrence !== undefined,
        recurrenceException: false,
        hasAttachments: false,
        ...(fields.recurrence ? { recurrence: `${guid}*MME-RID` } : {}),
      },
      Invitee: [],
      Alarm: fields.alarms.map((a, i) => ({
        guid: alarmGuids[i],
        pGuid: guid,
        messageType: 'message',
        isLocationBased: false,
        measurement: {
          before: a.minutesBefore > 0,
          weeks: 0,
          days: 0,
          hours: 0,
          minutes: a.minutesBefore,
          seconds: 0,
        },
      })),
      ...(fields.recurrence
        ? {
            Recurrence: [
              {
                guid: `${guid}*MME-RID`,
                pGuid: guid,
                freq: fields.recurrence.frequency,
                interval: fields.recurrence.interval ?? 1,
                ...(fields.recurrence.count === undefined ? {} : { count: fields.recurrence.count }),
                ...(fields.recurrence.until === undefined
                  ? {}
                  : { until: encodeCalendarDate(fields.recurrence.until, tz) }),
              },
            ],
          }
        : {}),
      ClientState: { Collection: [{ guid: pGuid, ctag }] },
    }
    const raw = await this.caller.call<Raw>(
      'calendar',
      'POST',
      `/ca/events/${encodeURIComponent(pGuid)}/${encodeURIComponent(guid)}`,
      {
        query: this.#query(fields.start, etag === undefined ? {} : { ifMatch: etag }),
        body: textBody(JSON.stringify(body)),
        contentType: 'text/plain;charset=UTF-8',
        ...callOptions(options),
      },
    )
    const saved = Array.isArray(raw?.Event) ? raw.Event.find((e: Raw) => e?.guid === guid) : undefined
    return { guid, pGuid, etag: String(saved?.etag ?? '') }
  }
}

interface CheckedEvent {
  title: string
  start: Date
  end: Date
  timeZone: string
  allDay: boolean
  location: string
  alarms: readonly EventAlarm[]
  recurrence: EventRecurrence | undefined
}

function checkEvent(event: NewCalendarEvent, defaultZone: string, creating: boolean): CheckedEvent {
  const fail = (
    argument: string,
    message: string,
    code: 'INVALID_ARGUMENT' | 'INVALID_DATE' = 'INVALID_ARGUMENT',
  ) => new ICloudError({ code, message, details: { argument } })
  if (creating && (typeof event?.calendar !== 'string' || event.calendar.trim() === ''))
    throw fail(
      'calendar',
      'calendar must name a calendar by guid or title (calendar.collections() lists them).',
    )
  if (typeof event.title !== 'string' || event.title.trim() === '' || event.title.length > 1024)
    throw fail('title', 'An event needs a title of 1 to 1024 characters.')
  for (const name of ['start', 'end'] as const)
    if (!(event[name] instanceof Date) || Number.isNaN(event[name].getTime()))
      throw fail(name, `${name} must be a valid Date.`, 'INVALID_DATE')
  if (event.end.getTime() <= event.start.getTime())
    throw fail(
      'end',
      `The event ends (${event.end.toISOString()}) before it starts (${event.start.toISOString()}): end must be after start.`,
      'INVALID_DATE',
    )
  const timeZone = event.timeZone ?? defaultZone
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw fail(
      'timeZone',
      `${JSON.stringify(String(timeZone).slice(0, 60))} is not an IANA time zone such as Europe/Paris.`,
    )
  }
  const alarms = event.alarms ?? []
  for (const a of alarms)
    if (!Number.isInteger(a?.minutesBefore) || a.minutesBefore < 0 || a.minutesBefore > 40_320)
      throw fail(
        'alarms',
        'An alarm is { minutesBefore } with a whole number of minutes from 0 to 40320 (four weeks).',
      )
  const r = event.recurrence
  if (r !== undefined) {
    if (!['daily', 'weekly', 'monthly', 'yearly'].includes(r?.frequency))
      throw fail('recurrence', 'recurrence.frequency must be daily, weekly, monthly or yearly.')
    if (r.interval !== undefined && (!Number.isInteger(r.interval) || r.interval < 1 || r.interval > 999))
      throw fail('recurrence', 'recurrence.interval must be a whole number from 1 to 999.')
    if (r.count !== undefined && (!Number.isInteger(r.count) || r.count < 1))
      throw fail('recurrence', 'recurrence.count must be a whole number of at least 1.')
    if (r.until !== undefined && (!(r.until instanceof Date) || r.until.getTime() < event.start.getTime()))
      throw fail('recurrence', 'recurrence.until must be a Date after the start.', 'INVALID_DATE')
  }
  return {
    title: event.title,
    start: event.start,
    end: event.end,
    timeZone,
    allDay: event.allDay === true,
    location: event.location ?? '',
    alarms,
    recurrence: r,
  }
}

function recurrenceOf(list: Raw, tz: string): { recurrence?: EventRecurrence } {
  const r = Array.isArray(list) ? list[0] : undefined
  if (!r || !['daily', 'weekly', 'monthly', 'yearly'].includes(r.freq)) return {}
  let until: Date | undefined
  try {
    until = r.until ? decodeCalendarDate(r.until, tz).date : undefined
  } catch {
    until = undefined
  }
  return {
    recurrence: {
      frequency: r.freq,
      ...(Number.isInteger(r.interval) ? { interval: r.interval } : {}),
      ...(Number.isInteger(r.count) ? { count: r.count } : {}),
      ...(until ? { until } : {}),
    },
  }
}

function alarmsOf(alarms: readonly Raw[]): EventAlarm[] {
  return alarms.map((a) => {
    const m = a?.measurement ?? {}
    const minutes =
      Number(m.weeks ?? 0) * 10_080 +
      Number(m.days ?? 0) * 1440 +
      Number(m.hours ?? 0) * 60 +
      Number(m.minutes ?? 0)
    return { minutesBefore: m.before === false ? 0 : minutes }
  })
}

function checkId(value: string, name: string): void {
  if (typeof value !== 'string' || value === '' || /[/?#]/.test(value) || value === '.' || value === '..')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `${name} must be the ${name} of an event as calendar.events() returns it.`,
      details: { argument: name },
    })
}
