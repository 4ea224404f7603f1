import { decodeCalendarDate, encodeCalendarDate } from '../../client/calendar-date.js'
import type { StoredEvent } from './state.js'

/** At most this many occurrences of one series in one answer (DECISION, docs/protocols/icloud.md §24). */
export const MAX_OCCURRENCES = 1000
/** At most this many steps through a series before giving up (a daily rule over centuries). */
const MAX_STEPS = 200_000

/** A range of instants, `from` included, `to` excluded. */
export interface InstantRange {
  /** First instant of the range. */
  readonly from: number
  /** First instant after the range. */
  readonly to: number
}

/**
 * The start instants of the occurrences of `e` that overlap `range`, in order. The rule is stepped on
 * the wall clock of the event's own zone, so a daily 09:00 stays 09:00 across a DST change; a monthly
 * or yearly step that lands on a day the month lacks (the 31st, 29 February) makes no occurrence, and
 * `count` counts only the occurrences made (RFC 5545 §3.3.10). A one-off event is its own occurrence.
 */
export function occurrenceStarts(e: StoredEvent, range: InstantRange): number[] {
  const duration = e.end - e.start
  const overlaps = (start: number) =>
    start < range.to && (start + duration > range.from || start >= range.from)
  const rule = e.recurrence
  if (!rule) return overlaps(e.start) ? [e.start] : []
  const [, year, month, day, hour, minute] = encodeCalendarDate(new Date(e.start), e.tz) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const out: number[] = []
  let made = 0
  // Without a count, a daily or weekly series can start near the range (two periods early covers DST).
  const period = (rule.freq === 'weekly' ? 7 : 1) * 86_400_000 * rule.interval
  const skip =
    rule.count === undefined && (rule.freq === 'daily' || rule.freq === 'weekly')
      ? Math.max(0, Math.floor((range.from - duration - e.start) / period) - 2)
      : 0
  for (let n = skip; n < skip + MAX_STEPS; n++) {
    const step = n * rule.interval
    const ymd = shifted(rule.freq, year, month, day, step)
    if (ymd === undefined) continue
    const start = decodeCalendarDate(
      [ymd[0] * 10000 + ymd[1] * 100 + ymd[2], ymd[0], ymd[1], ymd[2], hour, minute],
      e.tz,
    ).date.getTime()
    if (rule.until !== undefined && start > rule.until) break
    if (start >= range.to) break
    made += 1
    if (overlaps(start)) out.push(start)
    if (out.length >= MAX_OCCURRENCES) break
    if (rule.count !== undefined && made >= rule.count) break
  }
  return out
}

/** The wall-clock day `step` periods after `y-m-d`, or undefined when that month lacks the day. */
function shifted(
  freq: string,
  y: number,
  m: number,
  d: number,
  step: number,
): [number, number, number] | undefined {
  if (freq === 'daily' || freq === 'weekly') {
    const t = new Date(Date.UTC(y, m - 1, d + step * (freq === 'weekly' ? 7 : 1)))
    return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()]
  }
  const months = freq === 'monthly' ? step : step * 12
  const first = new Date(Date.UTC(y, m - 1 + months, 1))
  const [ny, nm] = [first.getUTCFullYear(), first.getUTCMonth() + 1]
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate()
  return d > last ? undefined : [ny, nm, d]
}

/** The guid of one occurrence: the series' guid, `__`, and its start on the event's wall clock. */
export function occurrenceGuid(e: StoredEvent, start: number): string {
  const [, y, mo, d, h, mi] = encodeCalendarDate(new Date(start), e.tz) as number[]
  const two = (n: number | undefined) => String(n).padStart(2, '0')
  return `${e.guid}__${y}${two(mo)}${two(d)}T${two(h)}${two(mi)}00`
}

/** The series guid and start of an occurrence guid (`<guid>__YYYYMMDDTHHMMSS`), else undefined. */
export function parseOccurrenceGuid(guid: string): { series: string; stamp: string } | undefined {
  const m = /^(.+)__(\d{8}T\d{6})$/.exec(guid)
  return m ? { series: m[1]!, stamp: m[2]! } : undefined
}
