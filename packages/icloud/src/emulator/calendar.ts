import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from './context.js'
import { calendar } from './data.js'
import { answer, iCloudFailure } from './http-util.js'

/**
 * Calendar (`webservices.calendar`, docs/protocols/icloud.md §8.4, §12): `ca/startup`, `ca/events`,
 * `ca/allcollections` (pyicloud `get_calendars`), `ca/eventdetail/{pGuid}/{guid}` (pyicloud and
 * icloud.js), and `ca/alarmtriggers` by GET or POST. Undefined for other paths.
 */
export function handleCalendar(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
): Reply | undefined {
  const method = request.method
  const userTz = request.url.searchParams.get('usertz') ?? 'UTC'
  const data = () => calendar(ctx.now(), validZone(userTz))
  if (method === 'GET' && path === '/ca/startup') {
    const d = data()
    return answer(200, { Collection: d.collections, Event: d.events, Alarm: [], Invitee: [], Recurrence: [] })
  }
  if (method === 'GET' && path === '/ca/events')
    return answer(200, { Event: data().events, Alarm: [], Invitee: [], Recurrence: [] })
  if (method === 'GET' && path === '/ca/allcollections')
    return answer(200, { Collection: data().collections })
  const detail = /^\/ca\/eventdetail\/([^/]+)\/([^/]+)$/.exec(path)
  if (method === 'GET' && detail) {
    const event = data().events.find(
      (e) => (e as { pGuid: string }).pGuid === detail[1] && (e as { guid: string }).guid === detail[2],
    )
    if (!event) throw iCloudFailure(404, { success: false, error: 'No such event' })
    return answer(200, { Event: [event], Alarm: [], Invitee: [], Recurrence: [] })
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
