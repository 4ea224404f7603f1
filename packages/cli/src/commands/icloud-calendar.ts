import type { CalendarEvent, EventRecurrence } from '@sigwire/icloud'
import type { Command } from 'commander'
import { parseLocalDate } from '../input/local-date.js'
import { cliError, EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

interface AddOptions extends ConnectionOptions {
  calendar: string
  start: string
  end?: string
  allDay?: boolean
  tz?: string
  location?: string
  alarm: string[]
  repeat?: string
  count?: string
}

const REPEATS = ['daily', 'weekly', 'monthly', 'yearly'] as const

/** `sigwire icloud calendar ls|add|rm`. */
export function registerCalendar(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const calendar = icloud.command('calendar').description('Calendar: list, add and delete events')

  sessionOptions(calendar.command('ls').description('the calendars and their events in a range'))
    .option('--from <date>', 'first day (default: today)')
    .option('--to <date>', 'last day (default: 30 days after --from)')
    .action(async (options: ConnectionOptions & { from?: string; to?: string }) => {
      const from =
        options.from === undefined ? new Date() : parseLocalDate(options.from, '--from', { dayStart: true })
      const to =
        options.to === undefined
          ? new Date(from.getTime() + 30 * 86_400_000)
          : parseLocalDate(options.to, '--to', { dayStart: true })
      if (to < from) throw cliError('INVALID_OPTION', '--to must not be before --from.')
      const result = await withSavedSession(options, async (c) => ({
        calendars: await c.calendar.collections(),
        events: await c.calendar.events({ from, to }),
      }))
      if (options.json) printJson(io, plain(result))
      else
        for (const cal of result.calendars) {
          io.out(`${cal.title}  (${cal.guid})`)
          for (const e of result.events.filter((e) => e.pGuid === cal.guid)) io.out(`  ${line(e)}`)
        }
      setExit(EXIT.ok)
    })

  sessionOptions(calendar.command('add <title>').description('add an event'))
    .requiredOption('--calendar <calendar>', 'the calendar (title or guid)')
    .requiredOption(
      '--start <date>',
      'when it starts: 2027-03-01T09:30 (local), with Z/±hh:mm, or a day with --all-day',
    )
    .option('--end <date>', 'when it ends (default: an hour after the start, or the next day with --all-day)')
    .option('--all-day', 'an all-day event (--start and --end are days)')
    .option('--tz <zone>', "the event's IANA time zone (default: this machine's)")
    .option('--location <text>', 'where')
    .option(
      '--alarm <minutes>',
      'an alarm this many minutes before (repeatable)',
      (v, all: string[]) => [...all, v],
      [],
    )
    .option('--repeat <frequency>', 'daily, weekly, monthly or yearly')
    .option('--count <n>', 'with --repeat: how many times')
    .action(async (title: string, options: AddOptions) => {
      const event = eventOptions(options)
      const created = await withSavedSession(options, async (c) => {
        const saved = await c.calendar.createEvent({ title, calendar: options.calendar, ...event })
        return (await c.calendar.eventDetail(saved.pGuid, saved.guid)) ?? saved
      })
      if (options.json) printJson(io, { ok: true, event: plain(created) })
      else io.out(`✓ added ${'start' in created ? line(created) : created.guid}`)
      setExit(EXIT.ok)
    })

  sessionOptions(calendar.command('rm <guid>').description('delete an event (its guid, as ls --json shows)'))
    .requiredOption('--calendar <calendar>', "the event's calendar guid (pGuid)")
    .action(async (guid: string, options: ConnectionOptions & { calendar: string }) => {
      await withSavedSession(options, (c) => c.calendar.deleteEvent(options.calendar, guid))
      if (options.json) printJson(io, { ok: true, deleted: { guid, pGuid: options.calendar } })
      else io.out(`✓ deleted ${guid}`)
      setExit(EXIT.ok)
    })
}

/** The event fields of `add`'s options, checked before anything is sent. */
function eventOptions(options: AddOptions): {
  start: Date
  end: Date
  timeZone?: string
  allDay?: boolean
  location?: string
  alarms: { minutesBefore: number }[]
  recurrence?: EventRecurrence
} {
  const allDay = options.allDay === true
  const day = (text: string, flag: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text.trim()))
      throw cliError(
        'INVALID_OPTION',
        `With --all-day, ${flag} is a day such as 2027-03-01 (got ${JSON.stringify(text.slice(0, 40))}).`,
      )
    const local = parseLocalDate(text, flag, { dayStart: true })
    // All-day events float: the day itself, kept as midnight UTC.
    return new Date(Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()))
  }
  const start = allDay ? day(options.start, '--start') : parseLocalDate(options.start, '--start')
  const end =
    options.end === undefined
      ? new Date(start.getTime() + (allDay ? 86_400_000 : 3_600_000))
      : allDay
        ? day(options.end, '--end')
        : parseLocalDate(options.end, '--end')
  if (end <= start)
    throw cliError(
      'INVALID_OPTION',
      `--end (${end.toISOString()}) must be after --start (${start.toISOString()}): an event cannot end before it starts.`,
    )
  if (options.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: options.tz })
    } catch {
      throw cliError(
        'INVALID_OPTION',
        `--tz must be an IANA time zone such as Europe/Paris (got ${JSON.stringify(options.tz.slice(0, 40))}).`,
      )
    }
  }
  const alarms = options.alarm.map((a) => {
    if (!/^\d{1,5}$/.test(a) || Number(a) > 40_320)
      throw cliError(
        'INVALID_OPTION',
        `--alarm is a number of minutes before the start, 0 to 40320 (got ${JSON.stringify(a.slice(0, 20))}).`,
      )
    return { minutesBefore: Number(a) }
  })
  let recurrence: EventRecurrence | undefined
  if (options.repeat !== undefined) {
    const frequency = REPEATS.find((r) => r === options.repeat)
    if (!frequency) throw cliError('INVALID_OPTION', '--repeat must be daily, weekly, monthly or yearly.')
    if (options.count !== undefined && !/^[1-9]\d{0,3}$/.test(options.count))
      throw cliError('INVALID_OPTION', '--count must be a whole number from 1 to 9999.')
    recurrence = { frequency, ...(options.count === undefined ? {} : { count: Number(options.count) }) }
  } else if (options.count !== undefined) throw cliError('INVALID_OPTION', '--count needs --repeat.')
  return {
    start,
    end,
    ...(allDay
      ? { allDay: true, timeZone: options.tz ?? 'UTC' }
      : options.tz
        ? { timeZone: options.tz }
        : {}),
    ...(options.location === undefined ? {} : { location: options.location }),
    alarms,
    ...(recurrence ? { recurrence } : {}),
  }
}

function line(e: CalendarEvent): string {
  const when = e.allDay
    ? `${e.start.year}-${String(e.start.month).padStart(2, '0')}-${String(e.start.day).padStart(2, '0')} (all day)`
    : `${e.start.date.toISOString()} → ${e.end.date.toISOString()} (${e.timeZone})`
  // One occurrence of a repeating event names its series: `rm` and changes take the series' guid.
  const series =
    e.seriesGuid && !e.recurrenceMaster
      ? `  ↻ ${e.recurrence?.frequency ?? 'repeats'} (series ${e.seriesGuid})`
      : ''
  return `${e.title}  ${when}${e.location ? `  @ ${e.location}` : ''}  ${e.guid}${series}`
}
