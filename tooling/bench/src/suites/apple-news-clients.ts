import { createRequire } from 'node:module'
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

type Callback<T> = (error: Error | null, value?: T) => void

interface NpmAppleNews {
  readChannel(opts: { channelId: string }, cb: Callback<unknown>): void
  createArticle(
    opts: { channelId: string; article: object; bundleFiles?: Record<string, string>; isPreview?: boolean },
    cb: Callback<{ id: string }>,
  ): void
}

/**
 * The apple-news npm package (2.1.0) against the emulator in `server`. It connects with `https.request`
 * to `host`/`port` and the default global agent, so the global agent is replaced by a keep-alive agent
 * that trusts the emulator's certificate (the package would otherwise need NODE_ENV=test, which turns
 * certificate checks off). `restore()` puts the previous global agent back.
 */
export function npmAppleNews(server: ServerInfo): {
  readChannel(): Promise<unknown>
  createArticle(article: object, bundleFiles?: Record<string, string>): Promise<{ id: string }>
  restore(): void
} {
  const require = createRequire(import.meta.url)
  const createClient = require('apple-news') as (config: object) => NpmAppleNews
  // The CommonJS module object: its globalAgent is what https.request reads on every call.
  const https = require('node:https') as typeof import('node:https')
  const previous = https.globalAgent
  https.globalAgent = new https.Agent({ keepAlive: true, ca: server.certificate! })
  const url = new URL(server.url)
  const dev = server.dev!
  const client = createClient({
    apiId: dev.keyId,
    apiSecret: dev.secret,
    host: url.hostname,
    port: Number(url.port),
  })
  const channelId = dev.channelId!
  const call = <T>(run: (cb: Callback<T>) => void) =>
    new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))))
  return {
    readChannel: () => call((cb) => client.readChannel({ channelId }, cb)),
    createArticle: (article, bundleFiles) =>
      call((cb) =>
        client.createArticle(
          { channelId, article, isPreview: true, ...(bundleFiles ? { bundleFiles } : {}) },
          cb,
        ),
      ),
    restore() {
      https.globalAgent.destroy()
      https.globalAgent = previous
    },
  }
}
