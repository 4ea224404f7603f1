import { ICloudError } from '../errors.js'

/** A calendar date decoded from iCloud's seven-element array. */
export interface CalendarDate {
  /** The instant. */
  readonly date: Date
  /** The IANA time zone the wall-clock fields are in (`UTC` for floating all-day values). */
  readonly timeZone: string
  /** Wall-clock year in `timeZone` (the array's second element). */
  readonly year: number
  /** Wall-clock month in `timeZone`, 1 to 12 (not JavaScript's 0 to 11). */
  readonly month: number
  /** Wall-clock day of the month in `timeZone`, from 1. */
  readonly day: number
  /** Wall-clock hour in `timeZone`, 0 to 23. */
  readonly hour: number
  /** Wall-clock minute in `timeZone`, 0 to 59. */
  readonly minute: number
}

/**
 * Decodes `[YYYYMMDD, YYYY, MM, DD, HH, mm, minutesFromMidnight]` (docs/protocols/icloud.md §8.4), a
 * wall-clock time in `timeZone`, into an instant. The redundant first and last elements are checked
 * against the others, so a misread array fails loudly instead of shifting dates.
 */
export function decodeCalendarDate(value: unknown, timeZone: string): CalendarDate {
  if (!Array.isArray(value) || value.length < 6 || !value.slice(0, 6).every((n) => Number.isInteger(n)))
    throw bad(value)
  const [stamp, year, month, day, hour, minute] = value as number[]
  const minutes = value[6] as number | undefined
  if (stamp !== year! * 10000 + month! * 100 + day!) throw bad(value)
  if (minutes !== undefined && minutes !== hour! * 60 + minute!) throw bad(value)
  const zone = timeZone === '' || timeZone === 'floating' ? 'UTC' : timeZone
  return {
    date: new Date(zonedToUtc(year!, month!, day!, hour!, minute!, zone)),
    timeZone: zone,
    year: year!,
    month: month!,
    day: day!,
    hour: hour!,
    minute: minute!,
  }
}

/** Encodes an instant as the seven-element array in `timeZone` (used by the emulator). */
export function encodeCalendarDate(date: Date, timeZone: string): number[] {
  const parts = wallClock(date.getTime(), timeZone)
  return [
    parts.year * 10000 + parts.month * 100 + parts.day,
    parts.year,
    parts.month,
    parts.day,
    parts.hour,
    parts.minute,
    parts.hour * 60 + parts.minute,
  ]
}

/** `YYYY-MM-DD` of a date in `timeZone` (the calendar service's `startDate`/`endDate` parameters). */
export function calendarDay(date: Date, timeZone: string): string {
  const p = wallClock(date.getTime(), timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function wallClock(ms: number, timeZone: string) {
  let format = formatters.get(timeZone)
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `Unknown time zone ${JSON.stringify(timeZone)}.`,
      })
    }
    formatters.set(timeZone, format)
  }
  const get = (type: string) => Number(format.formatToParts(new Date(ms)).find((p) => p.type === type)?.value)
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  }
}

function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute)
  // Offset at the naive instant, then corrected once for a DST change between the two instants.
  let guess = naive - offsetAt(naive, timeZone)
  guess = naive - offsetAt(guess, timeZone)
  return guess
}

function offsetAt(ms: number, timeZone: string): number {
  const p = wallClock(ms, timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return asUtc - Math.floor(ms / 1000) * 1000
}

function bad(value: unknown): ICloudError {
  return new ICloudError({
    code: 'INVALID_RESPONSE',
    message: `Calendar date ${JSON.stringify(value)?.slice(0, 80)} is not [YYYYMMDD, YYYY, MM, DD, HH, mm, minutes].`,
  })
}
