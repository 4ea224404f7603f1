import { type AppleNewsClient, createAppleNewsClient } from '@sigwire/apple-news'
import { Transport } from '@sigwire/core'
import { Agent, type Dispatcher } from 'undici'
import type { ServerInfo } from '../servers.js'

/**
 * The emulator runs TLS with `publicOrigin: 'https://127.0.0.1'` because the apple-news npm package
 * signs `https://<host><path>` without the port. Our client signs the same origin (its `baseUrl`) and
 * connects to the emulator's real port through a dispatcher that rewrites the origin, trusting the
 * emulator's self-signed certificate.
 */
export function routedDispatcher(server: ServerInfo, connections = 64): Dispatcher {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000, connect: { ca: server.certificate! } })
  return agent.compose(
    (dispatch) => (options, handler) => dispatch({ ...options, origin: server.url }, handler),
  )
}

/** sigwire's Apple News client against the emulator in `server` (see {@link routedDispatcher}). */
export function sigwireAppleNews(
  server: ServerInfo,
  options: { timeoutMs?: number } = {},
): { client: AppleNewsClient; close(): Promise<void> } {
  const dispatcher = routedDispatcher(server)
  const transport = new Transport({ dispatcher, ...options })
  const dev = server.dev!
  const client = createAppleNewsClient({
    channelId: dev.channelId!,
    keyId: dev.keyId!,
    secret: dev.secret!,
    baseUrl: server.publicOrigin!,
    transport,
  })
  return {
    client,
    async close() {
      await client.close()
      await transport.close()
      await dispatcher.close()
    },
  }
}
