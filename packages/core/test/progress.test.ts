import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import {
  bytesBody,
  createRequest,
  emptyBody,
  fileBody,
  isSigwireError,
  jsonBody,
  type RequestSigner,
  Transport,
  textToken,
  toBase64,
  traceTokens,
} from '../src/index.js'
import { startLoopback } from './loopback.js'

const MiB = 1024 * 1024
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

function transport(): Transport {
  const t = new Transport({ proxy: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } })
  cleanups.push(() => t.close())
  return t
}

async function loopback(...args: Parameters<typeof startLoopback>) {
  const server = await startLoopback(...args)
  cleanups.push(server.close)
  return server
}

async function tempFile(bytes: Uint8Array | number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-progress-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'body.bin')
  if (typeof bytes === 'number') {
    await writeFile(path, '')
    await truncate(path, bytes) // sparse: instant, reads back as zeros
  } else await writeFile(path, bytes)
  return path
}

type Call = [transferred: number, total: number | undefined]

function recorder(): { calls: Call[]; listener: (transferred: number, total: number | undefined) => void } {
  const calls: Call[] = []
  return { calls, listener: (transferred, total) => calls.push([transferred, total]) }
}

/** Asserts one attempt's calls: (0, total) first, then strictly increasing, ending at total. */
function expectOneRun(calls: readonly Call[], total: number): void {
  expect(calls[0]).toEqual([0, total])
  for (const [, t] of calls) expect(t).toBe(total)
  for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0])
  expect(calls.at(-1)).toEqual([total, total])
}

/** Splits the calls of several attempts at each restart from zero. */
function runs(calls: readonly Call[]): Call[][] {
  const out: Call[][] = []
  for (const call of calls) {
    if (call[0] === 0) out.push([])
    out.at(-1)!.push(call)
  }
  return out
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  )
}

