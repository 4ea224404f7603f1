import { createRequire } from 'node:module'
import type { ServerInfo } from '../servers.js'

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
