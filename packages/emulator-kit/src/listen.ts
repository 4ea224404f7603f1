import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { selfSignedCertificate, type TlsMaterial } from './tls.js'

/** A running emulator server. */
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

/** Listens on loopback (HTTP or HTTPS) and calls `listener` with each request and the server's origin. */
export async function listen(
  options: ServerOptions,
  listener: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
  onClose: () => Promise<void>,
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, origin: string) => void,
): Promise<RunningServer> {
  const tls = options.tls === true ? await selfSignedCertificate() : options.tls || undefined
  let origin = ''
  const handler = (req: IncomingMessage, res: ServerResponse) => listener(req, res, origin)
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
    : createHttpServer(handler)
  server.keepAliveTimeout = 30_000
  // Without a handler Node answers nothing to an upgrade request; end the socket instead.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (onUpgrade) onUpgrade(req, socket, head, origin)
    else socket.destroy()
  })
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
  origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
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
        await onClose()
      })()
      return closed
    },
  }
}

/** Parses a request-target against the server's origin; undefined for a target that is not a path. */
export function targetUrl(target: string, origin: string): URL | undefined {
  if (!target.startsWith('/')) return undefined
  try {
    // Concatenated, not resolved: a target such as `//host/x` must stay a path on this server.
    return new URL(origin + target)
  } catch {
    return undefined
  }
}
