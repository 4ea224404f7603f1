import { generateKeyPairSync } from 'node:crypto'
import {
  type CloudKitClient,
  type CloudKitClientOptions,
  CloudKitError,
  type CloudKitFailure,
  createCloudKitClient,
  isCloudKitError,
} from '@sigwire/cloudkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

// The one error policy (docs/architecture.md): every failure, transport errors included, is a
// CloudKitError whose code a caller can switch on.

let emulator: CloudKitEmulator
const clients: CloudKitClient[] = []

function clientOf(extra: Partial<CloudKitClientOptions> = {}): CloudKitClient {
  const client = createCloudKitClient({
    container: emulator.dev!.container,
    environment: 'development',
    serverToServer: { keyId: emulator.dev!.keyId, privateKey: emulator.dev!.privateKeyPem },
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { maxAttempts: 2, baseDelayMs: 1 } },
    ...extra,
  })
  clients.push(client)
  return client
}

async function failure(promise: Promise<unknown>): Promise<CloudKitFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CloudKitError)
  return error as CloudKitFailure
}

// Port 1 on loopback: privileged, so no test process can be listening there (a freed ephemeral port
// can be taken by a parallel test before the client connects).
const REFUSING_PORT = 1

beforeAll(async () => {
  emulator = await startCloudKitEmulator()
})
afterEach(() => {
  emulator.faults.clear()
  emulator.faults.latencyMs = 0
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await emulator.close()
})

describe('CloudKit errors: one class, one code per concept', () => {
  it('NETWORK_ERROR: a read whose connections keep dropping, and a refused connection', async () => {
    emulator.faults.inject('drop', { times: 2 })
    const dropped = await failure(clientOf().publicDatabase.zones.list())
    expect(dropped).toMatchObject({ code: 'NETWORK_ERROR', details: { attempt: 2 } })
    const refused = await failure(
      clientOf({ baseUrl: `http://127.0.0.1:${REFUSING_PORT}` }).publicDatabase.records.query({
        recordType: 'Note',
      }),
    )
    expect(refused).toMatchObject({ code: 'NETWORK_ERROR', details: { errno: 'ECONNREFUSED' } })
  })

  it('THROTTLED: a wait longer than the client accepts', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 3600 })
    const error = await failure(clientOf().publicDatabase.zones.list())
    expect(error).toMatchObject({ code: 'THROTTLED', status: 429, retryAfterMs: 3_600_000 })
  })

  it('AUTHENTICATION_FAILED: a key the container does not know', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString()
    const stranger = clientOf({ serverToServer: { keyId: emulator.dev!.keyId, privateKey: pem } })
    const error = await failure(stranger.publicDatabase.records.query({ recordType: 'Note' }))
    expect(error).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      status: 401,
      serviceCode: 'AUTHENTICATION_FAILED',
    })
    expect(error.trace?.length).toBeGreaterThan(0)
  })

  it('OUTCOME_UNKNOWN: a write whose connection drops is not repeated, and says how to check', async () => {
    const client = clientOf()
    emulator.faults.inject('drop')
    const error = await failure(
      client.publicDatabase.records.modify([
        { operationType: 'create', record: { recordType: 'OutcomeProbe' } },
      ]),
    )
    expect(error.code).toBe('OUTCOME_UNKNOWN')
    expect(error.message).toMatch(/may have been applied/)
    expect(error.message).toMatch(/recordChangeTag/)
    // The emulator dropped the one attempt before acting on it; a blind retry would have created the record.
    expect((await client.publicDatabase.records.query({ recordType: 'OutcomeProbe' })).records).toEqual([])
  })

  it('lists every code at run time, core codes included', async () => {
    const { CLOUDKIT_ERROR_CODES } = await import('@sigwire/cloudkit')
    for (const code of [
      'TIMEOUT',
      'ABORTED',
      'NETWORK_ERROR',
      'OUTCOME_UNKNOWN',
      'THROTTLED',
      'INVALID_ARGUMENT',
    ])
      expect(CLOUDKIT_ERROR_CODES).toContain(code)
    expect(new Set(CLOUDKIT_ERROR_CODES).size).toBe(CLOUDKIT_ERROR_CODES.length)
  })

  // Last: these leave slow requests behind in the emulator (their clients gave up), which must not
  // meet the faults the tests above inject.
  it('TIMEOUT: a call that outlives its time limit', async () => {
    emulator.faults.latencyMs = 1000
    const error = await failure(
      clientOf().publicDatabase.records.query({ recordType: 'Note' }, { timeoutMs: 100 }),
    )
    expect(isCloudKitError(error, 'TIMEOUT')).toBe(true)
    expect(error).toMatchObject({ name: 'CloudKitError', code: 'TIMEOUT', details: { timeoutMs: 100 } })
    expect(error.cause).toMatchObject({ name: 'SigwireError', code: 'TIMEOUT' })
  })

  it('ABORTED: the call signal, and the client signal for every call', async () => {
    emulator.faults.latencyMs = 1000
    const call = new AbortController()
    setTimeout(() => call.abort(), 50)
    const error = await failure(clientOf().publicDatabase.zones.list({ signal: call.signal }))
    expect(isCloudKitError(error, 'ABORTED')).toBe(true)
    const clientWide = new AbortController()
    const client = clientOf({ signal: clientWide.signal })
    setTimeout(() => clientWide.abort(), 50)
    expect((await failure(client.publicDatabase.zones.list())).code).toBe('ABORTED')
    expect((await failure(client.users.caller())).code).toBe('ABORTED')
  })
})
