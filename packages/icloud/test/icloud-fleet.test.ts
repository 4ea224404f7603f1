import { createMemorySharedState } from '@sigwire/core'
import { createSharedSessionStore } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'

const APPLE_ID = 'fleet@example.com'
const PASSWORD = 'correct horse battery staple'

async function admin(emulator: ICloudEmulator, method: string, name: string, body?: unknown) {
  const response = await fetch(`${emulator.url}/_emulator/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return (await response.json()) as Record<string, unknown>
}

describe('iCloud clients sharing one session store (a fleet in one process)', () => {
  let emulator: ICloudEmulator
  beforeAll(async () => {
    emulator = await startICloudEmulator({ accounts: [{ appleId: APPLE_ID, password: PASSWORD }] })
  })
  afterAll(() => emulator.close())

  it('counts sign-ins in /_emulator/stats, and after expire-sessions the clients renew once between them', async () => {
    const shared = createMemorySharedState()
    const store = () => createSharedSessionStore(shared, APPLE_ID)
    const first = clientFor(emulator, {
      appleId: APPLE_ID,
      password: PASSWORD,
      store: store(),
      twoFactor: readCodeFrom(emulator),
    })
    await first.login()
    let stats = await admin(emulator, 'GET', 'stats')
    expect(stats).toMatchObject({ signIns: 1, accountLogins: 1 })
    expect(stats.requests).toMatchObject({ 'POST /appleauth/auth/*rest': { '200': 1, '409': 1 } })

    // Four more clients resume the saved session without signing in.
    const clients = [first]
    for (let i = 0; i < 4; i++) {
      const client = clientFor(emulator, { appleId: APPLE_ID, password: PASSWORD, store: store() })
      expect((await client.login()).method).toBe('validate')
      clients.push(client)
    }
    await admin(emulator, 'DELETE', 'stats')
    expect(await admin(emulator, 'POST', 'expire-sessions', { sessionTokens: true })).toEqual({
      expired: [APPLE_ID],
    })
    const results = await Promise.all(
      clients.flatMap((client) => [client.storage.usage(), client.storage.usage(), client.storage.usage()]),
    )
    expect(results).toHaveLength(15)
    stats = await admin(emulator, 'GET', 'stats')
    // One full sign-in (the session tokens expired too), trusted: no code asked.
    expect(stats).toMatchObject({ signIns: 1, accountLogins: 1 })
    const saved = await store().load()
    expect(saved?.authenticatedAt).toBeTruthy()
    await Promise.all(clients.map((c) => c.close()))
  })
})
