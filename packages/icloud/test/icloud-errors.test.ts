import {
  type ICloudClient,
  type ICloudClientOptions,
  ICloudError,
  type ICloudFailure,
  isICloudError,
} from '@sigwire/icloud'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

// The one error policy (docs/architecture.md): every failure, transport errors included, is an
// ICloudError whose code a caller can switch on.

const APPLE_ID = 'errors@example.com'
const PASSWORD = 'errors password 1'
let emulator: ICloudEmulator
const clients: ICloudClient[] = []

async function signedIn(extra: Partial<ICloudClientOptions> = {}): Promise<ICloudClient> {
  const client = clientFor(emulator, {
    appleId: APPLE_ID,
    password: PASSWORD,
    transport: { proxy: false, retry: { maxAttempts: 2, baseDelayMs: 1 } },
    ...extra,
  })
  clients.push(client)
  await client.login()
  return client
}

async function failure(promise: Promise<unknown>): Promise<ICloudFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ICloudError)
  return error as ICloudFailure
}

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: false }],
  })
})
afterEach(() => {
  emulator.faults.clear()
  emulator.faults.latencyMs = 0
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await emulator.close()
})

describe('iCloud errors: one class, one code per concept', () => {
  it('NETWORK_ERROR: a read whose connections keep dropping, and a refused connection', async () => {
    const client = await signedIn()
    emulator.faults.inject('drop', { times: 2 })
    expect(await failure(client.contacts.startup())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { attempt: 2 },
    })
    // Port 1 on loopback: privileged, so no test process can be listening there.
    const port = 1
    const nowhere = clientFor(emulator, {
      appleId: APPLE_ID,
      password: PASSWORD,
      endpoints: {
        authUrl: `http://127.0.0.1:${port}/appleauth/auth`,
        setupUrl: `http://127.0.0.1:${port}/setup/ws/1`,
      },
    })
    clients.push(nowhere)
    expect(await failure(nowhere.login())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { errno: 'ECONNREFUSED' },
    })
  })

  it('THROTTLED: Apple’s 503 page outlasting the retries', async () => {
    const client = await signedIn()
    emulator.faults.inject('throttle', { retryAfterSeconds: 3600 })
    expect(await failure(client.contacts.startup())).toMatchObject({
      code: 'THROTTLED',
      status: 503,
      retryAfterMs: 3_600_000,
    })
  })

  it('AUTHENTICATION_FAILED: a wrong password', async () => {
    const client = clientFor(emulator, { appleId: APPLE_ID, password: 'not the password' })
    clients.push(client)
    const error = await failure(client.login())
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401 })
    expect(JSON.stringify(error.toJSON()) + error.message).not.toContain('not the password')
  })

  it('AUTHENTICATION_REQUIRED: a service before login', async () => {
    const client = clientFor(emulator, { appleId: APPLE_ID })
    clients.push(client)
    expect((await failure(client.contacts.startup())).code).toBe('AUTHENTICATION_REQUIRED')
  })

  it('OUTCOME_UNKNOWN: a change whose connection drops is not repeated, and says how to check', async () => {
    const client = await signedIn()
    emulator.faults.inject('drop')
    const error = await failure(client.keyValue.sync())
    expect(error.code).toBe('OUTCOME_UNKNOWN')
    expect(error.message).toMatch(/may have been applied/)
    expect(error.message).toMatch(/Read the data again/)
    expect(emulator.faults.pending).toBe(0)
  })

  it('renews an expired session once for concurrent calls (one accountLogin), then retries each', async () => {
    const client = await signedIn()
    emulator.accounts.expireSessions(APPLE_ID)
    const logins = () => emulator.requests.filter((r) => r.path.endsWith('/accountLogin')).length
    const before = logins()
    const [startup, card, usage] = await Promise.all([
      client.contacts.startup(),
      client.contacts.meCard(),
      client.storage.usage(),
    ])
    expect(startup.contacts.length).toBeGreaterThanOrEqual(0)
    expect(card.meCardId).toBeDefined()
    expect(usage.totalBytes).toBeGreaterThan(0)
    expect(logins() - before).toBe(1)
  })

  // Last: these leave slow requests behind in the emulator (their clients gave up), which must not
  // meet the faults the tests above inject.
  it('TIMEOUT: a call that outlives its time limit', async () => {
    const client = await signedIn()
    emulator.faults.latencyMs = 1000
    const error = await failure(client.contacts.startup({ timeoutMs: 100 }))
    expect(isICloudError(error, 'TIMEOUT')).toBe(true)
    expect(error).toMatchObject({ name: 'ICloudError', details: { timeoutMs: 100 } })
  })

  it('ABORTED: the call signal, and the client signal for every call', async () => {
    const clientWide = new AbortController()
    const client = await signedIn({ signal: clientWide.signal })
    emulator.faults.latencyMs = 1000
    const call = new AbortController()
    setTimeout(() => call.abort(), 50)
    expect((await failure(client.contacts.meCard({ signal: call.signal }))).code).toBe('ABORTED')
    setTimeout(() => clientWide.abort(), 50)
    expect((await failure(client.contacts.startup())).code).toBe('ABORTED')
    expect((await failure(client.storage.usage())).code).toBe('ABORTED')
  })
})
