import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'calendar writes password 1'
const ACCOUNT = { appleId: 'cal@example.com', password: PASSWORD, twoFactor: false }
let emulator: ICloudEmulator
let client: ICloudClient
let dir: string
const range = { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-12-31T00:00:00Z') }

async function start(): Promise<void> {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: dir })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: PASSWORD, timeZone: 'America/New_York' })
  await client.login()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-calendar-writes-'))
  await start()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

describe('calendar changes against the emulator', () => {
  it('creates an event with a time zone, an alarm and a recurrence; its alarm trigger follows', async () => {
    const created = await client.calendar.createEvent({
      calendar: 'Home',
      title: 'Standup',
      start: new Date('2027-03-01T08:30:00Z'),
      end: new Date('2027-03-01T08:45:00Z'),
      timeZone: 'Europe/Paris',
      location: 'Room 1',
      alarms: [{ minutesBefore: 10 }],
      recurrence: { frequency: 'weekly', count: 10 },
    })
    expect(created).toMatchObject({ pGuid: 'home' })
    const events = await client.calendar.events(range)
    // A repeating event is listed as its occurrences in the range (docs/protocols/icloud.md §24).
    expect(events.filter((e) => e.seriesGuid === created.guid)).toHaveLength(10)
    const standup = events.find((e) => e.seriesGuid === created.guid)!
    expect(standup).toMatchObject({
      title: 'Standup',
      timeZone: 'Europe/Paris',
      duration: 15,
      location: 'Room 1',
    })
    expect(standup.start.hour).toBe(9) // Paris, UTC+1 in March
    expect(standup.start.date.toISOString()).toBe('2027-03-01T08:30:00.000Z')
    const triggers = await client.calendar.alarmTriggers(range)
    const trigger = triggers.find((t) => t.title === 'Standup')!
    expect(trigger.trigger.date.toISOString()).toBe('2027-03-01T08:20:00.000Z')
    expect(trigger.trigger.hour).toBe(3) // New York
    const detail = await client.calendar.eventDetail('home', created.guid)
    expect(detail?.raw.recurrenceMaster).toBe(true)
  })

  it('updates and deletes an event with its etag; refuses an end before the start', async () => {
    const created = await client.calendar.createEvent({
      calendar: 'home',
      title: 'Lunch',
      start: new Date('2027-05-02T00:00:00Z'),
      end: new Date('2027-05-03T00:00:00Z'),
      timeZone: 'UTC',
      allDay: true,
    })
    const updated = await client.calendar.updateEvent('home', created.guid, { title: 'Long lunch' })
    expect(updated.etag).not.toBe(created.etag)
    const after = await client.calendar.eventDetail('home', created.guid)
    expect(after).toMatchObject({ title: 'Long lunch', allDay: true })
    expect(after?.start.date.toISOString()).toBe('2027-05-02T00:00:00.000Z')
    const backwards = await client.calendar
      .updateEvent('home', created.guid, { end: new Date('2027-05-01T00:00:00Z') })
      .catch((e) => e)
    expect(isICloudError(backwards, 'INVALID_DATE')).toBe(true)
    expect(backwards.details).toMatchObject({ argument: 'end' })
    await client.calendar.deleteEvent('home', created.guid)
    const gone = await client.calendar.deleteEvent('home', created.guid).catch((e) => e)
    expect(isICloudError(gone, 'NOT_FOUND')).toBe(true)
    expect(gone.details).toMatchObject({ kind: 'event' })
  })

  it('creates and deletes a calendar (and its events); an unknown calendar is NOT_FOUND', async () => {
    const { guid } = await client.calendar.createCalendar({ title: 'Work', color: '#ff9500' })
    expect((await client.calendar.collections()).map((c) => c.title)).toEqual(['Home', 'Work'])
    const { guid: eventGuid } = await client.calendar.createEvent({
      calendar: 'Work',
      title: 'Review',
      start: new Date('2027-06-01T14:00:00Z'),
      end: new Date('2027-06-01T15:00:00Z'),
    })
    await client.calendar.deleteCalendar(guid)
    expect((await client.calendar.collections()).map((c) => c.title)).toEqual(['Home'])
    expect((await client.calendar.events(range)).some((e) => e.guid === eventGuid)).toBe(false)
    const unknown = await client.calendar
      .createEvent({ calendar: 'Nope', title: 'x', start: new Date(), end: new Date(Date.now() + 1000) })
      .catch((e) => e)
    expect(isICloudError(unknown, 'NOT_FOUND')).toBe(true)
  })

  it('keeps the changes across a restart', async () => {
    await client.close()
    await emulator.close()
    await start()
    expect((await client.calendar.events(range)).map((e) => e.title)).toContain('Standup')
  })
})
