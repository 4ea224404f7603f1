import { createHash, randomBytes } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { getEventListeners } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { type AddressInfo, connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  bytesBody,
  type Clock,
  concatBodies,
  createRequest,
  fileBody,
  formatIsoSeconds,
  jsonBody,
  Redactor,
  type RequestSigner,
  sha256,
  Transport,
  textBody,
  textToken,
  toBase64,
  traceTokens,
  utf8Decode,
} from '../src/index.js'
import { debugLines, startLoopback } from './loopback.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

function transport(options: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  const t = new Transport({ proxy: false, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options })
  cleanups.push(() => t.close())
  return t
}

async function loopback(...args: Parameters<typeof startLoopback>) {
  const server = await startLoopback(...args)
  cleanups.push(server.close)
  return server
}

/** A signer that signs date + body hash, like a minimal CloudKit, and counts its calls. */
function countingSigner(): RequestSigner & { calls: Array<{ date: string; bodyHash: string }> } {
  const calls: Array<{ date: string; bodyHash: string }> = []
  return {
    calls,
    tokens: (request, date) => [
      textToken('date', formatIsoSeconds(date)),
      textToken('body-hash', toBase64(request.body.sha256Sync() ?? new Uint8Array())),
    ],
    async sign(request, clock: Clock) {
      const date = formatIsoSeconds(clock.now())
      const bodyHash = toBase64(await request.body.sha256())
      calls.push({ date, bodyHash })
      return {
        headers: { 'x-date': date, 'x-body-hash': bodyHash, 'x-attempt': String(calls.length) },
        trace: traceTokens([textToken('date', date), textToken('body-hash', bodyHash)]),
      }
    },
  }
}

function retryEvents(): { events: Array<Record<string, unknown>>; stop: () => void } {
  const events: Array<Record<string, unknown>> = []
  const listener = (message: unknown) => events.push(message as Record<string, unknown>)
  subscribe('sigwire:request:retry', listener)
  return { events, stop: () => unsubscribe('sigwire:request:retry', listener) }
}

