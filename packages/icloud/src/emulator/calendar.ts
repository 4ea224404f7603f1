import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { decodeCalendarDate } from '../client/calendar-date.js'
import { occurrenceStarts, parseOccurrenceGuid } from './calendar-writes/occurrences.js'
import { requestedRange } from './calendar-writes/range.js'
import {
  alarmJson,
  calendarView,
  eventJson,
  eventKey,
  occurrenceOf,
  recurrenceJson,
  type StoredEvent,
} from './calendar-writes/state.js'
import type { ICloudContext } from './context.js'
import { answer, iCloudFailure } from './http-util.js'
import type { EmulatedAccount } from './state.js'

/**
 * Calendar (`webservices.calendar`, docs/protocols/icloud.md §8.4, §12): `ca/startup`, `ca/events`,
 * `ca/allcollections` (pyicloud `get_calendars`), `ca/eventdetail/{pGuid}/{guid}` (pyicloud and
 * icloud.js), and `ca/alarmtriggers` by GET or POST. Undefined for other paths.
 */
export function handleCalendar(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const method = request.method
  const userTz = validZone(request.url.searchParams.get('usertz') ?? 'UTC')
  // The seeded calendar, with the account's changes (§18.5), in the call's date range (§24).
  const data = () => calendarView(ctx, account, userTz, requestedRange(request.url.searchParams, userTz))
  if (method === 'GET' && path === '/ca/startup') {
    const d = data()
    return answer(200, {
      Collection: d.collections,
      Event: d.events,
      Alarm: [],
      Invitee: [],
      Recurrence: d.recurrences,
    })
  }
  if (method === 'GET' && path === '/ca/events')
    return answer(200, { Event: data().events, Alarm: [], Invitee: [], Recurrence: data().recurrences })
  if (method === 'GET' && path === '/ca/allcollections')
    return answer(200, { Collection: data().collections })
  const detail = /^\/ca\/eventdetail\/([^/]+)\/([^/]+)$/.exec(path)
  if (method === 'GET' && detail) {
    const [pGuid, guid] = [detail[1]!, detail[2]!]
    const stored = ctx.data.calendar.get(account.appleId)?.events
    // One occurrence of a series (`<guid>__YYYYMMDDTHHMMSS`, §24) is answered from its series.
    const occurrence = parseOccurrenceGuid(guid)
    const seriesKey = occurrence ? eventKey(pGuid, occurrence.series) : undefined
    const series = seriesKey && stored && Object.hasOwn(stored, seriesKey) ? stored[seriesKey] : undefined
    const start = series && occurrence ? occurrenceStart(series, occurrence.stamp) : undefined
    if (series && start !== undefined) {
      const one = occurrenceOf(series, start)
      return answer(200, {
        Event: [eventJson(one, userTz, series)],
        Alarm: alarmJson(one),
        Invitee: [],
        Recurrence: recurrenceJson(series),
      })
    }
    // Any event of the account, whatever range the call names (pyicloud sends its month with every call).
    const event = calendarView(ctx, account, userTz).events.find(
      (e) => (e as { pGuid: string }).pGuid === pGuid && (e as { guid: string }).guid === guid,
    )
    const key = eventKey(pGuid, guid)
    const kept = stored && Object.hasOwn(stored, key) ? stored[key] : undefined
    const answered = event ?? (kept ? eventJson(kept, userTz) : undefined)
    if (!answered) throw iCloudFailure(404, { success: false, error: 'No such event' })
    return answer(200, {
      Event: [answered],
      Alarm: kept ? alarmJson(kept) : [],
      Invitee: [],
      Recurrence: kept ? recurrenceJson(kept) : [],
    })
  }
  if ((method === 'GET' || method === 'POST') && path === '/ca/alarmtriggers')
    return answer(200, { AlarmTrigger: data().alarms })
  return undefined
}

/** The start of the occurrence of `series` stamped `YYYYMMDDTHHMMSS`, if the rule makes one then. */
function occurrenceStart(series: StoredEvent, stamp: string): number | undefined {
  if (!series.recurrence) return undefined
  const [y, mo, d, h, mi] = [0, 4, 6, 9, 11].map((at, i) => Number(stamp.slice(at, at + (i ? 2 : 4))))
  let start: number
  try {
    start = decodeCalendarDate([y! * 10000 + mo! * 100 + d!, y, mo, d, h, mi], series.tz).date.getTime()
  } catch {
    return undefined
  }
  return occurrenceStarts(series, { from: start, to: start + 1 }).includes(start) ? start : undefined
}

/** `usertz` when it names a zone this runtime knows, else UTC (a hostile zone must not throw). */
function validZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    return 'UTC'
  }
}
