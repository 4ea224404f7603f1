import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { ReceivedRequest } from '@sigwire/core'
import type { FaultController } from './faults.js'
import { selfSignedCertificate, type TlsMaterial } from './tls.js'

/** A request as an emulator received it, with the parsed URL for routing. */
export interface EmulatorRequest extends ReceivedRequest {
  /** The request parsed against the server's own origin (for routing only; verify over `target`). */
  readonly url: URL
  /** Local epoch ms when the request arrived, including any injected clock offset. */
  readonly receivedAt: number
}

/** A running emulator. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string
  /** Port it listens on. */
  readonly port: number
  /** PEM of the self-signed certificate when serving TLS (give it to clients as `tls.ca`). */
  readonly certificate: string | undefined
  /** Stops listening, ends open connections, and runs the emulator's own shutdown (state flush). */
  close(): Promise<void>
}

/** Options shared by every emulator's server. */
export interface ServerOptions {
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string
  /** Serve HTTPS: `true` generates a self-signed certificate for localhost/127.0.0.1. */
  tls?: boolean | TlsMaterial
}

/** What an emulator plugs into {@link startEmulatorServer}. */
export interface EmulatorHandlers {
  /** Answers one request. */
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
  /** Runs after the server stopped (flush state). */
  onClose?(): Promise<void>
  /** Largest accepted request body in bytes. Default 2 GiB (streamed uploads are handled by `handle`). */
  maxBodyBytes?: number
  /** Routes whose bodies the handler reads itself as a stream (large uploads); matched on the path. */
  streamingPath?(path: string): boolean
}

/**
 * Starts an HTTP(S) server on loopback that reads each request's raw body, applies injected faults
 * (latency, throttling, outages, dropped connections) and hands the request to the emulator.
 */
export async function startEmulatorServer(
  options: ServerOptions,
  handlers: EmulatorHandlers,
): Promise<RunningServer> {
  const tls = options.tls === true ? await selfSignedCertificate() : options.tls || undefined
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res, handlers, origin).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`emulator error: ${(error as Error).message}`)
    })
  }
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener)
    : createHttpServer(listener)
  server.keepAliveTimeout = 30_000
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
  let closed: Promise<void> | undefined
  return {
    url: origin,
    port,
    certificate: tls?.cert,
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const socket of sockets) socket.destroy()
        })
        await handlers.onClose?.()
      })()
      return closed
    },
  }
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: EmulatorHandlers,
  origin: string,
): Promise<void> {
  const faults = handlers.faults
  const target = req.url ?? '/'
  const url = new URL(target, origin)
  const streaming = handlers.streamingPath?.(url.pathname) ?? false
  const body = streaming ? new Uint8Array(0) : await readBody(req, handlers.maxBodyBytes ?? 2 ** 31)
  if (body === undefined) {
    res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request body too large')
    return
  }
  const request: EmulatorRequest = Object.assign(Object.create(null) as object, {
    method: req.method ?? 'GET',
    target,
    headers: req.headers,
    body,
    url,
    receivedAt: faults.now(),
    stream: req,
  })
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs))
  const fault = faults.take(url.pathname)
  if (fault?.kind === 'drop') {
    req.socket.destroy()
    return
  }
  if (fault) {
    handlers.renderFault(fault.kind, fault.retryAfterSeconds, request, res)
    return
  }
  await handlers.handle(request, res)
}

/** The incoming stream of a request registered as streaming (see `EmulatorHandlers.streamingPath`). */
export function requestStream(request: EmulatorRequest): IncomingMessage {
  return (request as unknown as { stream: IncomingMessage }).stream
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > limit) return undefined
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
}

/** Writes a JSON response. */
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