describe('retries', () => {
  it('retries a GET after 503 honouring Retry-After, re-signing each attempt', async () => {
    const server = await loopback((_req, res, i) => {
      if (i === 0) res.writeHead(503, { 'retry-after': '1' }).end('busy')
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
    const signer = countingSigner()
    const { events, stop } = retryEvents()
    const started = Date.now()
    const res = await transport().send(createRequest({ method: 'GET', url: `${server.url}/x` }), { signer })
    stop()
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(events[0]).toMatchObject({ attempt: 1, delayMs: 1000, reason: 'HTTP 503' })
    expect(server.received.map((r) => r.headers['x-attempt'])).toEqual(['1', '2'])
    expect(signer.calls).toHaveLength(2)
  })

  it('retries a POST after 429 (never processed) with identical body bytes and a fresh signature', async () => {
    const server = await loopback((_req, res, i) => {
      if (i < 2) res.writeHead(429, { 'retry-after': new Date(Date.now() - 1000).toUTCString() }).end()
      else res.writeHead(201).end()
    })
    const signer = countingSigner()
    const body = jsonBody({ records: [{ recordName: 'é😀', n: 1 }] })
    const res = await transport().send(
      createRequest({ method: 'POST', url: `${server.url}/records/modify`, body }),
      { signer },
    )
    expect(res.status).toBe(201)
    expect(server.received).toHaveLength(3)
    const bodies = server.received.map((r) => r.body.toString('hex'))
    expect(new Set(bodies).size).toBe(1)
    expect(server.received[0]!.body.toString()).toBe('{"records":[{"recordName":"é😀","n":1}]}')
    for (const r of server.received) expect(r.headers['x-body-hash']).toBe(toBase64(sha256(r.body)))
    expect(server.received.map((r) => r.headers['x-attempt'])).toEqual(['1', '2', '3'])
  })

  it('does not retry a POST after 503, but does when the operation is marked safe', async () => {
    const server = await loopback((_req, res) => res.writeHead(503).end())
    const t = transport({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })
    const post = createRequest({ method: 'POST', url: server.url, body: textBody('x') })
    expect((await t.send(post)).attempts).toBe(1)
    expect(server.received).toHaveLength(1)
    expect((await t.send(post, { retrySafe: true })).attempts).toBe(3)
    expect(server.received).toHaveLength(4)
  })

  it('follows an adapter verdict (retry hint from the body)', async () => {
    const server = await loopback((_req, res, i) => {
      if (i === 0)
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"serverErrorCode":"THROTTLED","retryAfter":0.05}')
      else res.writeHead(200).end('{}')
    })
    const { events, stop } = retryEvents()
    const res = await transport().send(
      createRequest({ method: 'POST', url: server.url, body: textBody('{}') }),
      {
        classify: (r) => {
          const json = r.status === 200 ? {} : JSON.parse(Buffer.from(r.body).toString())
          return json.serverErrorCode === 'THROTTLED'
            ? { retry: 'always', retryAfterMs: json.retryAfter * 1000 }
            : undefined
        },
      },
    )
    stop()
    expect(res.status).toBe(200)
    expect(events[0]).toMatchObject({ delayMs: 50 })
  })

  it('returns the response instead of waiting longer than maxRetryAfterMs', async () => {
    const server = await loopback((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end())
    const res = await transport().send(createRequest({ method: 'GET', url: server.url }))
    expect(res).toMatchObject({ status: 429, attempts: 1 })
  })

  it('retries a GET whose connection dropped, but not a POST', async () => {
    const server = await loopback((_req, res, i) => {
      if (i % 2 === 0) res.socket?.destroy()
      else res.writeHead(200).end('ok')
    })
    const t = transport()
    expect((await t.send(createRequest({ method: 'GET', url: server.url }))).attempts).toBe(2)
    await expect(
      t.send(createRequest({ method: 'POST', url: server.url, body: textBody('x') })),
    ).rejects.toMatchObject({
      code: 'OUTCOME_UNKNOWN',
    })
    expect(server.received).toHaveLength(3)
  })

  it('retries a refused connection even for POST (nothing was sent)', async () => {
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const { port } = probe.address() as AddressInfo
    await new Promise((r) => probe.close(r))
    const { events, stop } = retryEvents()
    await expect(
      transport({ retry: { maxAttempts: 2, baseDelayMs: 1 } }).send(
        createRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, body: textBody('x') }),
      ),
    ).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    stop()
    expect(events).toHaveLength(1)
  })
})

