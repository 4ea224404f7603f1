import { decodeCalendarDate, encodeCalendarDate } from '../../client/calendar-date.js'
import type { ICloudContext } from '../context.js'
import { calendar } from '../data.js'
import type { EmulatedAccount } from '../state.js'
import { type InstantRange, occurrenceGuid, occurrenceStarts } from './occurrences.js'

/** An alarm kept with an event: `minutes` before the start (0: at the start). */
export interface StoredAlarm {
  guid: string
  minutes: number
}

/** An event as the emulator keeps it: instants, its zone, alarms and recurrence. */
export interface StoredEvent {
  guid: string
  pGuid: string
  title: string
  tz: string
  allDay: boolean
  start: number
  end: number
  location: string
  etag: string
  alarms: StoredAlarm[]
  recurrence: { freq: string; interval: number; count?: number; until?: number } | null
}

/** A calendar the user made (or the seeded one, once changed). */
export interface StoredCollection {
  guid: string
  title: string
  color: string
  ctag: string
  order: number
}

/** The durable calendar changes of one account (table `calendar`, keyed by Apple ID). */
export interface CalendarState {
  version: number
  collections: Record<string, StoredCollection>
  events: Record<string, StoredEvent>
  /** Seeded calendars and events (`pGuid\nguid`) that were deleted. */
  removed: string[]
}

/** The account's calendar state; the seeded calendar and event are folded in on first write. */
export function loadCalendarState(ctx: ICloudContext, account: EmulatedAccount): CalendarState {
  const saved = ctx.data.calendar.get(account.appleId)
  // Keyed by guids the client chose: null-prototype objects, also after a reload from JSON.
  if (saved)
    return {
      ...saved,
      collections: Object.assign(Object.create(null), saved.collections),
      events: Object.assign(Object.create(null), saved.events),
    }
  const seed = calendar(ctx.now(), 'UTC')
  const state: CalendarState = {
    version: 1,
    collections: Object.create(null),
    events: Object.create(null),
    removed: [],
  }
  for (const c of seed.collections as Array<Record<string, unknown>>)
    state.collections[String(c.guid)] = {
      guid: String(c.guid),
      title: String(c.title),
      color: String(c.color),
      ctag: String(c.ctag),
      order: Number(c.order),
    }
  for (const e of seed.events as Array<Record<string, unknown>>) {
    const tz = String(e.tz)
    const start = decodeCalendarDate(e.startDate, tz).date.getTime()
    state.events[eventKey(String(e.pGuid), String(e.guid))] = {
      guid: String(e.guid),
      pGuid: String(e.pGuid),
      title: String(e.title),
      tz,
      allDay: e.allDay === true,
      start,
      end: decodeCalendarDate(e.endDate, tz).date.getTime(),
      location: String(e.location ?? ''),
      etag: String(e.etag),
      alarms: [{ guid: `${String(e.guid)}:ALARM-1`, minutes: 15 }],
      recurrence: null,
    }
  }
  return state
}

/** The key of an event in {@link CalendarState.events}. */
export function eventKey(pGuid: string, guid: string): string {
  return `${pGuid}\n${guid}`
}

/**
 * The collections, events, alarms and recurrences of an account as the read calls answer them. With a
 * `range` (the `startDate`/`endDate` of the call), only what overlaps it, and a repeating event as its
 * occurrences in the range (docs/protocols/icloud.md §24); without one, every event once.
 */
export function calendarView(
  ctx: ICloudContext,
  account: EmulatedAccount,
  userTz: string,
  range?: InstantRange,
): { collections: unknown[]; events: Record<string, unknown>[]; alarms: unknown[]; recurrences: unknown[] } {
  const saved = ctx.data.calendar.get(account.appleId)
  if (!saved && !range) {
    // Nothing written yet: the seeded data, relative to now, as before any write.
    const seed = calendar(ctx.now(), userTz)
    return { ...seed, events: seed.events as Record<string, unknown>[], recurrences: [] }
  }
  const state = saved ?? loadCalendarState(ctx, account)
  const collections = Object.values(state.collections)
    .sort((a, b) => a.order - b.order)
    .map((c) => ({
      ...c,
      enabled: true,
      supportedType: 'Event',
      symbolicColor: c.color,
      objectType: 'personal',
      isFamily: false,
      shareType: null,
    }))
  const events = Object.values(state.events)
  if (!range)
    return {
      collections,
      events: events.map((e) => eventJson(e, userTz)),
      alarms: events.flatMap((e) => alarmTriggers(e, userTz)),
      recurrences: events.flatMap((e) => recurrenceJson(e)),
    }
  const listed = events.flatMap((e) =>
    occurrenceStarts(e, range).map((start) => ({ e, start, occurrence: occurrenceOf(e, start) })),
  )
  listed.sort((a, b) => a.start - b.start)
  const series = [...new Set(listed.filter((l) => l.e.recurrence).map((l) => l.e))]
  return {
    collections,
    events: listed.map((l) => eventJson(l.occurrence, userTz, l.e)),
    alarms: listed.flatMap((l) => alarmTriggers(l.occurrence, userTz)),
    recurrences: series.flatMap((e) => recurrenceJson(e)),
  }
}

