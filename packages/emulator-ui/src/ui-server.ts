import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'
import { type AppFile, defaultAppDir, loadAppFiles } from './app-files.js'
import { doctorInput, type UiDoctor } from './doctor-input.js'
import { EmulatorUiError, isEmulatorUiError, uiError } from './errors.js'
import { EventStream } from './event-stream.js'
import { applyFaultCommand, faultState } from './fault-commands.js'
import { refuseRequest, tokenMatches, type UiRefusal } from './guard.js'
import { harLog } from './har.js'
import { requestView, type UiRequest } from './request-view.js'
import type { UiService } from './service.js'

/** Options of {@link startEmulatorUi}. */
export interface EmulatorUiOptions {
  /** The emulators to show. */
  readonly services: readonly UiService[]
  /** Port on 127.0.0.1. Default: a free one. */
  readonly port?: number
  /** The page bundle's directory. Default: the one built into this package. */
  readonly appDir?: string
  /**
   * Called for each refused request (not loopback, a foreign Host or Origin, a wrong token), e.g. to
   * tell the person running the emulators. The path carries no query, so never the token.
   */
  readonly onRefusal?: (refusal: { code: UiRefusal; method: string; path: string }) => void
  /** Runs `sigwire doctor` for the doctor page; without it the page says the doctor is not available. */
  readonly doctor?: UiDoctor
}

/** A running UI. */
export interface EmulatorUi {
  /** The URL to open, with the access token in its fragment: `http://127.0.0.1:PORT/#token=...`. */
  readonly url: string
  /** The origin, without the token. */
  readonly origin: string
  /** The port it listens on. */
  readonly port: number
  /** The random token the UI's API requires (header `x-sigwire-ui-token`). */
  readonly token: string
  /** Stops the server and ends every open event stream. */
  close(): Promise<void>
}

/** The header that carries the token on API calls. */
export const UI_TOKEN_HEADER = 'x-sigwire-ui-token'

const MAX_BODY_BYTES = 64 * 1024

/** Headers on every answer: the page loads only its own files and cannot be framed or sniffed. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
}

/**
 * Starts the emulator UI on 127.0.0.1: the bundled page, its JSON API under `/api/` and a live event
 * stream of every emulator's request log (`/api/events`). Every request must come from loopback and
 * name the UI by a loopback host; a browser request from another origin is refused; the API needs the
 * random token of {@link EmulatorUi.url}. Credentials reach the page only through an explicit reveal,
 * and only the emulators' own test credentials.
 */
