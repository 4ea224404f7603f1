import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Diagnosis } from '@sigwire/core/doctor'
import { limitedStream, mayHaveBody, readBody, readSmallBody } from './body.js'
import { type EmulatorError, isEmulatorError, kitError } from './errors.js'
import type { FaultController } from './faults.js'
import { listen, type RunningServer, type ServerOptions, targetUrl } from './listen.js'
import { type Reply, reply, writeReply } from './reply.js'
import { RequestLog, type RequestVerdict } from './request-log.js'
import {
  type CompiledRoute,
  compileRoutes,
  type EmulatorRequest,
  matchRoute,
  type Route,
  type RouteRequest,
} from './routes.js'
import { EmulatorStats, type StatsCounter } from './stats.js'
import type { DurableStore, Transaction } from './store.js'

/** What a service plugs into {@link startEmulator}. */
export interface EmulatorApp {
  /** The route table. */
  readonly routes: readonly Route<unknown>[]
  /** Live fault controls. */
  readonly faults: FaultController
  /** The durable state: each request's transaction is committed before its reply is written. */
  readonly store: DurableStore
  /** Renders the one error carrier into the service's own error answer (the error's `headers` are added). */
  renderError(error: EmulatorError, request: EmulatorRequest): Reply
  /** The service's answer to an injected throttle or outage. */
  renderFault(kind: 'throttle' | 'unavailable', retryAfterSeconds: number, request: EmulatorRequest): Reply
  /**
   * Runs the service's doctor on a request the emulator refused; the diagnosis goes into the request
   * log (an accepted request's findings come with its {@link Reply}). `bodyKnown` is false when the body was too large to keep for the doctor.
   */
  diagnose?(request: EmulatorRequest, error: EmulatorError, bodyKnown: boolean): Diagnosis | undefined
  /** Sees every request as it arrives (before faults and routing), for a service's own records. */
  onRequest?(request: EmulatorRequest): void
  /** Headers every answer carries (such as `date`). */
  defaultHeaders?(request: EmulatorRequest): Record<string, string>
  /** Masks credentials in a request-target for the log. Default: the target as is. */
  redactTarget?(target: string): string
  /**
   * Handles an HTTP upgrade request (a WebSocket endpoint of the service); without it, upgrade
   * requests are refused by closing the socket.
   */
  onUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, origin: string): void
  /**
   * Answers the service's own `/_emulator/<service>/...` admin endpoints; undefined falls through to
   * the kit's (`/_emulator/requests`) and a 404.
   */
  admin?(request: EmulatorRequest): Reply | undefined
  /** Runs after the server stopped and the store closed. */
  onClose?(): Promise<void>
  /** The request log. Default: a new log of the last 1000 requests. */
  readonly log?: RequestLog
  /** Bytes of a refused request's body read for the doctor (a larger body is not read). Default 64 KiB. */
  readonly sampleBytes?: number
  /** The service's own counters of `GET /_emulator/stats` (`signIns`, `throttled`...), by name. */
  readonly counters?: Readonly<Record<string, StatsCounter>>
  /**
   * The service's own admin endpoints under `/_emulator/`, keyed `METHOD name` (`POST
   * expire-sessions`); each gets the request with its body (at most 64 KiB) and answers JSON. The
   * `admin` hook, when it answers, comes first.
   */
  readonly adminEndpoints?: Readonly<Record<string, (request: EmulatorRequest) => Reply | Promise<Reply>>>
}

