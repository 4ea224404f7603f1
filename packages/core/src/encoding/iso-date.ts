import { SigwireError } from '../errors/sigwire-error.js'

const STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/
const ANY_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Formats `date` as ISO 8601 UTC with whole seconds: `2016-08-14T14:32:20Z`.
 * This is the date form CloudKit and Apple News sign (docs/protocols/cloudkit.md §2.1, docs/protocols/apple-news.md §1.1).
 */
export function formatIsoSeconds(date: Date): string {
  const ms = date.getTime()
  if (!Number.isFinite(ms)) {
    throw new SigwireError({ code: 'INVALID_DATE', message: 'Cannot format an invalid Date.' })
  }
  return `${date.toISOString().slice(0, 19)}Z`
}

/** What is wrong with a date string that {@link parseIsoSeconds} rejected. */
export type IsoDateProblem = 'fraction' | 'offset' | 'no-zone' | 'range' | 'format'

/**
 * Parses the strict `YYYY-MM-DDTHH:MM:SSZ` form. Fractions, offsets (even `+00:00`), missing zones and
 * impossible calendar values are rejected with `INVALID_DATE`; `details.problem` names which.
 */
export function parseIsoSeconds(text: string): Date {
  const match = STRICT.exec(text)
  if (match) {
    const date = dateFromParts(match)
    if (date) return date
    throw dateError(text, 'range')
  }
  const loose = ANY_ISO.exec(text)
  if (!loose || text[10] !== 'T') throw dateError(text, 'format')
  if (loose[7]) throw dateError(text, 'fraction')
  if (loose[8] === undefined) throw dateError(text, 'no-zone')
  throw dateError(text, 'offset')
}

/** How a date string expressed its zone, as reported by {@link parseIsoDateTime}. */
export type IsoZoneForm = 'Z' | 'colon-offset' | 'compact-offset'

/**
 * Parses ISO 8601 date-times with a zone: `Z`, `+HH:MM` or `+HHMM`. Fractional seconds are accepted only
 * when `allowFraction` is set. Used by verifiers of protocols whose clients send offsets (Apple News).
 */
export function parseIsoDateTime(
  text: string,
  options: { allowFraction?: boolean } = {},
): {
  /** The instant the text names, in UTC (offset applied, fraction kept to the millisecond). */
  date: Date
  /** How the text wrote its zone, for verifiers that care which form a client sent. */
  zone: IsoZoneForm
} {
  const match = ANY_ISO.exec(text)
  if (!match || text[10] !== 'T') throw dateError(text, 'format')
  if (match[7] && !options.allowFraction) throw dateError(text, 'fraction')
  const zone = match[8]
  if (zone === undefined) throw dateError(text, 'no-zone')
  const utc = dateFromParts(match)
  if (!utc) throw dateError(text, 'range')
  let offsetMinutes = 0
  let form: IsoZoneForm = 'Z'
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const hours = Number(digits.slice(0, 2))
    const minutes = Number(digits.slice(2, 4))
    if (hours > 23 || minutes > 59) throw dateError(text, 'range')
    offsetMinutes = sign * (hours * 60 + minutes)
    form = zone.includes(':') ? 'colon-offset' : 'compact-offset'
  }
  const fraction = match[7] ? Math.floor(Number(`0${match[7]}`) * 1000) : 0
  return { date: new Date(utc.getTime() - offsetMinutes * 60_000 + fraction), zone: form }
}

function dateFromParts(match: RegExpExecArray): Date | undefined {
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const date = new Date(ms)
  // Date.UTC rolls 2026-02-30 over into March; a real calendar date survives the round trip.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined
  return date
}

const PROBLEM_TEXT: Record<IsoDateProblem, string> = {
  fraction: 'it has fractional seconds; drop the milliseconds (toISOString().slice(0, 19) + "Z")',
  offset: 'it has a UTC offset; express it in UTC with a literal "Z"',
  'no-zone': 'it has no zone; append "Z" after converting to UTC',
  range: 'it names a day or time that does not exist',
  format: 'it is not an ISO 8601 date-time like 2016-08-14T14:32:20Z',
}

function dateError(text: string, problem: IsoDateProblem): SigwireError {
  return new SigwireError({
    code: 'INVALID_DATE',
    message: `The date ${JSON.stringify(text.slice(0, 40))} is not accepted: ${PROBLEM_TEXT[problem]}.`,
    details: { problem },
  })
}
