import { decodeCalendarDate } from '../../client/calendar-date.js'
import { iCloudFailure } from '../http-util.js'
import type { InstantRange } from './occurrences.js'

/**
 * The instants of a read call's `startDate` and `endDate` (`YYYY-MM-DD` in `usertz`; the end day is
 * included, pyicloud `services/calendar.py` l. 594-597), or undefined when the call names neither.
 * One without the other, a day that does not exist, or an end before the start answers 400 (DECISION).
 */
export function requestedRange(query: URLSearchParams, userTz: string): InstantRange | undefined {
  const startDate = query.get('startDate')
  const endDate = query.get('endDate')
  if (startDate === null && endDate === null) return undefined
  const from = midnight(startDate, userTz, 0)
  const to = midnight(endDate, userTz, 1)
  if (from === undefined || to === undefined)
    throw iCloudFailure(400, {
      success: false,
      error: 'startDate and endDate must both be days (YYYY-MM-DD)',
    })
  if (to <= from) throw iCloudFailure(400, { success: false, error: 'endDate is before startDate' })
  return { from, to }
}

/** Midnight at the start of `day` plus `plusDays`, in `zone`; undefined for anything but a real day. */
function midnight(day: string | null, zone: string, plusDays: number): number | undefined {
  const m = day === null ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const probe = new Date(Date.UTC(y, mo - 1, d))
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined
  const next = new Date(Date.UTC(y, mo - 1, d + plusDays))
  const [ny, nm, nd] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()]
  return decodeCalendarDate([ny * 10000 + nm * 100 + nd, ny, nm, nd, 0, 0], zone).date.getTime()
}
