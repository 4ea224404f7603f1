import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableStore, type EmulatorApp, FaultController, reply, startEmulator } from '../src/index.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(extra: Partial<EmulatorApp>) {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-kit-hooks-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const store = await DurableStore.open({ dir, name: 'hooks', tables: ['t'] })
  const emulator = await startEmulator(
    {},
    {
      routes: [],
      store,
      faults: new FaultController(),
      renderError: (error) => reply(error.status, { json: { code: error.code } }),
      renderFault: () => reply(503),
      ...extra,
    },
  )
  cleanups.push(() => emulator.close())
  return emulator
}

/** Sends an upgrade request by hand and returns what came back before the socket closed. */
function upgrade(url: string, path: string): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1')
    let text = ''
    socket.on('data', (d) => {
      text += d.toString('latin1')
    })
    socket.on('close', () => resolve(text))
    socket.on('error', () => resolve(text))
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    )
    setTimeout(() => socket.destroy(), 1000)
  })
}

function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => {
        text += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
      .on('error', reject)
      .end()
  })
}

describe('service hooks', () => {
  it('closes an upgrade request when the service has no handler', async () => {
    const emulator = await start({})
    expect(await upgrade(emulator.url, '/ws')).toBe('')
  })

  it('hands upgrade requests to onUpgrade with the origin', async () => {
    const seen: string[] = []
    const emulator = await start({
      onUpgrade(req, socket, _head, origin) {
        seen.push(`${req.url} ${origin}`)
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
      },
    })
    expect(await upgrade(emulator.url, '/v2/00')).toMatch(/^HTTP\/1.1 400/)
    expect(seen).toEqual([`/v2/00 ${emulator.url}`])
  })

  it("answers the service's own admin endpoints and falls through to the kit's", async () => {
    const emulator = await start({
      admin: (request) =>
        request.url.pathname === '/_emulator/svc/thing' ? reply(200, { json: { thing: 1 } }) : undefined,
    })
    expect(await get(`${emulator.url}/_emulator/svc/thing`)).toEqual({ status: 200, text: '{"thing":1}' })
    expect((await get(`${emulator.url}/_emulator/requests`)).status).toBe(200)
    expect((await get(`${emulator.url}/_emulator/svc/other`)).status).toBe(404)
  })
})
