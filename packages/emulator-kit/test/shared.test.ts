import { createRequest, Transport } from '@sigwire/core'
import { afterEach, describe, expect, it } from 'vitest'
import { FaultController, sendJson, startEmulatorServer } from '../src/index.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('emulator server infrastructure', () => {
  it('serves over TLS with a generated certificate that a client can trust', async () => {
    const faults = new FaultController()
    const server = await startEmulatorServer(
      { tls: true },
      {
        faults,
        handle: (req, res) => sendJson(res, 200, { target: req.target, bytes: req.body.byteLength }),
        renderFault: () => {},
      },
    )
    cleanups.push(() => server.close())
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const transport = new Transport({ proxy: false, tls: { ca: server.certificate! } })
    cleanups.push(() => transport.close())
    const res = await transport.send(createRequest({ method: 'GET', url: `${server.url}/a?b=%20` }))
    expect(JSON.parse(Buffer.from(res.body).toString())).toEqual({ target: '/a?b=%20', bytes: 0 })
  })

  it('injects throttling, outages and dropped connections in order', async () => {
    const faults = new FaultController({ next: [{ kind: 'throttle', retryAfterSeconds: 0 }] })
    faults.inject('drop')
    faults.inject('unavailable', { retryAfterSeconds: 0 })
    const server = await startEmulatorServer(
      {},
      {
        faults,
        handle: (_req, res) => sendJson(res, 200, { ok: true }),
        renderFault: (kind, after, _req, res) =>
          sendJson(res, kind === 'throttle' ? 429 : 503, { kind }, { 'retry-after': String(after) }),
      },
    )
    cleanups.push(() => server.close())
    const transport = new Transport({ proxy: false, retry: { maxAttempts: 5, baseDelayMs: 1 } })
    cleanups.push(() => transport.close())
    const res = await transport.send(createRequest({ method: 'GET', url: server.url }))
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(4)
    expect(faults.pending).toBe(0)
  })
})
