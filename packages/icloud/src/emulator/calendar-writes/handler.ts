import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { decodeCalendarDate } from '../../client/calendar-date.js'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'
import {
  alarmJson,
  type CalendarState,
  eventJson,
  eventKey,
  loadCalendarState,
  recurrenceJson,
  type StoredAlarm,
  type StoredEvent,
} from './state.js'

type Body = Record<string, unknown>

/**
 * Calendar changes (docs/protocols/icloud.md §8.4, §18.5): `POST ca/events/{pGuid}/{guid}` creates or
 * updates an event (with `ifMatch`, checked when sent) and deletes it with `methodOverride=DELETE`;
 * `POST ca/collections/{guid}` creates a calendar and deletes one with `methodOverride=DELETE`. Every
 * change is durable before its answer. Undefined for other paths.
 */
export function handleCalendarWrites(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (request.method !== 'POST') return undefined
  const event = /^\/ca\/events\/([^/]+)\/([^/]+)$/.exec(path)
  const collection = /^\/ca\/collections\/([^/]+)$/.exec(path)
  if (!event && !collection) return undefined
  const query = request.url.searchParams
  const override = query.get('methodOverride')
  if (override !== null && override !== 'DELETE') throw failure(400, 'methodOverride must be DELETE')
  const body = requestJson<Body>(request)
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw failure(400, 'The body must be a JSON object')
  const state = loadCalendarState(ctx, account)
  const userTz = zoneOr(query.get('usertz'), 'UTC')
  const save = () => ctx.tx.put('calendar', account.appleId, state)
  const bump = (pGuid: string) => {
    state.version += 1
    const c = state.collections[pGuid]
    if (c) c.ctag = `CT-${state.version}`
    return `E=${state.version}`
  }
  if (collection) {
    const guid = checkGuid(safeDecode(collection[1]!))
    if (override === 'DELETE') {
      if (!Object.hasOwn(state.collections, guid)) throw failure(404, 'No such calendar')
      delete state.collections[guid]
      for (const [key, e] of Object.entries(state.events)) if (e.pGuid === guid) delete state.events[key]
      save()
      return answer(200, { Collection: [], Event: [] })
    }
    const input = (body.Collection ?? {}) as Body
    const title = input.title
    if (typeof title !== 'string' || title.trim() === '' || title.length > 256)
      throw failure(400, 'Collection.title must be text of 1 to 256 characters')
    const color =
      typeof input.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(input.color) ? input.color : '#34aadc'
    state.version += 1
    state.collections[guid] = {
      guid,
      title,
      color,
      ctag: `CT-${state.version}`,
      order: Object.keys(state.collections).length + 1,
    }
    save()
    return answer(200, { Collection: [state.collections[guid]] })
  }
  const pGuid = checkGuid(safeDecode(event![1]!))
  const guid = checkGuid(safeDecode(event![2]!))
  const key = eventKey(pGuid, guid)
  const existing = Object.hasOwn(state.events, key) ? state.events[key]! : undefined
  const ifMatch = query.get('ifMatch')
  if (existing && ifMatch !== null && ifMatch !== existing.etag)
    throw failure(412, 'The event changed since it was read (etag)')
  if (override === 'DELETE') {
    if (!existing) throw failure(404, 'No such event')
    delete state.events[key]
    bump(pGuid)
    save()
    return answer(200, { Event: [], ChangeSet: { deletes: { Event: [{ guid, pGuid }] } } })
  }
  if (!Object.hasOwn(state.collections, pGuid)) throw failure(404, 'No such calendar')
  const stored = parseEvent(body, pGuid, guid)
  stored.etag = bump(pGuid)
  state.events[key] = stored
  save()
  return answer(200, {
    Event: [eventJson(stored, userTz)],
    Alarm: alarmJson(stored),
    Recurrence: recurrenceJson(stored),
    Collection: [{ guid: pGuid, ctag: state.collections[pGuid]!.ctag }],
  })
}

