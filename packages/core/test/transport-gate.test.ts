import { afterEach, describe, expect, it } from 'vitest'
import { createMemorySharedState, createRequest, type RequestGate, Transport } from '../src/index.js'
import { startLoopback } from './loopback.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

function transport(gate: RequestGate): Transport {
  const t = new Transport({ proxy: false, gate, retry: { baseDelayMs: 5, maxDelayMs: 20 } })
  cleanups.push(() => t.close())
  return t
}

describe('Transport gate', () => {
  it('a throttle answered to one client pauses every client of the gate, then one probe goes first', async () => {
    const arrivals: Array<{ at: number; status: number }> = []
    let throttledAt = 0
    const server = await startLoopback((_req, res, index) => {
      const status = index === 0 ? 429 : 200
      if (status === 429) throttledAt = Date.now()
      arrivals.push({ at: Date.now(), status })
      res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {})
      res.end()
    })
    cleanups.push(server.close)
    const shared = createMemorySharedState()
    const a = transport(shared.gate('apple-news:key'))
    const b = transport(shared.gate('apple-news:key'))
    const first = await a.send(createRequest({ method: 'GET', url: `${server.url}/one` }))
    expect(first.status).toBe(200)
    expect(first.attempts).toBe(2)
    const others = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        (i % 2 ? a : b).send(createRequest({ method: 'GET', url: `${server.url}/${i}` })),
      ),
    )
    expect(others.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(arrivals.filter((r) => r.status === 429)).toHaveLength(1)
    // Nothing reached the server while the pause was in force.
    for (const arrival of arrivals.slice(1)) expect(arrival.at - throttledAt).toBeGreaterThanOrEqual(990)
  })

  it('limits the rate of every client of the gate together', async () => {
    const server = await startLoopback((_req, res) => res.end())
    cleanups.push(server.close)
    const shared = createMemorySharedState()
    const gate = () => shared.gate('k', { ratePerSecond: 20, burst: 1 })
    const clients = [transport(gate()), transport(gate())]
    const started = Date.now()
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        clients[i % 2]!.send(createRequest({ method: 'GET', url: `${server.url}/${i}` })),
      ),
    )
    // Six requests at 20 per second with a burst of one take at least five intervals of 50 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(240)
  })
})
