import { textBody } from '@sigwire/core'
import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceCaller } from '../src/client/service-caller.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'calendar recurrence password 1'
const ACCOUNT = { appleId: 'rec@example.com', password: PASSWORD, twoFactor: false }
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT] })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: PASSWORD, timeZone: 'Europe/Paris' })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

const days = (from: string, to: string) => ({
  from: new Date(`${from}T12:00:00Z`),
  to: new Date(`${to}T12:00:00Z`),
})
const failureOf = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e)

describe('repeating events listed for a date range', () => {
  let weekly: string

  it('lists a weekly series as its occurrences in the range, on the wall clock across a DST change', async () => {
    ;({ guid: weekly } = await client.calendar.createEvent({
      calendar: 'home',
      title: 'Standup',
      start: new Date('2027-03-01T08:30:00Z'), // 09:30 in Paris
      end: new Date('2027-03-01T08:45:00Z'),
      timeZone: 'Europe/Paris',
      alarms: [{ minutesBefore: 10 }],
      recurrence: { frequency: 'weekly', count: 7 },
    }))
    const march = (await client.calendar.events(days('2027-03-01', '2027-03-31'))).filter(
      (e) => e.seriesGuid === weekly,
    )
    expect(march.map((e) => e.start.date.toISOString())).toEqual([
      '2027-03-01T08:30:00.000Z',
      '2027-03-08T08:30:00.000Z',
      '2027-03-15T08:30:00.000Z',
      '2027-03-22T08:30:00.000Z',
      '2027-03-29T07:30:00.000Z', // summer time since 28 March: still 09:30 in Paris
    ])
    expect(march.every((e) => e.start.hour === 9 && e.start.minute === 30 && e.duration === 15)).toBe(true)
    expect(march[0]).toMatchObject({
      guid: `${weekly}__20270301T093000`,
      recurrenceMaster: false,
      recurrenceException: false,
      recurrence: { frequency: 'weekly', interval: 1, count: 7 },
    })
    expect(march[0]?.raw.alarms).toEqual([expect.stringMatching(new RegExp(`^${weekly}__20270301T093000:`))])
    // The count ends the series: two more in April, none after.
    const april = (await client.calendar.events(days('2027-04-01', '2027-12-31'))).filter(
      (e) => e.seriesGuid === weekly,
    )
    expect(april.map((e) => e.start.day)).toEqual([5, 12])
    // The end day is included: an occurrence on the last day is listed.
    expect((await client.calendar.events(days('2027-03-02', '2027-03-08'))).map((e) => e.guid)).toContain(
      `${weekly}__20270308T093000`,
    )
  })

  it('gives each occurrence its alarm trigger, and answers eventdetail for an occurrence', async () => {
    const triggers = (await client.calendar.alarmTriggers(days('2027-03-01', '2027-03-14'))).filter(
      (t) => t.title === 'Standup',
    )
    expect(triggers.map((t) => t.trigger.date.toISOString())).toEqual([
      '2027-03-01T08:20:00.000Z',
      '2027-03-08T08:20:00.000Z',
    ])
    const one = await client.calendar.eventDetail('home', `${weekly}__20270315T093000`)
    expect(one).toMatchObject({ seriesGuid: weekly, recurrenceMaster: false })
    expect(one?.start.date.toISOString()).toBe('2027-03-15T08:30:00.000Z')
    const notOne = await failureOf(client.calendar.eventDetail('home', `${weekly}__20270316T093000`))
    expect(notOne).toMatchObject({ code: 'SERVICE_ERROR', status: 404 })
  })

  it('skips months without the day, stops at until, and refuses changes to one occurrence', async () => {
    const { guid: monthly } = await client.calendar.createEvent({
      calendar: 'home',
      title: 'Month end',
      start: new Date('2027-01-31T10:00:00Z'),
      end: new Date('2027-01-31T11:00:00Z'),
      timeZone: 'UTC',
      recurrence: { frequency: 'monthly', until: new Date('2027-08-01T00:00:00Z') },
    })
    const listed = (await client.calendar.events(days('2027-01-01', '2027-12-31'))).filter(
      (e) => e.seriesGuid === monthly,
    )
    expect(listed.map((e) => `${e.start.month}-${e.start.day}`)).toEqual(['1-31', '3-31', '5-31', '7-31'])
    const one = await failureOf(client.calendar.updateEvent('home', listed[1]!.guid, { title: 'x' }))
    expect(one).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'guid' } })
    expect((one as Error).message).toContain(monthly)
    await client.calendar.deleteEvent('home', monthly)
    const after = await client.calendar.events(days('2027-01-01', '2027-12-31'))
    expect(after.some((e) => e.seriesGuid === monthly)).toBe(false)
  })

  it('refuses a range that ends before it starts, in the client and in the emulator', async () => {
    const backwards = await failureOf(client.calendar.events(days('2027-03-10', '2027-03-01')))
    expect(isICloudError(backwards, 'INVALID_ARGUMENT')).toBe(true)
    expect(backwards).toMatchObject({ details: { argument: 'to' } })
    const caller = (client.calendar as unknown as { caller: ServiceCaller }).caller
    const sent = await failureOf(
      caller.call('calendar', 'GET', '/ca/events', {
        query: { usertz: 'Europe/Paris', startDate: '2027-03-10', endDate: '2027-03-01' },
      }),
    )
    expect(sent).toMatchObject({ code: 'SERVICE_ERROR', status: 400 })
    const notADay = await failureOf(
      caller.call('calendar', 'POST', '/ca/alarmtriggers/', {
        query: { usertz: 'Europe/Paris', startDate: '2027-02-30', endDate: '2027-03-01' },
        body: textBody('{}'),
      }),
    )
    expect(notADay).toMatchObject({ code: 'SERVICE_ERROR', status: 400 })
  })
})