describe('upload progress', () => {
  it('counts a file body as it is sent, not while it is hashed for the signature', async () => {
    const bytes = randomBytes(4 * MiB + 123)
    const path = await tempFile(bytes)
    const server = await loopback((_req, res) => res.writeHead(200).end('ok'))
    const { calls, listener } = recorder()
    let callsWhenSigned = -1
    const signer: RequestSigner = {
      tokens: (request) => [textToken('hash', toBase64(request.body.sha256Sync() ?? new Uint8Array()))],
      async sign(request) {
        const hash = toBase64(await request.body.sha256())
        callsWhenSigned = calls.length
        return { headers: { 'x-hash': hash }, trace: traceTokens([textToken('hash', hash)]) }
      },
    }
    const body = await fileBody(path)
    const response = await transport().send(createRequest({ method: 'PUT', url: server.url, body }), {
      signer,
      onUploadProgress: listener,
    })
    expect(response.status).toBe(200)
    expect(callsWhenSigned).toBe(0)
    expectOneRun(calls, bytes.byteLength)
    expect(calls.length).toBeGreaterThan(16)
    expect(server.received[0]!.body.equals(bytes)).toBe(true)
  })

  it('does not run ahead of the socket: a server that stops reading stops the count', async () => {
    const total = 64 * MiB // far more than loopback socket buffers hold
    const path = await tempFile(total)
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let received = 0
    const server = createServer(async (req: IncomingMessage, res) => {
      req.pause()
      await released
      for await (const chunk of req) received += (chunk as Buffer).byteLength
      res.writeHead(200).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    )
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { calls, listener } = recorder()
    const sending = transport().send(
      createRequest({ method: 'PUT', url, body: await fileBody(path, { chunkSize: 1024 * 1024 }) }),
      { onUploadProgress: listener, timeoutMs: 60_000 },
    )
    // Wait until the count stops moving (the socket buffers are full).
    let last = -1
    for (let i = 0; i < 100 && calls.at(-1)?.[0] !== last; i++) {
      last = calls.at(-1)?.[0] ?? -1
      await sleep(100)
    }
    const stalledAt = calls.at(-1)![0]
    expect(stalledAt).toBeLessThan(total)
    expect(received).toBe(0)
    release()
    expect((await sending).status).toBe(200)
    expect(received).toBe(total)
    expectOneRun(calls, total)
  })

  it('restarts from zero when a retry sends the body again', async () => {
    const path = await tempFile(randomBytes(MiB))
    const server = await loopback((_req, res, i) => res.writeHead(i === 0 ? 503 : 200).end())
    const { calls, listener } = recorder()
    const response = await transport().send(
      createRequest({ method: 'PUT', url: server.url, body: await fileBody(path) }),
      { onUploadProgress: listener },
    )
    expect(response.attempts).toBe(2)
    const attempts = runs(calls)
    expect(attempts).toHaveLength(2)
    for (const attempt of attempts) expectOneRun(attempt, MiB)
  })

  it('reports in-memory bodies in slices, and an empty body once as (0, 0)', async () => {
    const server = await loopback((_req, res) => res.writeHead(200).end())
    const t = transport()
    const big = recorder()
    const bytes = randomBytes(MiB + 1)
    await t.send(createRequest({ method: 'POST', url: server.url, body: bytesBody(bytes) }), {
      onUploadProgress: big.listener,
    })
    expectOneRun(big.calls, bytes.byteLength)
    expect(big.calls).toHaveLength(1 + 17) // (0, total), then 64 KiB slices
    expect(server.received[0]!.body.equals(bytes)).toBe(true)

    const small = recorder()
    await t.send(createRequest({ method: 'POST', url: server.url, body: jsonBody({ a: 1 }) }), {
      onUploadProgress: small.listener,
    })
    expect(small.calls).toEqual([
      [0, 7],
      [7, 7],
    ])

    const empty = recorder()
    await t.send(createRequest({ method: 'POST', url: server.url, body: emptyBody }), {
      onUploadProgress: empty.listener,
    })
    expect(empty.calls).toEqual([[0, 0]])
    expect(server.received.map((r) => r.body.byteLength)).toEqual([MiB + 1, 7, 0])
  })

  it('aborts the request when the listener throws, never retries it, and leaves the transport usable', async () => {
    const bytes = randomBytes(4 * MiB)
    const path = await tempFile(bytes)
    let requests = 0
    const server = await loopback((_req, res) => res.writeHead(200).end())
    server.server.on('request', () => requests++)
    const t = transport()
    const boom = new Error('the progress bar broke')
    for (const throwAt of [0, MiB]) {
      const error = await rejection(
        t.send(createRequest({ method: 'PUT', url: server.url, body: await fileBody(path) }), {
          onUploadProgress: (transferred) => {
            if (transferred >= throwAt) throw boom
          },
        }),
      )
      expect(isSigwireError(error, 'PROGRESS_LISTENER_FAILED')).toBe(true)
      expect((error as Error).cause).toBe(boom)
      expect((error as Error).message).not.toContain(boom.message)
    }
    // Thrown at (0, total), nothing was sent; thrown mid-way, one request started and was cut off.
    expect(requests).toBeLessThanOrEqual(1)
    expect(server.received).toHaveLength(0)
    const { calls, listener } = recorder()
    const response = await t.send(
      createRequest({ method: 'PUT', url: server.url, body: await fileBody(path) }),
      { onUploadProgress: listener },
    )
    expect(response.status).toBe(200)
    expectOneRun(calls, bytes.byteLength)
    expect(server.received[0]!.body.equals(bytes)).toBe(true)
  })
})

describe('download progress', () => {
  async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  it('counts a streamed body as it is read, to its Content-Length', async () => {
    const bytes = randomBytes(3 * MiB + 5)
    const server = await loopback((_req, res) =>
      res.writeHead(200, { 'content-length': String(bytes.byteLength) }).end(bytes),
    )
    const { calls, listener } = recorder()
    const response = await transport().sendStream(createRequest({ method: 'GET', url: server.url }), {
      onDownloadProgress: listener,
    })
    expect(calls).toEqual([[0, bytes.byteLength]])
    expect((await readAll(response.body)).equals(bytes)).toBe(true)
    expectOneRun(calls, bytes.byteLength)
  })

  it('reports an unknown total as undefined, and the final count as both at the end', async () => {
    const server = await loopback(async (_req, res) => {
      res.writeHead(200) // chunked: no Content-Length
      for (let i = 0; i < 4; i++) {
        res.write(Buffer.alloc(100_000, i))
        await sleep(5)
      }
      res.end()
    })
    const { calls, listener } = recorder()
    const response = await transport().sendStream(createRequest({ method: 'GET', url: server.url }), {
      onDownloadProgress: listener,
    })
    expect((await readAll(response.body)).byteLength).toBe(400_000)
    expect(calls[0]).toEqual([0, undefined])
    expect(calls.slice(1, -1).every(([, total]) => total === undefined)).toBe(true)
    expect(calls.at(-1)).toEqual([400_000, 400_000])
  })

  it('fails the stream with PROGRESS_LISTENER_FAILED when the listener throws', async () => {
    const bytes = randomBytes(2 * MiB)
    const server = await loopback((_req, res) =>
      res.writeHead(200, { 'content-length': String(bytes.byteLength) }).end(bytes),
    )
    const boom = new Error('bar')
    const t = transport()
    const response = await t.sendStream(createRequest({ method: 'GET', url: server.url }), {
      onDownloadProgress: (transferred) => {
        if (transferred > 0) throw boom
      },
    })
    const error = await rejection(readAll(response.body))
    expect(isSigwireError(error, 'PROGRESS_LISTENER_FAILED')).toBe(true)
    expect((error as Error).cause).toBe(boom)
    const failedAtStart = await rejection(
      t.sendStream(createRequest({ method: 'GET', url: server.url }), {
        onDownloadProgress: () => {
          throw boom
        },
      }),
    )
    expect(isSigwireError(failedAtStart, 'PROGRESS_LISTENER_FAILED')).toBe(true)
    const again = await t.sendStream(createRequest({ method: 'GET', url: server.url }))
    expect((await readAll(again.body)).equals(bytes)).toBe(true)
  })
})
