import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DurableStore,
  EmulatorError,
  FaultController,
  type RequestLogEntry,
  type Route,
  type RunningEmulator,
  reply,
  startEmulator,
} from '../src/index.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Sends raw bytes and reads the answer (status and text), or the error when the connection closed. */
function send(
  url: string,
  init: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; text: string; headers: Record<string, unknown> } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}${init.path}`,
      { method: init.method ?? 'GET', headers: init.headers, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c
        })
        res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }))
        res.on('error', (e) => resolve({ error: e.message }))
      },
    )
    req.on('error', (e) => resolve({ error: e.message }))
    req.end(init.body)
  })
}

interface Auth {
  user: string
}

async function start(dir?: string): Promise<{ emulator: RunningEmulator; store: DurableStore }> {
  const store = await DurableStore.open({ dir, name: 'test', tables: ['items'] })
  const auth = {
    headers(request: { headers: Readonly<Record<string, unknown>> }): Auth {
      if (request.headers['x-key'] !== 'good')
        throw new EmulatorError('DENIED', 'no key', { status: 401, kind: 'auth', reason: 'NO_KEY' })
      return { user: 'u' }
    },
  }
  const routes: Route<Auth>[] = [
    {
      method: 'PUT',
      path: '/items/:name',
      auth,
      maxBodyBytes: 1024,
      handle(request) {
        request.tx.put('items', request.params.name!, {
          body: Buffer.from(request.body).toString(),
          by: request.auth.user,
        })
        return reply(201, { json: { ok: true } })
      },
    },
    {
      method: 'GET',
      path: '/items/:name',
      auth,
      maxBodyBytes: 0,
      handle(request) {
        const item = store.table('items').get(request.params.name!)
        if (!item) throw new EmulatorError('MISSING', 'no such item', { status: 404 })
        return reply(200, { json: item })
      },
    },
    {
      method: 'POST',
      path: '/upload/*rest',
      auth: 'none',
      maxBodyBytes: { stream: 10 },
      async handle(request) {
        let n = 0
        for await (const chunk of request.stream) n += chunk.byteLength
        return reply(200, { text: `${request.params.rest}:${n}`, type: 'text/plain' })
      },
    },
  ]
  const emulator = await startEmulator(
    {},
    {
      routes,
      store,
      faults: new FaultController(),
      renderError: (error) => reply(error.status, { json: { code: error.code, message: error.message } }),
      renderFault: (kind) => reply(kind === 'throttle' ? 429 : 503),
      diagnose: (request, error, bodyKnown) => ({
        ok: false,
        findings: [
          {
            code: 'seen',
            message: `${error.code} ${bodyKnown ? request.body.byteLength : 'unknown'}`,
            fix: '-',
            severity: 'error',
          },
        ],
      }),
    },
  )
  cleanups.push(() => emulator.close())
  return { emulator, store }
}

const lastLog = (emulator: RunningEmulator): RequestLogEntry => emulator.log.entries().at(-1)!

describe('startEmulator', () => {
  it('routes, decodes parameters, answers 404 and 405 in the service shape, and 400 for bad encoding', async () => {
    const { emulator } = await start()
    const put = await send(emulator.url, {
      method: 'PUT',
      path: '/items/a%20b',
      headers: { 'x-key': 'good' },
      body: Buffer.from('hi'),
    })
    expect(put).toMatchObject({ status: 201 })
    expect(await send(emulator.url, { path: '/items/a%20b', headers: { 'x-key': 'good' } })).toMatchObject({
      status: 200,
      text: JSON.stringify({ body: 'hi', by: 'u' }),
    })
    expect(await send(emulator.url, { path: '/nothing' })).toMatchObject({
      status: 404,
      text: expect.stringContaining('NOT_FOUND'),
    })
    const wrongMethod = await send(emulator.url, { method: 'DELETE', path: '/items/x' })
    expect(wrongMethod).toMatchObject({ status: 405, headers: { allow: 'PUT, GET' } })
    expect(await send(emulator.url, { path: '/items/%E0%A4%A', headers: { 'x-key': 'good' } })).toMatchObject(
      {
        status: 400,
        text: expect.stringContaining('MALFORMED_REQUEST'),
      },
    )
    expect(
      await send(emulator.url, { path: '/items/__proto__', headers: { 'x-key': 'good' } }),
    ).toMatchObject({ status: 404 })
  })

  it('refuses on the headers without reading a large body, and keeps a small one for the doctor', async () => {
    const { emulator } = await start()
    const big = await send(emulator.url, {
      method: 'PUT',
      path: '/items/x',
      body: Buffer.alloc(8 * 1024 * 1024),
    })
    if ('status' in big) expect(big.status).toBe(401)
    expect(lastLog(emulator)).toMatchObject({ verdict: 'refused', reason: 'NO_KEY', bodyBytes: 0 })
    expect(lastLog(emulator).findings?.[0]?.message).toBe('DENIED unknown')
    const small = await send(emulator.url, { method: 'PUT', path: '/items/x', body: Buffer.from('abc') })
    expect(small).toMatchObject({ status: 401 })
    expect(lastLog(emulator).findings?.[0]?.message).toBe('DENIED 3')
    const log = await send(emulator.url, { path: '/_emulator/requests' })
    const entries = JSON.parse((log as { text: string }).text).requests as RequestLogEntry[]
    expect(entries.at(-1)).toMatchObject({ verdict: 'refused', status: 401, code: 'DENIED' })
  })

  it('answers 413 past the route limit, buffered or streamed', async () => {
    const { emulator } = await start()
    const tooBig = await send(emulator.url, {
      method: 'PUT',
      path: '/items/x',
      headers: { 'x-key': 'good' },
      body: Buffer.alloc(2048),
    })
    expect(tooBig).toMatchObject({ status: 413 })
    expect(
      await send(emulator.url, { method: 'POST', path: '/upload/a/b', body: Buffer.alloc(10) }),
    ).toMatchObject({ text: 'a/b:10' })
    const streamed = await send(emulator.url, { method: 'POST', path: '/upload/a', body: Buffer.alloc(11) })
    expect(streamed).toMatchObject({ status: 413 })
  })

  it('commits a request’s writes before its answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-router-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const { emulator, store } = await start(dir)
    await send(emulator.url, {
      method: 'PUT',
      path: '/items/k',
      headers: { 'x-key': 'good' },
      body: Buffer.from('v'),
    })
    expect(store.stats.transactions).toBe(1)
  })
})

describe('file answers and mid-body drops', () => {
  it('answers a slice of a file, and cuts an answer after the bytes a drop fault names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-router-file-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'data')
    await writeFile(file, 'abcdefghij')
    const store = await DurableStore.open({ name: 'test', tables: [] })
    const faults = new FaultController()
    const emulator = await startEmulator(
      {},
      {
        routes: [
          {
            method: 'GET',
            path: '/file',
            auth: 'none',
            maxBodyBytes: 0,
            handle: () => reply(206, { file, start: 3, size: 4, type: 'application/octet-stream' }),
          },
          {
            method: 'GET',
            path: '/json',
            auth: 'none',
            maxBodyBytes: 0,
            handle: () => reply(200, { json: { long: 'x'.repeat(100) } }),
          },
        ],
        store,
        faults,
        renderError: (error) => reply(error.status, { json: { code: error.code } }),
        renderFault: () => reply(503),
      },
    )
    cleanups.push(() => emulator.close())
    expect(await send(emulator.url, { path: '/file' })).toMatchObject({ status: 206, text: 'defg' })
    faults.inject('drop', { afterBytes: 2, pathPrefix: '/file' })
    const cut = await received(`${emulator.url}/file`)
    expect(cut).toEqual({ status: 206, body: 'de', aborted: true })
    faults.inject('drop', { afterBytes: 5 })
    expect(await received(`${emulator.url}/json`)).toEqual({ status: 200, body: '{"lon', aborted: true })
    expect(emulator.log.entries().at(-1)).toMatchObject({ reason: 'FAULT_DROP' })
    expect(await send(emulator.url, { path: '/file' })).toMatchObject({ status: 206, text: 'defg' })
  })
})

/** The status and the body bytes that arrived before the connection ended, and whether it ended early. */
function received(url: string): Promise<{ status: number; body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode!, body, aborted: false }))
      res.on('error', () => resolve({ status: res.statusCode!, body, aborted: true }))
      res.on('aborted', () => resolve({ status: res.statusCode!, body, aborted: true }))
    })
    req.on('error', reject)
    req.end()
  })
}