export async function startEmulatorUi(options: EmulatorUiOptions): Promise<EmulatorUi> {
  const files = loadAppFiles(options.appDir ?? defaultAppDir())
  const services = new Map(options.services.map((s) => [s.id, s]))
  const token = randomBytes(24).toString('base64url')
  const events = new EventStream()
  const unsubscribe = options.services.map((service) =>
    service.log.subscribe((entry) => events.send('request', requestView(service.id, entry))),
  )
  let port = 0
  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => answerError(res, error))
  })
  server.requestTimeout = 30_000

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = refuseRequest(
      {
        remoteAddress: req.socket.remoteAddress,
        host: header(req, 'host'),
        origin: header(req, 'origin'),
        fetchSite: header(req, 'sec-fetch-site'),
      },
      port,
    )
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    const refuse = (code: UiRefusal) => {
      options.onRefusal?.({ code, method: req.method ?? 'GET', path })
      json(res, 403, { error: { code, message: REFUSALS[code] } })
    }
    if (refusal) return refuse(refusal)
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return json(res, 405, { error: { code: 'NOT_FOUND' } })
      return sendFile(res, files.get(path))
    }
    // EventSource cannot set headers: the stream alone takes the token from the query.
    const presented =
      path === '/api/events' ? (url.searchParams.get('token') ?? undefined) : header(req, UI_TOKEN_HEADER)
    if (!tokenMatches(presented, token)) return refuse('BAD_TOKEN')
    if (req.method === 'GET') return get(res, path, url)
    if (req.method !== 'POST')
      return json(res, 405, { error: { code: 'NOT_FOUND', message: 'Use GET or POST.' } })
    // A JSON content type makes any cross-origin fetch a preflighted one, which this server never allows.
    if (!(header(req, 'content-type') ?? '').startsWith('application/json'))
      throw uiError('INVALID_ARGUMENT', 'Send the body as application/json.')
    const body = await readJson(req)
    return post(res, path, body)
  }

  async function get(res: ServerResponse, path: string, url: URL): Promise<void> {
    if (path === '/api/events') return events.open(res, SECURITY_HEADERS)
    if (path === '/api/overview')
      return json(res, 200, {
        services: [...services.values()].map((s) => ({
          id: s.id,
          label: s.label,
          url: s.url,
          faults: faultState(s.faults),
          credentials: Object.keys(s.credentials?.() ?? {}),
          actions: Object.keys(s.actions ?? {}),
          views: Object.keys(s.views ?? {}),
          downloads: s.download !== undefined,
          hasState: s.state !== undefined,
        })),
        doctor: options.doctor !== undefined,
      })
    if (path === '/api/requests') return json(res, 200, { requests: allRequests() })
    if (path === '/api/har') {
      const har = harLog(allRequests(), new Map([...services.values()].map((s) => [s.id, s.url])))
      return json(res, 200, har, { 'content-disposition': 'attachment; filename="sigwire-emulators.har"' })
    }
    const match = /^\/api\/services\/([^/]+)\/(state|download|views\/([^/]+))$/.exec(path)
    if (match?.[2] === 'state') {
      const service = serviceFor(match[1]!)
      return json(res, 200, { state: (await service.state?.()) ?? null })
    }
    if (match?.[2] === 'download') {
      const service = serviceFor(match[1]!)
      const file = await service.download?.(Object.fromEntries(url.searchParams))
      if (!file) throw uiError('NOT_FOUND', 'No such file.')
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': file.type,
        'content-length': 'bytes' in file ? file.bytes.byteLength : file.size,
        'content-disposition': `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
      })
      if ('bytes' in file) res.end(file.bytes)
      else if (file.size === 0) res.end()
      else await pipeline(createReadStream(file.path, { start: 0, end: Math.max(0, file.size - 1) }), res)
      return
    }
    if (match?.[3] !== undefined) {
      const service = serviceFor(match[1]!)
      const name = decodeURIComponent(match[3])
      const view = service.views && Object.hasOwn(service.views, name) ? service.views[name] : undefined
      if (!view) throw uiError('NOT_FOUND', `${service.label} has no view ${name}.`)
      return json(res, 200, { view: (await view(Object.fromEntries(url.searchParams))) ?? null })
    }
    throw uiError('NOT_FOUND', `No UI endpoint GET ${path}.`)
  }

  async function post(res: ServerResponse, path: string, body: Record<string, unknown>): Promise<void> {
    if (path === '/api/doctor') {
      if (!options.doctor) throw uiError('NOT_FOUND', 'The doctor runs with `sigwire emulate` only.')
      // The key in the body is used for this diagnosis and dropped: nothing here logs or keeps it.
      return json(res, 200, await options.doctor(doctorInput(body)))
    }
    const match = /^\/api\/services\/([^/]+)\/(faults|reveal|actions\/([^/]+))$/.exec(path)
    if (!match) throw uiError('NOT_FOUND', `No UI endpoint POST ${path}.`)
    const service = serviceFor(match[1]!)
    if (match[2] === 'faults') {
      const state = applyFaultCommand(service.faults, body)
      events.send('faults', { service: service.id, faults: state })
      return json(res, 200, { faults: state })
    }
    if (match[2] === 'reveal') return json(res, 200, { credentials: service.credentials?.() ?? {} })
    const name = decodeURIComponent(match[3]!)
    const action = service.actions && Object.hasOwn(service.actions, name) ? service.actions[name] : undefined
    if (!action) throw uiError('NOT_FOUND', `${service.label} has no action ${name}.`)
    let result: unknown
    try {
      result = await action(body)
    } catch (error) {
      if (isEmulatorUiError(error)) throw error
      throw new EmulatorUiError({
        code: 'ACTION_FAILED',
        message: `${name} failed: ${(error as Error)?.message ?? String(error)}`,
        status: 409,
      })
    }
    events.send('state', { service: service.id })
    return json(res, 200, { result: result ?? null })
  }

  function serviceFor(id: string): UiService {
    const service = services.get(decodeURIComponent(id))
    if (!service) throw uiError('NOT_FOUND', `No emulator ${id} runs here.`)
    return service
  }

  function allRequests(): UiRequest[] {
    return [...services.values()]
      .flatMap((s) => s.log.entries().map((e) => requestView(s.id, e)))
      .sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      for (const stop of unsubscribe) stop()
      events.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
    },
  }
}

const REFUSALS: Readonly<Record<UiRefusal, string>> = {
  NOT_LOOPBACK: 'The emulator UI answers only this machine.',
  BAD_HOST: 'The emulator UI answers only 127.0.0.1, localhost or [::1] on its own port.',
  BAD_ORIGIN: 'Requests from other sites are refused: open the UI from the URL sigwire emulate printed.',
  CROSS_SITE: 'Requests from other sites are refused: open the UI from the URL sigwire emulate printed.',
  BAD_TOKEN: 'The UI token is missing or wrong: open the UI from the URL sigwire emulate printed.',
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function sendFile(res: ServerResponse, file: AppFile | undefined): void {
  if (!file) {
    json(res, 404, { error: { code: 'NOT_FOUND', message: 'No such page.' } })
    return
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.type,
    'content-length': file.bytes.byteLength,
  })
  res.end(file.bytes)
}

function json(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

function answerError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.end()
    return
  }
  if (isEmulatorUiError(error)) {
    json(res, error.status ?? 400, { error: { code: error.code, message: error.message } })
    return
  }
  json(res, 500, { error: { code: 'INTERNAL', message: 'The emulator UI failed; see the terminal.' } })
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES)
      throw uiError('INVALID_ARGUMENT', `The body is larger than ${MAX_BODY_BYTES} bytes.`)
    chunks.push(chunk)
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
  } catch {
    throw uiError('INVALID_ARGUMENT', 'The body is not JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw uiError('INVALID_ARGUMENT', 'The body must be a JSON object.')
  return value as Record<string, unknown>
}
