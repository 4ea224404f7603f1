import { type ICloudClient, PUSH_TOPICS } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'services password 1'
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'jane@example.com', password: PASSWORD, twoFactor: false }],
    longPollHoldMs: 200,
  })
  client = clientFor(emulator, {
    appleId: 'jane@example.com',
    password: PASSWORD,
    timeZone: 'America/New_York',
  })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  expect(emulator.tripwire).toEqual([])
})

describe('account-page web services', () => {
  it('reads storage usage', async () => {
    const usage = await client.storage.usage()
    expect(usage.availableBytes).toBe(usage.totalBytes - usage.usedBytes)
    expect(usage.byMedia.reduce((s, m) => s + m.usageInBytes, 0)).toBe(usage.usedBytes)
    expect(usage.quota).toEqual({ overQuota: false, almostFull: false, paidQuota: true })
  })

  it('reads contacts and the me card with the common query parameters', async () => {
    const startup = await client.contacts.startup()
    expect(startup.contacts.slice(0, 3).map((c) => c.firstName ?? c.companyName)).toEqual([
      'Jane',
      'Ada',
      'Analytical Engines Ltd',
    ])
    expect(startup.contacts).toHaveLength(25)
    expect(startup.meCardId).toBe(startup.contacts[0]?.contactId)
    expect(startup.groups[0]).toEqual({
      groupId: 'GROUP-1',
      name: 'Work',
      contactIds: ['A1B2C3D4-0001'],
      etag: 'G=1@U=GROUP-1',
    })
    const me = await client.contacts.meCard()
    expect(me.contact?.emailAddresses[0]?.field).toBe('jane@example.com')
    const last = emulator.requests.findLast((r) => r.path.endsWith('/co/mecard'))
    expect(last?.cookie).toBe(true)
  })

  it('decodes calendar date arrays into instants in their time zones', async () => {
    const from = new Date()
    const to = new Date(Date.now() + 7 * 86_400_000)
    const { collections, events } = await client.calendar.startup({ from, to })
    expect(collections[0]?.title).toBe('Home')
    const event = events[0]!
    expect(event.timeZone).toBe('Europe/Paris')
    expect(event.start.hour).toBe(10)
    expect(event.end.date.getTime() - event.start.date.getTime()).toBe(3_600_000)
    // 10:00 in Paris is 09:00 or 08:00 UTC depending on daylight saving time.
    expect([8, 9]).toContain(event.start.date.getUTCHours())
    const [alarm] = await client.calendar.alarmTriggers({ from, to })
    expect(alarm).toBeDefined()
    expect(alarm!.start.date.getTime()).toBe(event.start.date.getTime())
    expect(alarm!.localStart.date.getTime()).toBe(event.start.date.getTime())
    expect(alarm!.localStart.timeZone).toBe('America/New_York')
    expect(alarm!.start.date.getTime() - alarm!.trigger.date.getTime()).toBe(15 * 60_000)
    expect((await client.calendar.events({ from, to })).length).toBe(1)
  })

  it('gets a push token, registers topics, reads state and long-polls until aborted', async () => {
    const token = await client.push.getToken([PUSH_TOPICS.contacts])
    expect(token.token).toMatch(/^[0-9a-f]{64}$/)
    expect(await client.push.registerTopics(token, [PUSH_TOPICS.calendar])).toEqual([
      PUSH_TOPICS.contacts,
      PUSH_TOPICS.calendar,
    ])
    const states = await client.push.getState([PUSH_TOPICS.contacts])
    expect(states).toEqual([{ topic: PUSH_TOPICS.contacts, badge: 0, data: { badge: 0 } }])

    const controller = new AbortController()
    const received: string[] = []
    setTimeout(() => emulator.accounts.notify('jane@example.com', PUSH_TOPICS.contacts, { badge: 1 }), 50)
    for await (const notification of client.push.notifications(token, { signal: controller.signal })) {
      received.push(notification.topic)
      // keep polling through one empty hold, then stop
      setTimeout(() => controller.abort(), 300)
    }
    expect(received).toEqual([PUSH_TOPICS.contacts])
    const polls = emulator.requests.filter((r) => r.path === '/webcourier/aps')
    expect(polls.length).toBeGreaterThanOrEqual(2)
    // The long poll carries its own token: never the session cookies.
    expect(polls.every((r) => !r.cookie)).toBe(true)
  })

  it('syncs the key-value store', async () => {
    const sync = await client.keyValue.sync()
    expect(sync.apps.find((a) => a.appId === 'account')?.keys.locale).toBe('en-us')
  })

  it('runs the refreshWebAuth heartbeat on an interval until stopped', async () => {
    await client.heartbeat.refresh()
    const beat = client.heartbeat.start(40)
    await new Promise((r) => setTimeout(r, 200))
    beat.stop()
    const count = beat.beats
    expect(count).toBeGreaterThanOrEqual(2)
    await new Promise((r) => setTimeout(r, 120))
    expect(beat.beats).toBe(count)
  })

  it('close() stops running heartbeats', async () => {
    const other = clientFor(emulator, { appleId: 'jane@example.com', password: PASSWORD })
    await other.login()
    const beat = other.heartbeat.start(30)
    await new Promise((r) => setTimeout(r, 100))
    await other.close()
    const count = beat.beats
    const before = emulator.requests.filter((r) => r.path.endsWith('/refreshWebAuth')).length
    await new Promise((r) => setTimeout(r, 120))
    expect(beat.beats).toBe(count)
    expect(emulator.requests.filter((r) => r.path.endsWith('/refreshWebAuth')).length).toBe(before)
  })

  it('answers 421 to a service call without the session cookie, and NOT_SIGNED_IN before login', async () => {
    const res = await fetch(`${emulator.url}/ws/contacts/co/startup`)
    expect(res.status).toBe(421)
    const fresh = clientFor(emulator, { appleId: 'jane@example.com' })
    await expect(fresh.contacts.startup()).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED' })
    await fresh.close()
  })
})
