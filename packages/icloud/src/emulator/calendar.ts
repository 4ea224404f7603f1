import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { alarmJson, calendarView, eventKey, recurrenceJson } from './calendar-writes/state.js'
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
  const userTz = request.url.searchParams.get('usertz') ?? 'UTC'
  // The seeded calendar, with the account's changes (§18.5).
  const data = () => calendarView(ctx, account, validZone(userTz))
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
    const event = data().events.find(
      (e) => (e as { pGuid: string }).pGuid === detail[1] && (e as { guid: string }).guid === detail[2],
    )
    if (!event) throw iCloudFailure(404, { success: false, error: 'No such event' })
    const stored = ctx.data.calendar.get(account.appleId)?.events
    const key = eventKey(detail[1]!, detail[2]!)
    const kept = stored && Object.hasOwn(stored, key) ? stored[key] : undefined
    return answer(200, {
      Event: [event],
      Alarm: kept ? alarmJson(kept) : [],
      Invitee: [],
      Recurrence: kept ? recurrenceJson(kept) : [],
    })
  }
  if ((method === 'GET' || method === 'POST') && path === '/ca/alarmtriggers')
    return answer(200, { AlarmTrigger: data().alarms })
  return undefined
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
