import {
  createSafeCreativeClient,
  isSafeCreativeError,
  type SafeCreativeClient,
  type SafeCreativeClientOptions,
  SafeCreativeError,
  type SafeCreativeFailure,
} from '@sigwire/safe-creative'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'

// The one error policy (docs/architecture.md): every failure, transport errors included, is a
// SafeCreativeError whose code a caller can switch on.

let emulator: SafeCreativeEmulator
const clients: SafeCreativeClient[] = []

function clientOf(extra: Partial<SafeCreativeClientOptions> = {}): SafeCreativeClient {
  const client = createSafeCreativeClient({
    ...emulator.dev!,
    baseUrl: emulator.apiUrl,
    transport: { proxy: false, retry: { maxAttempts: 2, baseDelayMs: 1 } },
    ...extra,
  })
  clients.push(client)
  return client
}

async function failure(promise: Promise<unknown>): Promise<SafeCreativeFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SafeCreativeError)
  return error as SafeCreativeFailure
}

// Port 1 on loopback: privileged, so no test process can be listening there (a freed ephemeral port
// can be taken by a parallel test before the client connects).
const REFUSING_PORT = 1

beforeAll(async () => {
  emulator = await startSafeCreativeEmulator({ autoApprove: 'ADD' })
})
afterEach(() => {
  emulator.faults.clear()
  emulator.faults.latencyMs = 0
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await emulator.close()
})

describe('Safe Creative errors: one class, one code per concept', () => {
  it('NETWORK_ERROR: a read whose connections keep dropping, and a refused connection', async () => {
    emulator.faults.inject('drop', { times: 2 })
    expect(await failure(clientOf().version())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { attempt: 2 },
    })
    const refused = clientOf({ baseUrl: `http://127.0.0.1:${REFUSING_PORT}/v2/` })
    expect(await failure(refused.version())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { errno: 'ECONNREFUSED' },
    })
  })

  it('THROTTLED: a wait longer than the client accepts', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 3600 })
    expect(await failure(clientOf().version())).toMatchObject({
      code: 'THROTTLED',
      status: 429,
      retryAfterMs: 3_600_000,
    })
  })

  it('AUTHENTICATION_FAILED: a private key that is not the application’s', async () => {
    const error = await failure(clientOf({ privateKey: 'not-the-private-key' }).createAuthkey())
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', errorId: 'InvalidSignature' })
    expect(error.trace?.length).toBeGreaterThan(0)
  })

  it('OUTCOME_UNKNOWN: a registration whose connection drops is not repeated, and says how to check', async () => {
    const client = clientOf()
    const auth = await client.createAuthkey()
    const user = client.user(auth)
    const { nonceKey } = await user.state()
    emulator.faults.inject('drop')
    const error = await failure(
      client.call(
        'work.register',
        { text: 'probe', title: 'Outcome probe', noncekey: nonceKey },
        { auth, method: 'POST', root: 'workregistry' },
      ),
    )
    expect(error.code).toBe('OUTCOME_UNKNOWN')
    expect(error.message).toMatch(/may have been applied/)
    expect(error.message).toMatch(/work\.list/)
    // The emulator dropped the one attempt before acting on it; a blind retry would have registered it.
    const works = []
    for await (const work of user.listWorks()) works.push(work.title)
    expect(works).not.toContain('Outcome probe')
  })
})

describe('Safe Creative client options', () => {
  it('refuses a baseUrl with a query or credentials, and http to a remote host unless allowed', () => {
    const keys = { sharedKey: 'shared', privateKey: 'private' }
    const refusal = (options: Partial<SafeCreativeClientOptions>) => {
      try {
        createSafeCreativeClient({ ...keys, ...options }).close()
      } catch (error) {
        expect(error).toBeInstanceOf(SafeCreativeError)
        return (error as SafeCreativeError).code
      }
      return 'accepted'
    }
    expect(refusal({ baseUrl: 'https://api.safecreative.org/v2/?component=ztime' })).toBe('INVALID_ARGUMENT')
    expect(refusal({ baseUrl: 'https://user:secret@api.safecreative.org/v2/' })).toBe('INVALID_ARGUMENT')
    expect(refusal({ baseUrl: 'http://api.safecreative.org/v2/' })).toBe('INVALID_ARGUMENT')
    expect(refusal({ baseUrl: 'http://api.safecreative.org/v2/', allowInsecureHttp: true })).toBe('accepted')
    expect(refusal({ baseUrl: 'http://127.0.0.1:8080/v2' })).toBe('accepted')
  })

  // Last: these leave slow requests behind in the emulator (their clients gave up), which must not
  // meet the faults the tests above inject.
  it('TIMEOUT: a call that outlives its time limit', async () => {
    emulator.faults.latencyMs = 1000
    const error = await failure(clientOf().ztime({ timeoutMs: 100 }))
    expect(isSafeCreativeError(error, 'TIMEOUT')).toBe(true)
    expect(error).toMatchObject({ name: 'SafeCreativeError', details: { timeoutMs: 100 } })
  })

  it('ABORTED: the call signal, and the client signal for every call', async () => {
    emulator.faults.latencyMs = 1000
    const call = new AbortController()
    setTimeout(() => call.abort(), 50)
    expect((await failure(clientOf().version({ signal: call.signal }))).code).toBe('ABORTED')
    const clientWide = new AbortController()
    const client = clientOf({ signal: clientWide.signal })
    setTimeout(() => clientWide.abort(), 50)
    expect((await failure(client.ztime())).code).toBe('ABORTED')
    expect((await failure(client.workTypes())).code).toBe('ABORTED')
  })
})
