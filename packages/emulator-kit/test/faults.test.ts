import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DurableStore,
  FaultController,
  type RunningServer,
  reply,
  sendJson,
  startEmulator,
  startEmulatorServer,
} from '../src/index.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

type Answer = { status: number; text: string } | { error: string }

function send(url: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { method, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve({ status: res.statusCode!, text }))
      res.on('error', (e) => resolve({ error: e.message }))
    })
    req.on('error', (e) => resolve({ error: e.message }))
    req.end(body)
  })
}

async function start(faults: FaultController) {
  const store = await DurableStore.open({ name: 'faults', tables: ['items'] })
  const items = store.table<string>('items')
  const emulator = await startEmulator(
    {},
    {
      store,
      faults,
      routes: [
        {
          method: 'PUT',
          path: '/items/:name',
          auth: 'none',
          maxBodyBytes: 1024,
          handle(request) {
            request.tx.put('items', request.params.name!, Buffer.from(request.body).toString())
            return reply(201, { json: { ok: true } })
          },
        },
      ],
      renderError: (error) => reply(error.status, { json: { code: error.code } }),
      renderFault: (kind, after) =>
        reply(kind === 'throttle' ? 429 : 503, undefined, { 'retry-after': `${after}` }),
    },
  )
  cleanups.push(() => emulator.close())
  return { emulator, items }
}

describe('injected faults', () => {
  it('drop closes the connection before the request is applied; drop-after applies it, then closes', async () => {
    const faults = new FaultController()
    const { emulator, items } = await start(faults)
    faults.inject('drop')
    expect(await send(emulator.url, 'PUT', '/items/a', 'one')).toHaveProperty('error')
    expect(items.get('a')).toBeUndefined()
    faults.inject('drop-after')
    expect(await send(emulator.url, 'PUT', '/items/b', 'two')).toHaveProperty('error')
    expect(items.get('b')).toBe('two')
    const entry = emulator.log.entries().at(-1)!
    expect(entry).toMatchObject({ status: 201, verdict: 'accepted', reason: 'FAULT_DROP_AFTER' })
    expect(await send(emulator.url, 'PUT', '/items/c', 'three')).toMatchObject({ status: 201 })
    expect(faults.injected).toMatchObject({ drop: 1, 'drop-after': 1, throttle: 0 })
  })

  it('latency delays one answer; throttle and unavailable answer without applying', async () => {
    const faults = new FaultController({
      next: [
        { kind: 'latency', latencyMs: 150 },
        { kind: 'throttle', retryAfterSeconds: 3 },
        { kind: 'unavailable' },
      ],
    })
    const { emulator, items } = await start(faults)
    const started = performance.now()
    expect(await send(emulator.url, 'PUT', '/items/slow', 's')).toMatchObject({ status: 201 })
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    expect(await send(emulator.url, 'PUT', '/items/x', 'x')).toMatchObject({ status: 429 })
    expect(await send(emulator.url, 'PUT', '/items/x', 'x')).toMatchObject({ status: 503 })
    expect(items.get('x')).toBeUndefined()
    expect(items.get('slow')).toBe('s')
  })

  it('random faults hit about the asked share of requests, repeatably for a seed, only under pathPrefix', () => {
    const draw = (seed: number) => {
      const faults = new FaultController({
        random: { rate: 0.1, seed, kinds: ['throttle', 'drop-after'], pathPrefix: '/w' },
      })
      const kinds = Array.from({ length: 2000 }, () => faults.take('/w/1')?.kind ?? '-')
      expect(faults.take('/other')).toBeUndefined()
      return { kinds, injected: faults.injected }
    }
    const a = draw(7)
    expect(draw(7).kinds).toEqual(a.kinds)
    expect(draw(8).kinds).not.toEqual(a.kinds)
    const hits = a.kinds.filter((k) => k !== '-').length
    expect(hits).toBeGreaterThan(140)
    expect(hits).toBeLessThan(260)
    expect(new Set(a.kinds)).toEqual(new Set(['-', 'throttle', 'drop-after']))
    expect(a.injected.throttle + a.injected['drop-after']).toBe(hits)
    expect(() => new FaultController({ random: { rate: 2 } })).toThrow(RangeError)
  })

  it('queued faults come before random ones, and clear() stops both', () => {
    const faults = new FaultController({ random: { rate: 1, kinds: ['latency'] } })
    faults.inject('drop')
    expect(faults.take('/a')?.kind).toBe('drop')
    expect(faults.take('/a')?.kind).toBe('latency')
    faults.clear()
    expect(faults.take('/a')).toBeUndefined()
  })

  it('the bare server runs the handler of a drop-after request and throws its answer away', async () => {
    const faults = new FaultController()
    const seen: string[] = []
    const server: RunningServer = await startEmulatorServer(
      {},
      {
        faults,
        handle(request, response) {
          seen.push(request.target)
          sendJson(response, 200, { ok: true })
        },
        renderFault: () => {},
      },
    )
    cleanups.push(() => server.close())
    faults.inject('drop-after')
    expect(await send(server.url, 'GET', '/one')).toHaveProperty('error')
    expect(await send(server.url, 'GET', '/two')).toMatchObject({ status: 200 })
    expect(seen).toEqual(['/one', '/two'])
  })
})
