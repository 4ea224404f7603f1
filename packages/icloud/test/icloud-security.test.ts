import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { CHANNEL_NAMES } from '@sigwire/core'
import { createICloudClient, createMemorySessionStore, PUSH_TOPICS } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'

const PASSWORD = 'security-password-42'
let emulator: ICloudEmulator

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'sec@example.com', password: PASSWORD, twoFactor: true }],
    longPollHoldMs: 50,
    tamperWebservices: {
      contacts: 'https://evil.example.com/contacts',
      calendar: 'http://p61-calendarws.icloud.com',
      keyvalue: 'https://feedbackws.icloud.com/reportStats',
    },
  })
})

afterAll(async () => {
  await emulator.close()
  expect(emulator.tripwire).toEqual([])
})

describe('host allowlist', () => {
  it('refuses an emulator that was not allowed explicitly, before sending anything', () => {
    const endpoints = { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl }
    expect(() => createICloudClient({ appleId: 'sec@example.com', endpoints })).toThrow(
      expect.objectContaining({ code: 'HOST_NOT_ALLOWED' }),
    )
    expect(() =>
      createICloudClient({ appleId: 'sec@example.com', endpoints, allowHosts: ['127.0.0.1'] }),
    ).toThrow(expect.objectContaining({ code: 'INSECURE_URL' }))
  })

  it('refuses tampered webservices URLs with typed errors and never contacts them', async () => {
    const started: string[] = []
    const onStart = (message: unknown) => started.push((message as { url: string }).url)
    subscribe(CHANNEL_NAMES.start, onStart)
    const client = clientFor(emulator, {
      appleId: 'sec@example.com',
      password: PASSWORD,
      twoFactor: readCodeFrom(emulator),
    })
    try {
      await client.login()
      await expect(client.contacts.startup()).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' })
      await expect(client.calendar.events({ from: new Date(), to: new Date() })).rejects.toMatchObject({
        code: 'INSECURE_URL',
      })
      await expect(client.keyValue.sync()).rejects.toMatchObject({ code: 'TELEMETRY_BLOCKED' })
      // untouched services still work
      expect((await client.storage.usage()).totalBytes).toBeGreaterThan(0)
    } finally {
      unsubscribe(CHANNEL_NAMES.start, onStart)
      await client.close()
    }
    expect(started.some((u) => /evil\.example|feedbackws|p61-calendarws/.test(u))).toBe(false)
    expect(started.every((u) => u.startsWith(emulator.url))).toBe(true)
  })
})

describe('secrets', () => {
  it('never reach errors, traces, diagnostics events or debug lines', async () => {
    const events: unknown[] = []
    const collect = (message: unknown) => events.push(message)
    for (const name of Object.values(CHANNEL_NAMES)) subscribe(name, collect)
    const store = createMemorySessionStore()
    const errors: unknown[] = []
    const client = clientFor(emulator, {
      appleId: 'sec@example.com',
      password: PASSWORD,
      store,
      twoFactor: readCodeFrom(emulator),
    })
    try {
      await client.login()
      await client.storage.usage()
      const token = await client.push.getToken([PUSH_TOPICS.contacts])
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 120)
      for await (const _ of client.push.notifications(token, { signal: controller.signal })) {
        // no notifications are sent in this test
      }
      emulator.accounts.expireSessions('sec@example.com')
      await client.storage.usage() // 421, re-authentication with the session token, retry
      emulator.faults.inject('unavailable', {
        retryAfterSeconds: 1,
        pathPrefix: '/ws/account/setup/ws/1/storageUsageInfo',
      })
      errors.push(await client.storage.usage().catch((e: unknown) => e))
      errors.push(await client.contacts.startup().catch((e: unknown) => e))
    } finally {
      await client.close()
    }
    const wrong = clientFor(emulator, { appleId: 'sec@example.com', password: `${PASSWORD}-wrong` })
    errors.push(await wrong.login().catch((e: unknown) => e))
    await wrong.close()
    for (const name of Object.values(CHANNEL_NAMES)) unsubscribe(name, collect)

    const state = (await store.load())!
    const secrets = [
      PASSWORD,
      state.sessionToken!,
      state.trustToken!,
      state.scnt!,
      state.sessionId!,
      state.push!.token,
      ...(state.cookies?.cookies ?? []).map((c) => String(c.value)).filter((v) => v.length >= 8),
    ]
    expect(secrets.length).toBeGreaterThan(7)
    expect(errors.map((e) => (e as { code: string }).code)).toEqual([
      'THROTTLED',
      'HOST_NOT_ALLOWED',
      'AUTHENTICATION_FAILED',
    ])
    const published = JSON.stringify(events)
    const thrown = JSON.stringify(
      errors.map((e) => ({
        json: (e as { toJSON(): unknown }).toJSON(),
        message: (e as Error).message,
        stack: (e as Error).stack,
      })),
    )
    expect(published).toContain('/webcourier/aps')
    for (const secret of secrets) {
      expect(published).not.toContain(secret)
      expect(thrown).not.toContain(secret)
    }
    expect(JSON.stringify(state)).not.toContain(PASSWORD)
  })
})
