import { cliError } from '../output/errors.js'

/**
 * A date option: `2027-03-01` (9:00 local time, or midnight with `dayStart`), `2027-03-01T17:30` (local
 * time) or with `Z`/`±hh:mm`, checked field by field so `2027-02-30` or `25:00` are refused instead of
 * rolling over (`INVALID_OPTION` naming `flag`).
 */
export function parseLocalDate(text: string, flag: string, options: { dayStart?: boolean } = {}): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
    text.trim(),
  )
  const bad = () =>
    cliError(
      'INVALID_OPTION',
      `${flag} must be a date such as 2027-03-01 or 2027-03-01T17:30 (local time; add Z or +01:00 for another zone), got ${JSON.stringify(text.slice(0, 40))}.`,
    )
  if (!m) throw bad()
  const [, y, mo, d, h = options.dayStart ? '00' : '09', mi = '00', s = '00', zone] = m
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number]
  const check = new Date(Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]))
  if (
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  )
    throw bad()
  const date = zone
    ? new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`)
    : new Date(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5])
  if (Number.isNaN(date.getTime())) throw bad()
  return date
}