/** A running emulator: the server, its request log and its store. */
export interface RunningEmulator extends RunningServer {
  /** Every request, with its verdict and, for refused ones, the doctor's findings. */
  readonly log: RequestLog
  /** Requests by route and status, and the service's counters (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
}

const EMPTY = new Uint8Array(0)
const ADMIN_PREFIX = '/_emulator/'

/**
 * Starts an emulator on the route table of `app`. For each request: injected faults first (a
 * `drop-after` fault lets the request run and commit, then closes the connection unanswered), then the
 * route (404/405 in the service's shape), `auth.headers` before any body byte is read (a refused
 * request's body is read only up to `sampleBytes`, for the doctor; a larger one is not read and the
 * connection is closed), the body up to the route's limit, `auth.body`, the handler, the commit of
 * the request's writes (so a 2xx is sent only for durable writes), the reply, the log entry.
 * `GET /_emulator/requests[?after=<id>]` answers the request log as JSON, `GET /_emulator/stats` the
 * counters (`DELETE` resets them), and the service's own admin endpoints answer under `/_emulator/`.
 */
export async function startEmulator(options: ServerOptions, app: EmulatorApp): Promise<RunningEmulator> {
  const compiled = compileRoutes(app.routes)
  const log = app.log ?? new RequestLog()
  const stats = new EmulatorStats(app.counters)
  log.subscribe((entry) => stats.observe(entry))
  const server = await listen(
    options,
    (req, res, origin) => {
      void serveRequest(req, res, origin, app, compiled, log, stats).catch(() => {
        if (!res.headersSent) res.writeHead(500, { connection: 'close' })
        res.end()
      })
    },
    async () => {
      await app.store.close()
      await app.onClose?.()
    },
    app.onUpgrade?.bind(app),
  )
  return { ...server, close: () => server.close(), log, stats }
}

async function serveRequest(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  app: EmulatorApp,
  routes: readonly CompiledRoute[],
  log: RequestLog,
  stats: EmulatorStats,
): Promise<void> {
  const started = performance.now()
  const target = req.url ?? '/'
  const url = targetUrl(target, origin)
  const base: EmulatorRequest = {
    method: req.method ?? 'GET',
    target,
    headers: req.headers,
    body: EMPTY,
    url: url ?? new URL(`${origin}/`),
    receivedAt: app.faults.now(),
  }
  if (url?.pathname.startsWith(ADMIN_PREFIX))
    return writeReply(res, app.admin?.(base) ?? (await admin(base, req, log, stats, app)))
  app.onRequest?.(base)

  const record = (
    request: EmulatorRequest,
    status: number,
    verdict: RequestVerdict,
    extra: {
      route?: string
      error?: EmulatorError
      diagnosis?: Diagnosis | undefined
      bodyBytes?: number
      fault?: string
    },
  ) => {
    const error = extra.error
    log.add({
      at: new Date(request.receivedAt).toISOString(),
      method: request.method,
      target: app.redactTarget?.(target) ?? target,
      ...(extra.route ? { route: extra.route } : {}),
      status,
      verdict,
      ...(error
        ? {
            code: error.code,
            reason: error.reason,
            message: error.explanation,
            ...(error.token ? { token: error.token } : {}),
          }
        : {}),
      ...(extra.fault
        ? {
            reason: `FAULT_${extra.fault.toUpperCase().replace('-', '_')}`,
            message: `Injected ${extra.fault} fault.`,
          }
        : {}),
      ...(extra.diagnosis ? { findings: extra.diagnosis.findings, diagnosis: extra.diagnosis } : {}),
      bodyBytes: extra.bodyBytes ?? request.body.byteLength,
      headerNames: Object.keys(req.headers),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    })
  }

  // A queued fault belongs to the requests that arrive after it was injected: it is taken before the
  // injected latency, so a slow request left over from earlier (its client gave up) cannot use it up.
  // A request whose client already hung up (an aborted call) takes no fault either.
  const fault = req.socket.destroyed ? undefined : app.faults.take(base.url.pathname)
  if (app.faults.latencyMs > 0) await delay(app.faults.latencyMs)
  if (fault?.kind === 'latency') await delay(fault.latencyMs)
  if (fault?.kind === 'drop' && fault.afterBytes === undefined) {
    record(base, 0, 'fault', { fault: 'drop' })
    req.socket.destroy()
    return
  }
  // A mid-body drop: the request is served, and the answer is cut after `afterBytes` body bytes.
  const dropAfterBytes = fault?.kind === 'drop' ? fault.afterBytes : undefined
  if (fault?.kind === 'throttle' || fault?.kind === 'unavailable') {
    const answer = app.renderFault(fault.kind, fault.retryAfterSeconds, base)
    record(base, answer.status, 'fault', { fault: fault.kind })
    return send(req, res, answer, app, base)
  }

  const tx = app.store.transaction()
  const counter = { bytes: 0 }
  let request: EmulatorRequest = base
  let label: string | undefined
  let bodyRead = false
  let answer: Reply
  let failure: EmulatorError | undefined
  let diagnosis: Diagnosis | undefined
  try {
    if (url === undefined) throw kitError('MALFORMED_REQUEST', 'The request-target is not a path.')
    const match = matchRoute(routes, base.method, url.pathname)
    if (match.kind === 'none') throw kitError('NOT_FOUND', `No endpoint ${url.pathname}.`)
    if (match.kind === 'malformed')
      throw kitError('MALFORMED_REQUEST', 'The path has malformed percent-encoding.')
    if (match.kind === 'method')
      throw kitError(
        'METHOD_NOT_ALLOWED',
        `${base.method} is not allowed here; use ${match.allow.join(' or ')}.`,
        {
          details: { allow: match.allow },
          headers: { allow: match.allow.join(', ') },
        },
      )
    const route = match.compiled.route
    label = match.compiled.label
    const withParams = { ...base, params: match.params }
    request = withParams
    const auth = route.auth === 'none' ? undefined : await route.auth.headers(withParams)
    const limit = route.maxBodyBytes
    let body: Uint8Array = EMPTY
    let stream: AsyncIterable<Buffer> = emptyStream()
    if (typeof limit === 'number') {
      body = await readBody(req, limit)
      counter.bytes = body.byteLength
    } else stream = counted(limitedStream(req, limit.stream), counter)
    bodyRead = true
    const routed: RouteRequest<unknown> & { auth: unknown } = {
      ...withParams,
      body,
      auth,
      tx,
      route: label,
      stream,
      incoming: req,
    }
    request = routed
    if (route.auth !== 'none' && route.auth.body) routed.auth = await route.auth.body(routed)
    answer = await route.handle(routed)
  } catch (error) {
    failure = isEmulatorError(error)
      ? error
      : kitError('INTERNAL', `The emulator failed: ${(error as Error)?.message ?? String(error)}`, {
          kind: 'internal',
        })
    let bodyKnown = bodyRead
    if (!bodyRead && app.diagnose && failure.kind === 'auth') {
      const sample = await readSmallBody(req, app.sampleBytes ?? 64 * 1024)
      bodyKnown = sample !== undefined
      if (sample) {
        request = { ...request, body: sample }
        counter.bytes = sample.byteLength
      }
    }
    if (failure.kind === 'auth' || (failure.kind === 'request' && app.diagnose))
      diagnosis = safely(() => app.diagnose?.(request, failure!, bodyKnown))
    answer = safeRender(app, failure, request)
  }
  try {
    await tx.commit()
  } catch (error) {
    failure = kitError('INTERNAL', (error as Error).message, { kind: 'internal' })
    answer = safeRender(app, failure, request)
  }
  const verdict: RequestVerdict = !failure
    ? answer.status >= 400
      ? 'failed'
      : 'accepted'
    : failure.kind === 'auth'
      ? 'refused'
      : failure.kind === 'internal'
        ? 'error'
        : 'failed'
  const dropAfter = fault?.kind === 'drop-after'
  record(request, answer.status, verdict, {
    ...(label ? { route: label } : {}),
    ...(failure ? { error: failure } : {}),
    ...(dropAfter ? { fault: 'drop-after' } : {}),
    ...(dropAfterBytes === undefined ? {} : { fault: 'drop' }),
    diagnosis:
      diagnosis ??
      (answer.findings?.length
        ? { ok: answer.findings.every((f) => f.severity === 'note'), findings: answer.findings }
        : undefined),
    bodyBytes: counter.bytes,
  })
  // The request was served and its writes committed; the client never hears of it.
  if (dropAfter) {
    req.socket.destroy()
    return
  }
  await send(req, res, answer, app, request, dropAfterBytes)
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  answer: Reply,
  app: EmulatorApp,
  request: EmulatorRequest,
  dropAfterBytes?: number,
) {
  const defaults = app.defaultHeaders?.(request) ?? {}
  // A body left unread (refused, or too large) is not drained: the connection closes after the answer.
  if (!req.complete && mayHaveBody(req)) defaults.connection = 'close'
  try {
    await writeReply(res, answer, defaults, dropAfterBytes === undefined ? {} : { dropAfterBytes })
  } catch {
    // The client went away while the answer was being written.
  }
}

function safeRender(app: EmulatorApp, error: EmulatorError, request: EmulatorRequest): Reply {
  try {
    const rendered = app.renderError(error, request)
    return { ...rendered, headers: { ...error.headers, ...rendered.headers } }
  } catch {
    return reply(error.status, { text: error.message, type: 'text/plain; charset=utf-8' })
  }
}

function safely<T>(run: () => T): T | undefined {
  try {
    return run()
  } catch {
    return undefined
  }
}

async function* emptyStream(): AsyncGenerator<Buffer> {}

async function* counted(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    counter.bytes += chunk.byteLength
    yield chunk
  }
}

async function admin(
  request: EmulatorRequest,
  req: IncomingMessage,
  log: RequestLog,
  stats: EmulatorStats,
  app: EmulatorApp,
): Promise<Reply> {
  const path = request.url.pathname
  const name = path.slice(ADMIN_PREFIX.length)
  if (name === 'requests' && request.method === 'GET') {
    const after = Number(request.url.searchParams.get('after') ?? '0')
    return reply(200, { json: { requests: log.entries(Number.isSafeInteger(after) ? after : 0) } })
  }
  if (name === 'stats' && request.method === 'GET') return reply(200, { json: stats.snapshot() })
  if (name === 'stats' && request.method === 'DELETE') {
    stats.reset()
    return reply(200, { json: { reset: true } })
  }
  const own = app.adminEndpoints?.[`${request.method} ${name}`]
  if (own) {
    try {
      const body = mayHaveBody(req) ? await readBody(req, 64 * 1024) : EMPTY
      return await own({ ...request, body })
    } catch (error) {
      return reply(400, { json: { error: (error as Error)?.message ?? String(error) } })
    }
  }
  return reply(404, { json: { error: `No emulator admin endpoint ${request.method} ${path}.` } })
}

export type { Transaction }