describe('timeouts and abort', () => {
  it('times out a call that never answers', async () => {
    const server = await loopback(() => {})
    const error = await transport()
      .send(createRequest({ method: 'GET', url: server.url }), { timeoutMs: 150 })
      .catch((e) => e)
    expect(error).toMatchObject({ code: 'TIMEOUT' })
    expect(error.message).toMatch(/150 ms/)
  })

  it('aborts on the caller signal, during a request and during a retry wait', async () => {
    const server = await loopback((req, res) => {
      if (req.url === '/wait') res.writeHead(503, { 'retry-after': '30' }).end()
    })
    const t = transport()
    const a = new AbortController()
    setTimeout(() => a.abort(), 100)
    await expect(
      t.send(createRequest({ method: 'GET', url: `${server.url}/hang` }), { signal: a.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' })
    const b = new AbortController()
    setTimeout(() => b.abort(), 100)
    await expect(
      t.send(createRequest({ method: 'GET', url: `${server.url}/wait` }), { signal: b.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' })
    await expect(
      t.send(createRequest({ method: 'GET', url: server.url }), { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' })
  })
})

describe('writes whose answer is lost', () => {
  it('names a POST whose connection reset after it was sent OUTCOME_UNKNOWN, with the hint, and never repeats it', async () => {
    const server = await loopback((_req, res) => res.socket?.destroy())
    const { events, stop } = retryEvents()
    const error = await transport()
      .send(createRequest({ method: 'POST', url: `${server.url}/records/modify`, body: textBody('{}') }), {
        outcomeHint: 'Look the record up before writing it again.',
      })
      .catch((e) => e)
    stop()
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { attempt: 1 } })
    expect(error.message).toMatch(
      /^The POST to http:\/\/127\.0\.0\.1:\d+\/records\/modify may have been applied/,
    )
    expect(error.message).toContain('Look the record up before writing it again.')
    expect(server.received).toHaveLength(1)
    expect(events).toHaveLength(0)
  })

  it('names a POST that timed out after it was sent OUTCOME_UNKNOWN, but a GET TIMEOUT', async () => {
    const server = await loopback(() => {})
    const t = transport()
    const post = await t
      .send(createRequest({ method: 'POST', url: server.url, body: textBody('x') }), { timeoutMs: 150 })
      .catch((e) => e)
    expect(post).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { timeoutMs: 150 } })
    expect(post.message).toMatch(/no response came within 150 ms/)
    const get = await t
      .send(createRequest({ method: 'GET', url: server.url }), { timeoutMs: 150 })
      .catch((e) => e)
    expect(get).toMatchObject({ code: 'TIMEOUT' })
    const safe = await t
      .send(createRequest({ method: 'POST', url: server.url, body: textBody('x') }), {
        timeoutMs: 150,
        retrySafe: true,
      })
      .catch((e) => e)
    expect(safe).toMatchObject({ code: 'TIMEOUT' })
  })

  it('fails a write still queued for a connection with TIMEOUT: it never left', async () => {
    const server = await loopback((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 400)
    })
    const t = transport({ connections: 1 })
    const slow = t.send(createRequest({ method: 'GET', url: `${server.url}/slow` }))
    const queued = await t
      .send(createRequest({ method: 'POST', url: `${server.url}/queued`, body: textBody('x') }), {
        timeoutMs: 100,
      })
      .catch((e) => e)
    expect(queued).toMatchObject({ code: 'TIMEOUT' })
    expect((await slow).status).toBe(200)
    expect(server.received.map((r) => r.url)).toEqual(['/slow'])
  })

  it('keeps ABORTED for a write the caller cancelled', async () => {
    const server = await loopback(() => {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    await expect(
      transport().send(createRequest({ method: 'POST', url: server.url, body: textBody('x') }), {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' })
  })

  it('repeats a lost write the adapter marked safe, and ends with NETWORK_ERROR', async () => {
    const server = await loopback((_req, res) => res.socket?.destroy())
    const error = await transport({ retry: { maxAttempts: 3, baseDelayMs: 1 } })
      .send(createRequest({ method: 'POST', url: server.url, body: textBody('x') }), { retrySafe: true })
      .catch((e) => e)
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', details: { attempt: 3 } })
    expect(server.received).toHaveLength(3)
  })
})

describe('wire', () => {
  it('reuses one keep-alive connection and sends the target exactly as signed', async () => {
    const server = await loopback((_req, res) => res.writeHead(200).end('x'))
    const t = transport()
    const request = createRequest({
      method: 'GET',
      url: `${server.url}/a%20b/ü?x=1&y=%2B`,
      query: { z: 'a b+c' },
    })
    expect(request.target).toBe('/a%20b/%C3%BC?x=1&y=%2B&z=a%20b%2Bc')
    for (let i = 0; i < 20; i++) await t.send(request)
    expect(server.received.every((r) => r.url === request.target)).toBe(true)
    // undici's pool may open a second socket while the first is being released; never one per request.
    expect(server.connections()).toBeLessThanOrEqual(2)
  })

  it('appends the signer query after signing (Safe Creative style)', async () => {
    const server = await loopback((_req, res) => res.writeHead(200).end())
    await transport().send(createRequest({ method: 'GET', url: `${server.url}/v2/?component=ztime` }), {
      signer: {
        tokens: () => [textToken('signature', 'abc def')],
        sign: () => ({ query: [['signature', 'abc def']], trace: [] }),
      },
    })
    expect(server.received[0]!.url).toBe('/v2/?component=ztime&signature=abc%20def')
  })

  it('streams a file body in constant memory and refuses one that changed after signing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-transport-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'upload.bin')
    await writeFile(path, Buffer.alloc(1_000_000, 3))
    const server = await loopback((_req, res) => res.writeHead(200).end())
    const t = transport()
    const body = await fileBody(path)
    const ok = await t.send(createRequest({ method: 'POST', url: server.url, body }), {
      signer: countingSigner(),
    })
    expect(ok.status).toBe(200)
    expect(server.received[0]!.body.equals(Buffer.alloc(1_000_000, 3))).toBe(true)

    const changing = await fileBody(path)
    const signer: RequestSigner = {
      tokens: () => [],
      async sign(request) {
        await request.body.sha256()
        await writeFile(path, Buffer.alloc(1_000_000, 4))
        return { trace: [] }
      },
    }
    await expect(
      t.send(createRequest({ method: 'POST', url: server.url, body: changing }), { signer }),
    ).rejects.toMatchObject({ code: 'BODY_CHANGED' })
    expect(server.received.filter((r) => r.body.length === 1_000_000)).toHaveLength(1)
  })

  it('sends every byte of a file body although it reads into the same buffers again', async () => {
    // Distinct bytes in every chunk: a chunk overwritten before the socket took it would show here.
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-transport-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'random.bin')
    const bytes = randomBytes(8 * 1024 * 1024 + 12_345)
    await writeFile(path, bytes)
    // The server reads slowly, so the socket fills and undici waits for it to drain.
    const server = createServer(async (req, res) => {
      const parts: Buffer[] = []
      for await (const chunk of req) {
        parts.push(chunk as Buffer)
        if (parts.length % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      }
      res.writeHead(200).end(createHash('sha256').update(Buffer.concat(parts)).digest('hex'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const expected = createHash('sha256').update(bytes).digest('hex')
    const t = transport()
    for (const chunkSize of [64 * 1024, undefined]) {
      const body = await fileBody(path, { chunkSize })
      // The body's SHA-256 is the fingerprint of its first pass (one read, one hash).
      expect(Buffer.from(await body.sha256()).toString('hex')).toBe(expected)
      const plain = await t.send(createRequest({ method: 'POST', url, body }), { signer: countingSigner() })
      expect(utf8Decode(plain.body)).toBe(expected)
      // With progress the chunks are sliced; around a file, parts of other bodies.
      let seen = 0
      const both = concatBodies([textBody('head'), body, bytesBody(new Uint8Array([1, 2])), body])
      const twice = await t.send(createRequest({ method: 'POST', url, body: both }), {
        onUploadProgress: (n) => {
          seen = n
        },
      })
      const whole = Buffer.concat([Buffer.from('head'), bytes, Buffer.from([1, 2]), bytes])
      expect(utf8Decode(twice.body)).toBe(createHash('sha256').update(whole).digest('hex'))
      expect(seen).toBe(whole.length)
    }
  })

  it('limits the size of a response read into memory', async () => {
    const server = await loopback((_req, res) => res.writeHead(200).end(Buffer.alloc(2048)))
    await expect(
      transport({ maxResponseBytes: 1024 }).send(createRequest({ method: 'GET', url: server.url })),
    ).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    })
    const stream = await transport().sendStream(createRequest({ method: 'GET', url: server.url }))
    let total = 0
    for await (const chunk of stream.body) total += (chunk as Buffer).length
    expect(total).toBe(2048)
  })

  it("lets go of the caller's signal once a streamed body ends, fails or is destroyed", async () => {
    const server = await loopback((req, res) => {
      if (req.url === '/broken') {
        res.writeHead(200, { 'content-length': '4096' }).write(Buffer.alloc(100))
        setTimeout(() => res.destroy(), 20)
      } else res.writeHead(200).end(Buffer.alloc(70_000))
    })
    const t = transport({ retry: { maxAttempts: 1 } })
    const caller = new AbortController()
    for (let i = 0; i < 20; i++) {
      const read = await t.sendStream(createRequest({ method: 'GET', url: server.url }), {
        signal: caller.signal,
      })
      for await (const _ of read.body) {
        // drained
      }
    }
    const broken = await t.sendStream(createRequest({ method: 'GET', url: `${server.url}/broken` }), {
      signal: caller.signal,
    })
    await expect(
      (async () => {
        for await (const _ of broken.body) {
          // until the connection breaks
        }
      })(),
    ).rejects.toBeDefined()
    const dropped = await t.sendStream(createRequest({ method: 'GET', url: server.url }), {
      signal: caller.signal,
    })
    dropped.body.destroy()
    await new Promise((resolve) => setImmediate(resolve))
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0)
    // While a body is being read, the caller can still cancel it.
    const open = await t.sendStream(createRequest({ method: 'GET', url: server.url }), {
      signal: caller.signal,
    })
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1)
    caller.abort()
    await expect(
      (async () => {
        for await (const _ of open.body) {
          // aborted
        }
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' })
  })

  it('goes through an HTTP proxy when given one (undici ProxyAgent, CONNECT tunnel)', async () => {
    const server = await loopback((_req, res) => res.writeHead(200).end('via proxy'))
    const tunnels: string[] = []
    const proxy = createServer()
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url!)
      const [host, port] = req.url!.split(':')
      const upstream = netConnect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    cleanups.push(
      () =>
        new Promise((r) => {
          proxy.closeAllConnections()
          proxy.close(r)
        }),
    )
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    const res = await transport({ proxy: proxyUrl }).send(
      createRequest({ method: 'GET', url: `${server.url}/p` }),
    )
    expect(Buffer.from(res.body).toString()).toBe('via proxy')
    expect(tunnels).toEqual([new URL(server.url).host])
  })
})

describe('redaction', () => {
  it('keeps a secret placed in every field out of errors, debug logs and diagnostics events', async () => {
    const SECRET = 'S3cr3t-Value+With/Special=Chars'
    const server = await loopback((_req, res) => res.socket?.destroy())
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    for (const name of ['start', 'finish', 'retry', 'error']) subscribe(`sigwire:request:${name}`, listener)
    const redactor = new Redactor()
    redactor.addSecret(SECRET)
    const t = transport({ redactor, retry: { maxAttempts: 2, baseDelayMs: 1 } })
    const request = createRequest({
      method: 'GET',
      url: `${server.url}/${encodeURIComponent(SECRET)}?ckWebAuthToken=${encodeURIComponent(SECRET)}&other=${encodeURIComponent(SECRET)}`,
      headers: {
        cookie: `X-APPLE-WEBAUTH-TOKEN=${SECRET}`,
        'x-custom': SECRET,
        authorization: `Bearer ${SECRET}`,
      },
      body: textBody(SECRET),
    })
    const signer: RequestSigner = {
      tokens: () => [textToken('secret', SECRET, { secret: true })],
      sign: () => ({ headers: { 'x-signed-with': SECRET }, trace: [] }),
    }
    const error = await t.send(request, { signer }).catch((e) => e)
    for (const name of ['start', 'finish', 'retry', 'error']) unsubscribe(`sigwire:request:${name}`, listener)
    expect(error).toMatchObject({ code: 'NETWORK_ERROR' })
    const everything = JSON.stringify({
      events,
      debug: debugLines(),
      error: error.toJSON(),
      message: error.message,
      stack: error.stack,
    })
    expect(events.length).toBeGreaterThanOrEqual(3)
    expect(debugLines().length).toBeGreaterThanOrEqual(3)
    expect(everything).not.toContain(SECRET)
    expect(everything).not.toContain(encodeURIComponent(SECRET))
    expect(everything).toContain('[redacted]')
  })
})