/** One occurrence of a series as an event of its own: its guid, start, end and alarm guids. */
export function occurrenceOf(e: StoredEvent, start: number): StoredEvent {
  if (!e.recurrence) return e
  const guid = occurrenceGuid(e, start)
  return {
    ...e,
    guid,
    start,
    end: start + (e.end - e.start),
    // `<event guid>:<alarm guid>` becomes `<occurrence guid>:<alarm guid>` (docs/protocols/icloud.md §24).
    alarms: e.alarms.map((a) => ({
      ...a,
      guid: `${guid}${a.guid.startsWith(`${e.guid}:`) ? a.guid.slice(e.guid.length) : `:${a.guid}`}`,
    })),
  }
}

/**
 * One event of `Event[]`; with `series`, `e` is one occurrence of it: not the master, and its
 * `recurrence` names the series' rule (docs/protocols/icloud.md §24).
 */
export function eventJson(e: StoredEvent, userTz: string, series?: StoredEvent): Record<string, unknown> {
  const occurrence = series !== undefined && series.recurrence !== null
  return {
    guid: e.guid,
    pGuid: e.pGuid,
    title: e.title,
    tz: e.tz,
    allDay: e.allDay,
    duration: Math.round((e.end - e.start) / 60_000),
    location: e.location,
    startDate: encodeCalendarDate(new Date(e.start), e.tz),
    endDate: encodeCalendarDate(new Date(e.end), e.tz),
    localStartDate: encodeCalendarDate(new Date(e.start), userTz),
    localEndDate: encodeCalendarDate(new Date(e.end), userTz),
    etag: e.etag,
    alarms: e.alarms.map((a) => a.guid),
    invitees: [],
    recurrenceMaster: e.recurrence !== null && !occurrence,
    recurrenceException: false,
    ...(occurrence
      ? { recurrence: `${series.guid}*MME-RID` }
      : e.recurrence
        ? { recurrence: `${e.guid}*MME-RID` }
        : {}),
    extendedDetailsAreIncluded: true,
    hasAttachments: false,
  }
}

/** The `Alarm[]` entries of an event (the measurement form pyicloud sends). */
export function alarmJson(e: StoredEvent): Record<string, unknown>[] {
  return e.alarms.map((a) => ({
    guid: a.guid,
    pGuid: e.guid,
    messageType: 'message',
    isLocationBased: false,
    measurement: { before: a.minutes > 0, weeks: 0, days: 0, hours: 0, minutes: a.minutes, seconds: 0 },
  }))
}

/** The `Recurrence[]` entry of an event. */
export function recurrenceJson(e: StoredEvent): Record<string, unknown>[] {
  if (!e.recurrence) return []
  return [
    {
      guid: `${e.guid}*MME-RID`,
      pGuid: e.guid,
      freq: e.recurrence.freq,
      interval: e.recurrence.interval,
      ...(e.recurrence.count === undefined ? {} : { count: e.recurrence.count }),
      ...(e.recurrence.until === undefined
        ? {}
        : { until: encodeCalendarDate(new Date(e.recurrence.until), e.tz) }),
    },
  ]
}

/** `AlarmTrigger[]` entries: each alarm fires `minutes` before the start. */
function alarmTriggers(e: StoredEvent, userTz: string): Record<string, unknown>[] {
  const json = eventJson(e, userTz)
  return e.alarms.map((a) => ({
    guid: a.guid,
    pGuid: e.pGuid,
    title: e.title,
    triggerDate: encodeCalendarDate(new Date(e.start - a.minutes * 60_000), userTz),
    startDate: json.startDate,
    endDate: json.endDate,
    localStartDate: json.localStartDate,
    localEndDate: json.localEndDate,
    allDay: e.allDay,
    duration: json.duration,
    tz: e.tz,
    location: e.location,
    messageType: 'message',
  }))
}
