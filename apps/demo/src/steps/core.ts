import type { ServerResponse } from 'node:http'
import {
  createRequest,
  digestTokensSync,
  formatIsoSeconds,
  fromBase64,
  hmacSha256,
  jsonBody,
  type ReceivedRequest,
  type RequestSigner,
  receivedHeader,
  type Token,
  Transport,
  textToken,
  toBase64,
  traceTokens,
} from '@sigwire/core'
import { diffTokens } from '@sigwire/core/doctor'
import { FaultController, type RunningServer, startEmulatorServer } from '@sigwire/emulator'
import type { Step } from '../report.js'

// A toy protocol used to show the shared core on its own: HMAC-SHA256 over `date\nMETHOD\ntarget\nbody`.
const SECRET = 'ZGVtby1zZWNyZXQtZm9yLXRoZS1jb3JlLWRlbW8='

function tokensFor(method: string, target: string, date: string, body: Uint8Array): Token[] {
  return [
    textToken('date', date),
    textToken('\\n', '\n'),
    textToken('method', method),
    textToken('\\n', '\n'),
    textToken('target', target),
    textToken('\\n', '\n'),
    { label: 'body', bytes: body },
  ]
}

/** Steps that exercise @sigwire/core alone against an in-process verifying server. */
export function coreSteps(): Step[] {
  let server: RunningServer | undefined
  let transport: Transport | undefined
  const faults = new FaultController()
  const key = fromBase64(SECRET)
  const signer: RequestSigner = {
    tokens: (request, date) =>
      tokensFor(
        request.method,
        request.target,
        formatIsoSeconds(date),
        request.body.inMemoryBytes() ?? new Uint8Array(),
      ),
    sign(request, clock) {
      const now = clock.now()
      const date = formatIsoSeconds(now)
      const tokens = signer.tokens(request, now)
      return {
        headers: {
          'x-demo-date': date,
          'x-demo-signature': toBase64(digestTokensSync(tokens, { hmac: 'sha256', key })),
        },
        trace: traceTokens(tokens),
      }
    },
  }
  const verify = (req: ReceivedRequest, res: ServerResponse) => {
    const date = receivedHeader(req, 'x-demo-date') ?? ''
    const expected = tokensFor(req.method, req.target, date, req.body)
    const ok =
      toBase64(
        hmacSha256(key, Buffer.concat(expected.map((t) => ('bytes' in t ? t.bytes : new Uint8Array())))),
      ) === receivedHeader(req, 'x-demo-signature')
    res
      .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok, bytes: req.body.byteLength }))
  }
  return [
    {
      service: 'core',
      name: 'start an in-process verifying server',
      async run() {
        server = await startEmulatorServer(
          {},
          {
            faults,
            handle: verify,
            renderFault: (_kind, after, _req, res) =>
              res.writeHead(429, { 'retry-after': String(after) }).end(),
          },
        )
        transport = new Transport({ proxy: false })
        return server.url
      },
    },
    {
      service: 'core',
      name: 'sign and send a JSON body (throttled once)',
      async run() {
        faults.inject('throttle', { retryAfterSeconds: 0 })
        const res = await transport!.send(
          createRequest({
            method: 'POST',
            url: `${server!.url}/records?x=caf%C3%A9`,
            body: jsonBody({ name: 'café 😀' }),
          }),
          { signer, retrySafe: true },
        )
        if (res.status !== 200) throw new Error(`expected 200, got ${res.status}`)
        return `HTTP ${res.status} after ${res.attempts} attempts, re-signed each time`
      },
    },
    {
      service: 'core',
      name: 'diff a mis-built string-to-sign',
      async run() {
        const good = tokensFor('POST', '/records?x=caf%C3%A9', '2026-01-01T00:00:00Z', new Uint8Array())
        const bad = tokensFor('POST', '/records?x=café', '2026-01-01T00:00:00Z', new Uint8Array())
        const diff = diffTokens(good, bad)!
        return `first difference in token "${diff.label}" at byte ${diff.byteOffset}`
      },
    },
    {
      service: 'core',
      name: 'stop the server',
      async run() {
        await transport?.close()
        await server?.close()
        return 'closed'
      },
    },
  ]
}
