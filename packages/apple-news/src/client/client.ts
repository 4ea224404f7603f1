import { Transport, type TransportOptions } from '@sigwire/core'
import { APPLE_NEWS_API_ORIGIN } from '../constants.js'
import type { AppleNewsCredentials } from '../signing/credentials.js'
import { type AppleNewsSigner, createAppleNewsSigner } from '../signing/signer.js'
import { checkId } from './api.js'
import { type ArticlesApi, articlesApi } from './articles.js'
import { type ChannelsApi, channelsApi } from './channels.js'
import { type SectionsApi, sectionsApi } from './sections.js'

/** Options of {@link createAppleNewsClient}: credentials, the channel, and transport settings. */
export interface AppleNewsClientOptions extends AppleNewsCredentials, TransportOptions {
  /** The channel the key belongs to (the default of every call). */
  readonly channelId: string
  /** API origin. Default `https://news-api.apple.com`; an emulator's `url` for local runs. */
  readonly baseUrl?: string
  /** Write quoted `key="..."` header values. Default false. */
  readonly quoteValues?: boolean
  /** Use this transport instead of creating one (it is not closed by `close()`). */
  readonly transport?: Transport
}

/** The Apple News API client. Every call takes `{ signal, timeoutMs }`. */
export interface AppleNewsClient {
  /** The channel of the client. */
  readonly channelId: string
  /** The HHMAC signer (for `sigwire doctor` and custom calls). */
  readonly signer: AppleNewsSigner
  /** The transport the client sends with. */
  readonly transport: Transport
  /** Channel and quota. */
  readonly channels: ChannelsApi
  /** Sections and promoted articles. */
  readonly sections: SectionsApi
  /** Create, read, update, delete and search articles. */
  readonly articles: ArticlesApi
  /** Closes the connections (not those of a transport passed in). */
  close(): Promise<void>
}

/**
 * Creates an Apple News API client. Credentials are validated now (`INVALID_KEY_ID`, `INVALID_SECRET`)
 * and the secret is registered with the transport's redactor, so it never reaches an error or a log.
 * Every request is signed (HHMAC over method, URL, date and, for POST, the exact Content-Type and
 * body), retried on 429 honouring `Retry-After`, and re-signed once when Apple's clock disagrees.
 */
export function createAppleNewsClient(options: AppleNewsClientOptions): AppleNewsClient {
  const signer = createAppleNewsSigner({
    keyId: options.keyId,
    secret: options.secret,
    ...(options.quoteValues === undefined ? {} : { quoteValues: options.quoteValues }),
  })
  const channelId = checkId(options.channelId, 'channel ID')
  const owned = options.transport === undefined
  const transport = options.transport ?? new Transport(options)
  transport.redactor.addSecret(options.secret)
  const baseUrl = (options.baseUrl ?? APPLE_NEWS_API_ORIGIN).replace(/\/+$/, '')
  const context = { baseUrl, channelId, transport, signer }
  return {
    channelId,
    signer,
    transport,
    channels: channelsApi(context),
    sections: sectionsApi(context),
    articles: articlesApi(context),
    async close() {
      if (owned) await transport.close()
    },
  }
}
