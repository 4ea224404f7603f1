import { setTimeout as sleep } from 'node:timers/promises'
import { type CallOptions, type TransportResponse, utf8Decode } from '@sigwire/core'
import { CloudKitError, isCloudKitError } from '../errors.js'
import type { Connection } from './connection.js'
import { type CloudKitNotification, parseNotification } from './notification-types.js'
import { invalid } from './query.js'
import { errorFromResponse } from './response-errors.js'
import type { PushRegistration, PushRegistrationStore } from './stores.js'
import type { TokensApi } from './tokens.js'

/** Options of {@link NotificationsApi.poll}. */
export interface PollOptions extends CallOptions {}

/** Options of {@link NotificationsApi.listen}. */
export interface ListenOptions extends CallOptions {
  /** The APNs environment of a new token. Default `development`. */
  apnsEnvironment?: 'development' | 'production'
  /**
   * Where the push registration is kept: a run that finds one registers that token again and keeps
   * reading its queue (notifications queued while nothing listened are delivered); otherwise a token is
   * created and saved. Without a store every run starts a new token.
   */
  store?: PushRegistrationStore
  /** Waits after a failed poll: `initialMs` (default 500), doubled up to `maxMs` (default 30 000). */
  backoff?: {
    /** The first wait after a failure, ms. Default 500. */
    initialMs?: number
    /** The longest wait, ms. Default 30 000. */
    maxMs?: number
  }
  /** Told of each failed poll and how long the listener waits before the next. */
  onError?: (error: CloudKitError, retryInMs: number) => void
  /** Longest time one poll may be held by the server. Default 5 minutes. */
  pollTimeoutMs?: number
}

/**
 * Notifications of the signed-in user's subscriptions, read from the `webcourierURL` that
 * `tokens/create` hands out (docs/protocols/cloudkit.md §10): CloudKit JS long-polls it for web
 * pages; this API does the same from Node.
 */
export interface NotificationsApi {
  /**
   * One long poll of a webcourier URL: the next notification, or undefined when the server held the
   * request and had nothing (poll again). The URL is the credential; it is not signed.
   */
  poll(webcourierURL: string, options?: PollOptions): Promise<CloudKitNotification | undefined>
  /**
   * Every notification, as they come: creates (or, from `store`, resumes) a push registration and
   * polls its webcourier URL without end, waiting longer after each failure (a token the server no
   * longer knows is replaced). Stop with `break` or the `signal`; both end the iterator quietly.
   */
  listen(options?: ListenOptions): AsyncGenerator<CloudKitNotification>
}

/** The {@link NotificationsApi} of a client. */
export class Notifications implements NotificationsApi {
  readonly #connection: Connection
  readonly #tokens: TokensApi

  constructor(connection: Connection, tokens: TokensApi) {
    this.#connection = connection
    this.#tokens = tokens
  }

  async poll(webcourierURL: string, options: PollOptions = {}): Promise<CloudKitNotification | undefined> {
    if (typeof webcourierURL !== 'string' || !/^https?:\/\//.test(webcourierURL))
      throw invalid('poll needs the webcourierURL that tokens.create returned.')
    this.#connection.transport.redactor.addSecret(webcourierURL)
    const response: TransportResponse = await this.#connection.unsigned('GET', webcourierURL, undefined, {
      ...options,
      timeoutMs: options.timeoutMs ?? 300_000,
    })
    if (response.status === 204) return undefined
    if (response.status < 200 || response.status >= 300)
      throw errorFromResponse(response, this.#connection.unsignedContext)
    const text = utf8Decode(response.body).trim()
    if (text === '' || text === 'null') return undefined
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      throw new CloudKitError({
        code: 'INVALID_RESPONSE',
        status: response.status,
        message: 'The webcourier URL answered something that is not a JSON notification.',
      })
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      throw new CloudKitError({
        code: 'INVALID_RESPONSE',
        status: response.status,
        message: 'The webcourier URL answered JSON that is not a notification dictionary.',
      })
    return parseNotification(payload as Record<string, unknown>)
  }

  async *listen(options: ListenOptions = {}): AsyncGenerator<CloudKitNotification> {
    const signal = this.#connection.signalOf(options)
    const initial = options.backoff?.initialMs ?? 500
    const max = options.backoff?.maxMs ?? 30_000
    let registration = await this.#register(options)
    let wait = initial
    while (!signal?.aborted) {
      let notification: CloudKitNotification | undefined
      try {
        notification = await this.poll(registration.webcourierURL, {
          ...(signal ? { signal } : {}),
          timeoutMs: options.pollTimeoutMs ?? 300_000,
        })
      } catch (error) {
        if (signal?.aborted || isCloudKitError(error, 'ABORTED')) return
        if (!isCloudKitError(error)) throw error
        // A token the server forgot (404): start a new registration rather than poll it forever.
        if (error.status === 404 || error.code === 'NOT_FOUND') {
          await options.store?.clear()
          registration = await this.#register({ ...options, store: undefined }, options.store)
        }
        options.onError?.(error, wait)
        try {
          await sleep(wait, undefined, signal ? { signal } : {})
        } catch {
          return
        }
        wait = Math.min(max, wait * 2)
        continue
      }
      wait = initial
      if (notification) yield notification
    }
  }

  /** The saved registration, registered again; or a new token, saved. */
  async #register(options: ListenOptions, saveTo = options.store): Promise<PushRegistration> {
    const saved = await options.store?.load()
    const redactor = this.#connection.transport.redactor
    if (saved) {
      redactor.addSecret(saved.apnsToken)
      redactor.addSecret(saved.webcourierURL)
      await this.#tokens.register(
        { apnsEnvironment: saved.apnsEnvironment, apnsToken: saved.apnsToken },
        options,
      )
      return saved
    }
    const created = await this.#tokens.create(
      { apnsEnvironment: options.apnsEnvironment ?? 'development' },
      options,
    )
    if (!created.webcourierURL)
      throw new CloudKitError({
        code: 'INVALID_RESPONSE',
        message: 'tokens/create answered without a webcourierURL, so there is nothing to poll.',
      })
    redactor.addSecret(created.apnsToken)
    redactor.addSecret(created.webcourierURL)
    const registration: PushRegistration = {
      apnsEnvironment: created.apnsEnvironment,
      apnsToken: created.apnsToken,
      webcourierURL: created.webcourierURL,
    }
    await saveTo?.save(registration)
    return registration
  }
}
