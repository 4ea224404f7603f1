import { type IncomingMessage, ServerResponse } from 'node:http'
import { readBody } from './body.js'
import type { FaultController } from './faults.js'
import { listen, type RunningServer, type ServerOptions, targetUrl } from './listen.js'
import type { EmulatorRequest } from './routes.js'

/** What a raw handler plugs into {@link startEmulatorServer} (a server without a route table). */
export interface EmulatorHandlers {
  /** Answers one request (its body is read first, up to `maxBodyBytes`). */
  handle(request: EmulatorRequest, response: ServerResponse): Promise<void> | void
  /** Writes the protocol's own answer for an injected throttle or outage. */
  renderFault(
    kind: 'throttle' | 'unavailable',
    retryAfterSeconds: number,
    request: EmulatorRequest,
    response: ServerResponse,
  ): void
  /** Faults to apply before `handle`. */
  faults: FaultController
  /** Runs after the server stopped. */
  onClose?(): Promise<void>
  /** Largest accepted request body in bytes. Default 16 MiB. */
  maxBodyBytes?: number
}

/**
 * Starts a bare HTTP(S) server on loopback that reads each request's raw body, applies injected faults
 * and hands the request to `handle`. The service emulators use {@link startEmulator} instead (route
 * table, headers checked before bodies, durable state, request log); this is for one-off verifying
 * servers such as the demo's.
 */
export function startEmulatorServer(
  options: ServerOptions,
  handlers: EmulatorHandlers,
): Promise<RunningServer> {
  return listen(
    options,
    (req, res, origin) => {
      void serve(req, res, handlers, origin).catch((error: unknown) => {
        if (!res.headersSent)
          res.writeHead((error as { status?: number }).status ?? 500, {
            'content-type': 'text/plain',
            connection: 'close',
          })
        res.end(`emulator error: ${(error as Error).message}`)
      })
    },
    async () => {
      await handlers.onClose?.()
    },
  )
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: EmulatorHandlers,
  origin: string,
): Promise<void> {
  const faults = handlers.faults
  const target = req.url ?? '/'
  const url = targetUrl(target, origin) ?? new URL(`${origin}/`)
  const body = await readBody(req, handlers.maxBodyBytes ?? 16 * 1024 * 1024)
  const request: EmulatorRequest = {
    method: req.method ?? 'GET',
    target,
    headers: req.headers,
    body,
    url,
    receivedAt: faults.now(),
  }
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs))
  const fault = faults.take(url.pathname)
  if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.latencyMs))
  if (fault?.kind === 'drop') {
    req.socket.destroy()
    return
  }
  if (fault?.kind === 'throttle' || fault?.kind === 'unavailable') {
    handlers.renderFault(fault.kind, fault.retryAfterSeconds, request, res)
    return
  }
  if (fault?.kind === 'drop-after') {
    // The handler runs in full and writes to a response with no socket, thrown away with the connection.
    await handlers.handle(request, new ServerResponse(req))
    req.socket.destroy()
    return
  }
  await handlers.handle(request, res)
}

/** Writes a JSON response (for raw handlers of {@link startEmulatorServer}). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}
