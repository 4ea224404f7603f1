import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the loopback server received it. */
export interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
  socket: number
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port, recording what it receives. */
export async function startLoopback(
  handler: (req: Received, res: ServerResponse, index: number) => unknown,
): Promise<{
  url: string
  received: Received[]
  connections: () => number
  server: Server
  close: () => Promise<void>
}> {
  const received: Received[] = []
  let connections = 0
  const sockets = new WeakMap<object, number>()
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    req.on('error', () => {})
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer)
    } catch {
      return
    }
    const entry: Received = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks),
      socket: sockets.get(req.socket)!,
    }
    received.push(entry)
    await handler(entry, res, received.length - 1)
  })
  server.on('connection', (socket) => {
    connections++
    sockets.set(socket, connections)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    connections: () => connections,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Lines written by util.debuglog('sigwire') in this worker (see capture-debug.ts). */
export function debugLines(): string[] {
  return (globalThis as { __sigwireDebugLines?: string[] }).__sigwireDebugLines ?? []
}
