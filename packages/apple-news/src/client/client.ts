import { checkBaseUrl, Transport, type TransportOptions } from '@sigwire/core'
import { APPLE_NEWS_API_ORIGIN } from '../constants.js'
import { toAppleNewsError } from '../errors.js'
import type { AppleNewsCredentials } from '../signing/credentials.js'
import { type AppleNewsSigner, createAppleNewsSigner } from '../signing/signer.js'
import { checkId } from './api.js'
import { type ArticlesApi, articlesApi } from './articles.js'
import { type ChannelsApi, channelsApi } from './channels.js'
import { type SectionsApi, sectionsApi } from './sections.js'

/** Options of {@link createAppleNewsClient}: credentials, the channel, and transport settings. */
export interface AppleNewsClientOptions extends AppleNewsCredentials {
  /** The channel the key belongs to (the default of every call). */
  readonly channelId: string
  /**
   * API origin. Default `https://news-api.apple.com`; an emulator's `url` for local runs. No query,
   * fragment or credentials; `http://` only to loopback unless `allowInsecureHttp`.
   */
  readonly baseUrl?: string
  /** Allow `baseUrl` to be `http://` to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean
  /** Write quoted `key="..."` header values. Default false. */
  readonly quoteValues?: boolean
  /**
   * A transport to share (not closed by `close()`), or the options of the client's own: `timeoutMs`,
   * `retry`, `tls`, `proxy`, `clock`, ...
   */
  readonly transport?: Transport | TransportOptions
  /** Aborts every call of the client (each call may also take its own `signal`). */
  readonly signal?: AbortSignal
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
 * Creates an Apple News API client. Credentials and `baseUrl` are validated now (`INVALID_KEY_ID`,
 * `INVALID_SECRET`, `INVALID_ARGUMENT`) and the secret is registered with the transport's redactor,
 * so it never reaches an error or a log. Every request is signed (HHMAC over method, URL, date and,
 * for POST, the exact Content-Type and body), retried on 429 honouring `Retry-After`, and re-signed
 * once when Apple's clock disagrees. Every error, transport errors included, is an `AppleNewsError`.
 */
export function createAppleNewsClient(options: AppleNewsClientOptions): AppleNewsClient {
  try {
    return clientOf(options)
  } catch (error) {
    throw toAppleNewsError(error)
  }
}

function clientOf(options: AppleNewsClientOptions): AppleNewsClient {
  const signer = createAppleNewsSigner({
    keyId: options.keyId,
    secret: options.secret,
    ...(options.quoteValues === undefined ? {} : { quoteValues: options.quoteValues }),
  })
  const channelId = checkId(options.channelId, 'channel ID')
  const baseUrl = checkBaseUrl(options.baseUrl ?? APPLE_NEWS_API_ORIGIN, {
    allowInsecureHttp: options.allowInsecureHttp,
  }).href.replace(/\/+$/, '')
  const owned = !(options.transport instanceof Transport)
  const transport =
    options.transport instanceof Transport ? options.transport : new Transport(options.transport)
  transport.redactor.addSecret(options.secret)
  const context = { baseUrl, channelId, transport, signer, signal: options.signal }
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
