import { type ICloudClient, PUSH_TOPICS } from '@sigwire/icloud'
import { afterEach, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'push backoff password'
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(longPollHoldMs: number): Promise<{ emulator: ICloudEmulator; client: ICloudClient }> {
  const emulator = await startICloudEmulator({
    accounts: [{ appleId: 'poll@example.com', password: PASSWORD, twoFactor: false }],
    longPollHoldMs,
  })
  const client = clientFor(emulator, { appleId: 'poll@example.com', password: PASSWORD })
  cleanups.push(
    () => emulator.close(),
    () => client.close(),
  )
  await client.login()
  return { emulator, client }
}

/** Runs the long poll for `ms`, then aborts; returns the notifications and the number of polls sent. */
async function pollFor(emulator: ICloudEmulator, client: ICloudClient, ms: number) {
  const token = await client.push.getToken([PUSH_TOPICS.contacts])
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), ms)
  const topics: string[] = []
  try {
    for await (const n of client.push.notifications(token, { signal: controller.signal }))
      topics.push(n.topic)
  } finally {
    clearTimeout(timer)
  }
  return { topics, polls: emulator.requests.filter((r) => r.path === '/webcourier/aps').length }
}

it('backs off (jittered, capped) when the webcourier answers at once with nothing', async () => {
  const { emulator, client } = await start(0)
  const { polls } = await pollFor(emulator, client, 1500)
  // Without a backoff this loop sent thousands of polls a second (4,388 measured, issue 14).
  expect(polls).toBeGreaterThanOrEqual(2)
  expect(polls).toBeLessThanOrEqual(6)
})

it('polls again at once after notifications, and still delivers every notification', async () => {
  const { emulator, client } = await start(0)
  for (let i = 0; i < 3; i++) emulator.accounts.notify('poll@example.com', PUSH_TOPICS.contacts, { badge: i })
  setTimeout(() => emulator.accounts.notify('poll@example.com', PUSH_TOPICS.calendar, { badge: 9 }), 200)
  const { topics, polls } = await pollFor(emulator, client, 1500)
  expect(topics).toEqual([
    PUSH_TOPICS.contacts,
    PUSH_TOPICS.contacts,
    PUSH_TOPICS.contacts,
    PUSH_TOPICS.calendar,
  ])
  expect(polls).toBeLessThanOrEqual(8)
})
