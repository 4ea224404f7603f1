import {
  type AppleNewsClient,
  type AppleNewsClientOptions,
  AppleNewsError,
  type AppleNewsFailure,
  createAppleNewsClient,
  isAppleNewsError,
} from '@sigwire/apple-news'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'

// The one error policy (docs/architecture.md): every failure, transport errors included, is an
// AppleNewsError whose code a caller can switch on.

let emulator: AppleNewsEmulator
const clients: AppleNewsClient[] = []

function clientOf(extra: Partial<AppleNewsClientOptions> = {}): AppleNewsClient {
  const client = createAppleNewsClient({
    ...emulator.dev!,
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { maxAttempts: 2, baseDelayMs: 1 } },
    ...extra,
  })
  clients.push(client)
  return client
}

async function failure(promise: Promise<unknown>): Promise<AppleNewsFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppleNewsError)
  return error as AppleNewsFailure
}

// Port 1 on loopback: privileged, so no test process can be listening there (a freed ephemeral port
// can be taken by a parallel test before the client connects).
const REFUSING_PORT = 1

const document = (title: string) => ({
  version: '1.7',
  identifier: title.replace(/\W+/g, '-'),
  language: 'en',
  title,
  layout: { columns: 7, width: 1024 },
  components: [{ role: 'title', text: title }],
})

beforeAll(async () => {
  emulator = await startAppleNewsEmulator()
})
afterEach(() => {
  emulator.faults.clear()
  emulator.faults.latencyMs = 0
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await emulator.close()
})

describe('Apple News errors: one class, one code per concept', () => {
  it('NETWORK_ERROR: a read whose connections keep dropping, and a refused connection', async () => {
    emulator.faults.inject('drop', { times: 2 })
    expect(await failure(clientOf().channels.read())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { attempt: 2 },
    })
    const refused = clientOf({ baseUrl: `http://127.0.0.1:${REFUSING_PORT}` })
    expect(await failure(refused.channels.read())).toMatchObject({
      code: 'NETWORK_ERROR',
      details: { errno: 'ECONNREFUSED' },
    })
  })

  it('THROTTLED: a wait longer than the client accepts', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 3600 })
    expect(await failure(clientOf().channels.read())).toMatchObject({
      code: 'THROTTLED',
      status: 429,
      retryAfterMs: 3_600_000,
    })
  })

  it('AUTHENTICATION_FAILED: a secret that is not the key’s', async () => {
    const wrong = clientOf({ secret: Buffer.alloc(32, 7).toString('base64') })
    const error = await failure(wrong.channels.read())
    expect(error).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      status: 401,
      serviceCode: 'WRONG_SIGNATURE',
    })
    expect(error.trace?.length).toBeGreaterThan(0)
  })

  it('OUTCOME_UNKNOWN: a create whose connection drops is not repeated, and says how to check', async () => {
    const client = clientOf()
    const title = `Outcome probe ${Date.now()}`
    emulator.faults.inject('drop')
    const error = await failure(client.articles.create({ article: document(title) }))
    expect(error.code).toBe('OUTCOME_UNKNOWN')
    expect(error.message).toMatch(/may have been applied/)
    expect(error.message).toMatch(/by title/)
    // The emulator dropped the one attempt before acting on it; a blind retry would have published it.
    const published: string[] = []
    for await (const article of client.articles.searchAll()) published.push(article.title ?? '')
    expect(published).not.toContain(title)
  })

  it('INVALID_ARGUMENT: bad IDs and a baseUrl that cannot carry requests, before anything is sent', () => {
    expect(() => clientOf({ channelId: 'not an id' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => clientOf({ baseUrl: 'http://news.example.com' })).toThrow(
      expect.objectContaining({
        name: 'AppleNewsError',
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/allowInsecureHttp/),
      }),
    )
    expect(() => clientOf({ baseUrl: 'https://news-api.apple.com/#x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })

  // Last: these leave slow requests behind in the emulator (their clients gave up), which must not
  // meet the faults the tests above inject.
  it('TIMEOUT: a call that outlives its time limit', async () => {
    emulator.faults.latencyMs = 1000
    const error = await failure(clientOf().channels.read(undefined, { timeoutMs: 100 }))
    expect(isAppleNewsError(error, 'TIMEOUT')).toBe(true)
    expect(error).toMatchObject({ name: 'AppleNewsError', details: { timeoutMs: 100 } })
  })

  it('ABORTED: the call signal, and the client signal for every call', async () => {
    emulator.faults.latencyMs = 1000
    const call = new AbortController()
    setTimeout(() => call.abort(), 50)
    expect((await failure(clientOf().sections.list(undefined, { signal: call.signal }))).code).toBe('ABORTED')
    const clientWide = new AbortController()
    const client = clientOf({ signal: clientWide.signal })
    setTimeout(() => clientWide.abort(), 50)
    expect((await failure(client.channels.read())).code).toBe('ABORTED')
    expect((await failure(client.channels.quota())).code).toBe('ABORTED')
  })
})
