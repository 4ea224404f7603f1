import { request as httpRequest } from 'node:http'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UiRequest } from '../src/index.js'
import { sendUnsortedSignature, startStack, uiFetch } from './harness.js'

let stack: Awaited<ReturnType<typeof startStack>>
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.close()
})

/** A raw request with headers fetch would not let us set (Host). */
function raw(port: number, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('emulator UI API (real emulators on loopback)', () => {
  it('shows a mis-signed request as rejected with the finding and both strings, secrets masked', async () => {
    const dev = stack.safeCreative.dev!
    const answer = await sendUnsortedSignature(stack.safeCreative.apiUrl, dev)
    expect(await answer.text()).toContain('<error>')
    const { requests } = (await (await uiFetch(stack.ui, '/api/requests')).json()) as {
      requests: UiRequest[]
    }
    const rejected = requests.findLast((r) => r.service === 'safe-creative' && r.verdict === 'rejected')!
    expect(rejected.findings.map((f) => f.code)).toEqual(['params-not-sorted'])
    expect(rejected.findings[0]!.fix).toBeTruthy()
    const d = rejected.difference!
    // Sorted, `component` comes first; the client signed `ztime` there.
    expect(d.expectedTokens[d.index]!.label).toBe(d.label)
    expect(d.expected.text).not.toBe(d.actual.text)
    expect(d.expectedTokens.length).toBeGreaterThan(3)
    expect(d.actualTokens.length).toBeGreaterThan(3)
    const key = d.expectedTokens.find((t) => t.label === 'private-key')!
    expect(key).toMatchObject({ secret: true, text: '{secret}' })
    const everything = JSON.stringify(requests)
    expect(everything).not.toContain(dev.privateKey)
  })

  it('streams each new request over server-sent events', async () => {
    const controller = new AbortController()
    const response = await fetch(`${stack.ui.origin}/api/events?token=${stack.ui.token}`, {
      signal: controller.signal,
    })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    await fetch(`${stack.safeCreative.apiUrl}?component=version`)
    let text = ''
    while (!text.includes('event: request')) text += (await reader.read()).value ?? ''
    controller.abort()
    expect(text).toContain('"service":"safe-creative"')
  })

  it('applies a fault the same way the emulator API does: the client sees it', async () => {
    const client = createSafeCreativeClient({
      ...stack.safeCreative.dev!,
      baseUrl: stack.safeCreative.apiUrl,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    })
    const set = await uiFetch(stack.ui, '/api/services/safe-creative/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'inject', kind: 'unavailable', times: 1, retryAfterSeconds: 0 }),
    })
    expect(await set.json()).toEqual({ faults: { latencyMs: 0, clockOffsetMs: 0, pending: 1 } })
    await expect(client.version()).rejects.toMatchObject({ status: 503 })
    expect(stack.safeCreative.faults.pending).toBe(0)
    expect(await client.version()).toBeTruthy()
    await client.close()
  })

  it('refuses a missing token, a foreign Origin, a cross-site fetch and a rebound Host', async () => {
    const port = stack.ui.port
    expect((await fetch(`${stack.ui.origin}/api/overview`)).status).toBe(403)
    expect(
      (await uiFetch(stack.ui, '/api/overview', { headers: { 'x-sigwire-ui-token': 'guess' } })).status,
    ).toBe(403)
    const foreign = await uiFetch(stack.ui, '/api/services/safe-creative/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.test' },
      body: JSON.stringify({ action: 'inject', kind: 'drop' }),
    })
    expect(foreign.status).toBe(403)
    expect(await foreign.json()).toMatchObject({ error: { code: 'BAD_ORIGIN' } })
    expect(stack.safeCreative.faults.pending).toBe(0)
    const crossSite = await raw(port, '/api/overview', {
      host: `127.0.0.1:${port}`,
      'x-sigwire-ui-token': stack.ui.token,
      'sec-fetch-site': 'cross-site',
    })
    expect(crossSite.status).toBe(403)
    const rebound = await raw(port, '/', { host: `evil.test:${port}` })
    expect(rebound.status).toBe(403)
    expect(rebound.body).toContain('BAD_HOST')
    expect((await raw(port, '/', { host: `localhost:${port}` })).status).toBe(200)
  })

  it('reveals only the test credentials, and only on request', async () => {
    const overview = (await (await uiFetch(stack.ui, '/api/overview')).json()) as {
      services: Array<{ id: string; credentials: string[] }>
    }
    expect(JSON.stringify(overview)).not.toContain(stack.safeCreative.dev!.privateKey)
    expect(overview.services.find((s) => s.id === 'safe-creative')!.credentials).toEqual([
      'sharedKey',
      'privateKey',
    ])
    const revealed = await uiFetch(stack.ui, '/api/services/safe-creative/reveal', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(((await revealed.json()) as { credentials: Record<string, string> }).credentials.privateKey).toBe(
      stack.safeCreative.dev!.privateKey,
    )
  })

  it('approves and denies an authkey the way its user would', async () => {
    const client = createSafeCreativeClient({
      ...stack.safeCreative.dev!,
      baseUrl: stack.safeCreative.apiUrl,
      transport: { proxy: false },
    })
    const auth = await client.createAuthkey()
    const act = (name: string) =>
      uiFetch(stack.ui, `/api/services/safe-creative/actions/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authkey: auth.authkey, level: 'ADD' }),
      })
    expect((await act('approve')).status).toBe(200)
    expect(await client.authkeyState(auth.authkey)).toMatchObject({ authorized: true, level: 'ADD' })
    expect((await act('deny')).status).toBe(200)
    expect((await client.authkeyState(auth.authkey)).authorized).toBe(false)
    await expect(client.user(auth).listWorksPage(1)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    const unknown = await uiFetch(stack.ui, '/api/services/safe-creative/actions/approve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authkey: 'nosuchauthkey' }),
    })
    expect(unknown.status).toBe(404)
    await client.close()
  })

  it('answers bad control input with a typed error', async () => {
    const bad = await uiFetch(stack.ui, '/api/services/safe-creative/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'inject', kind: 'meteor' }),
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
    const notJson = await uiFetch(stack.ui, '/api/services/safe-creative/faults', {
      method: 'POST',
      body: 'x',
    })
    expect(notJson.status).toBe(400)
    const unknown = await uiFetch(stack.ui, '/api/services/nope/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(unknown.status).toBe(404)
  })

  it('exports the log as HAR 1.2 with the verdicts', async () => {
    const har = (await (await uiFetch(stack.ui, '/api/har')).json()) as {
      log: {
        version: string
        entries: Array<{
          request: { url: string }
          _sigwire: { verdict: string; findings: Array<{ code: string }> }
        }>
      }
    }
    expect(har.log.version).toBe('1.2')
    const rejected = har.log.entries.find((e) => e._sigwire.verdict === 'rejected')!
    expect(rejected._sigwire.findings[0]!.code).toBe('params-not-sorted')
    expect(rejected.request.url).toContain('component=authkey.create')
  })
})