/** The event of a create or update body, checked: real dates in a known zone, the end after the start. */
function parseEvent(body: Body, pGuid: string, guid: string): StoredEvent {
  const e = (body.Event ?? {}) as Body
  if (typeof e !== 'object' || Array.isArray(e)) throw failure(400, 'Event must be an object')
  const title = e.title
  if (typeof title !== 'string' || title.trim() === '' || title.length > 1024)
    throw failure(400, 'Event.title must be text of 1 to 1024 characters')
  const tz = zoneOr(typeof e.tz === 'string' ? e.tz : null, '')
  if (tz === '') throw failure(400, 'Event.tz must be an IANA time zone')
  const start = wallClock(e.startDate, tz, 'startDate')
  const end = wallClock(e.endDate, tz, 'endDate')
  if (end <= start) throw failure(400, 'Event.endDate must be after Event.startDate')
  const alarms: StoredAlarm[] = []
  const wanted = Array.isArray(e.alarms) ? e.alarms.map(String) : []
  for (const a of Array.isArray(body.Alarm) ? (body.Alarm as Body[]) : []) {
    if (typeof a?.guid !== 'string' || !wanted.includes(a.guid)) continue
    const m = (a.measurement ?? {}) as Record<string, unknown>
    const minutes =
      m.before === false
        ? 0
        : Number(m.weeks ?? 0) * 10_080 +
          Number(m.days ?? 0) * 1440 +
          Number(m.hours ?? 0) * 60 +
          Number(m.minutes ?? 0)
    if (!Number.isFinite(minutes) || minutes < 0) throw failure(400, 'Alarm.measurement must be a duration')
    alarms.push({ guid: a.guid, minutes })
  }
  const r = Array.isArray(body.Recurrence) ? (body.Recurrence[0] as Body | undefined) : undefined
  let recurrence: StoredEvent['recurrence'] = null
  if (r) {
    if (!['daily', 'weekly', 'monthly', 'yearly'].includes(String(r.freq)))
      throw failure(400, 'Recurrence.freq must be daily, weekly, monthly or yearly')
    const interval = r.interval === undefined ? 1 : Number(r.interval)
    if (!Number.isInteger(interval) || interval < 1)
      throw failure(400, 'Recurrence.interval must be 1 or more')
    recurrence = {
      freq: String(r.freq),
      interval,
      ...(Number.isInteger(r.count) ? { count: Number(r.count) } : {}),
      ...(r.until ? { until: wallClock(r.until, tz, 'Recurrence.until') } : {}),
    }
  }
  return {
    guid,
    pGuid,
    title,
    tz,
    allDay: e.allDay === true,
    start,
    end,
    location: typeof e.location === 'string' ? e.location.slice(0, 1024) : '',
    etag: '',
    alarms,
    recurrence,
  }
}

/**
 * The instant of a date array in `tz`. Only the five fields after the stamp are read: pyicloud writes the
 * stamp as a string and the end's last element as minutes to midnight (`services/calendar.py`
 * l. 105-130; docs/protocols/icloud.md §18.5), so neither is checked.
 */
function wallClock(value: unknown, tz: string, name: string): number {
  if (!Array.isArray(value) || value.length < 6) throw failure(400, `${name} must be a date array`)
  const [, y, mo, d, h, mi] = value.map(Number) as number[]
  const probe = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!))
  if (
    ![y, mo, d, h, mi].every((n) => Number.isInteger(n)) ||
    y! < 1900 ||
    y! > 2200 ||
    probe.getUTCMonth() !== mo! - 1 ||
    probe.getUTCDate() !== d! ||
    probe.getUTCHours() !== h! ||
    probe.getUTCMinutes() !== mi!
  )
    throw failure(400, `${name} is not a real date and time`)
  return decodeCalendarDate([y! * 10000 + mo! * 100 + d!, y, mo, d, h, mi], tz).date.getTime()
}

/** Guids become keys of the durable state: letters, digits and `-_.:` only (never `__proto__`). */
function checkGuid(guid: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(guid))
    throw failure(400, 'A guid has letters, digits and -_.: only')
  return guid
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw failure(400, 'A path segment is not valid percent-encoding')
  }
}

function zoneOr(zone: string | null, fallback: string): string {
  if (zone === null || zone === '') return fallback
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    return fallback
  }
}

function failure(status: number, error: string) {
  return iCloudFailure(status, { success: false, error })
}

export type { CalendarState }
