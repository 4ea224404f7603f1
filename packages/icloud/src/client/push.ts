import { type CallOptions, jsonBody } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { nextStreak, pollDelayMs } from './poll-backoff.js'
import type { Raw } from './raw.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** Push topics of the iCloud web apps (docs/protocols/icloud.md §8.8, apple-icloud `apps.json`). */
export const PUSH_TOPICS = {
  /** Topic of the Contacts web app. */
  contacts: '73f7bfc9253abaaa423eba9a48e9f187994b7bd9',
  /** Topic of the Calendar web app. */
  calendar: 'dce593a0ac013016a778712b850dc2cf21af8266',
  /** Topic of the Find My web app. */
  find: 'f68850316c5241d8fd120f3bc6da2ff4a6cca9a8',
  /** Topic of the Mail web app. */
  mail: 'e850b097b840ef10ce5a7ed95b171058c42cc435',
  /** Topic of the Reminders web app. */
  reminders: '8a40cb6b1d3fcd0f5c204504eb8fb9aa64b78faf',
  /** Topic of the iWork web apps (Pages, Numbers, Keynote). */
  iwork: '5a5fc3a1fea1dfe3770aab71bc46d0aa8a4dad41',
} as const

/** A push token for the webcourier long poll. */
export interface PushToken {
  /** 64 hex characters. */
  readonly token: string
  /** The long-poll URL (`https://webcourier.push.apple.com/aps`). */
  readonly webCourierUrl: string
  /** Lifetime in seconds. */
  readonly ttl: number
  /** The topics the token receives notifications for (as `getToken` or `registerTopics` answered). */
  readonly registeredTopics: readonly string[]
}

/** The state of one topic. */
export interface PushTopicState {
  /** The topic (one of {@link PUSH_TOPICS}' values). */
  readonly topic: string
  /** The badge count of the topic's app (`data.badge`); 0 when iCloud sent none. */
  readonly badge: number
  /** The topic's whole `data` object as received. */
  readonly data: Readonly<Record<string, unknown>>
}

/** One notification from the webcourier long poll. */
export interface PushNotification {
  /** The topic it was sent on (one of {@link PUSH_TOPICS}' values); empty when the poll answer named none. */
  readonly topic: string
  /** What the notification carries, as received (the notification itself when it has no `payload`). */
  readonly payload: Readonly<Record<string, unknown>>
}

/** Push (`webservices.push`) and the webcourier long poll. */
export interface PushApi {
  /** `POST {push}/getToken`: a push token registered for `topics`. Saved in the session. */
  getToken(topics?: readonly string[], options?: CallOptions & { ttl?: number }): Promise<PushToken>
  /** `POST {push}/registerTopics`: adds topics to a token; returns the registered topics. */
  registerTopics(token: PushToken, topics: readonly string[], options?: CallOptions): Promise<string[]>
  /** `POST {push}/getState`: badge state per topic. */
  getState(topics?: readonly string[], options?: CallOptions): Promise<PushTopicState[]>
  /**
   * The webcourier long poll as an async iterator: each request blocks until notifications arrive
   * (or the server's hold time ends) and is re-issued until `signal` aborts, when the iterator ends
   * quietly. A poll answered at once with nothing (under 1 s) is re-issued after a wait that doubles
   * from 0.5 s up to 30 s, jittered; a held poll or one with notifications resets it. The push token
   * travels in the query; cookies are never sent.
   */
  notifications(
    token: PushToken,
    options?: { signal?: AbortSignal; pollTimeoutMs?: number },
  ): AsyncGenerator<PushNotification, void, undefined>
}

/** The {@link PushApi} of a session. */
export class PushService implements PushApi {
  constructor(readonly caller: ServiceCaller) {}

  async getToken(
    topics: readonly string[] = Object.values(PUSH_TOPICS),
    options: CallOptions & { ttl?: number } = {},
  ): Promise<PushToken> {
    const ttl = options.ttl ?? 43_200
    const raw = await this.caller.call<Raw>('push', 'POST', '/getToken', {
      query: { attempt: '1' },
      body: jsonBody({ pushTopics: topics, pushTokenTTL: ttl }),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
    if (typeof raw?.pushToken !== 'string' || typeof raw?.webCourierURL !== 'string')
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: 'getToken answered without pushToken and webCourierURL.',
      })
    const token: PushToken = {
      token: raw.pushToken,
      webCourierUrl: raw.webCourierURL,
      ttl: Number(raw.pushTokenTTL ?? ttl),
      registeredTopics: Array.isArray(raw.registeredTopics) ? raw.registeredTopics.map(String) : [...topics],
    }
    await this.caller.rememberPush({
      token: token.token,
      ttl: token.ttl,
      topics: [...token.registeredTopics],
      webCourierUrl: token.webCourierUrl,
    })
    return token
  }

  async registerTopics(
    token: PushToken,
    topics: readonly string[],
    options: CallOptions = {},
  ): Promise<string[]> {
    const raw = await this.caller.call<Raw>('push', 'POST', '/registerTopics', {
      query: { attempt: '1' },
      body: jsonBody({ pushToken: token.token, pushTopics: topics, pushTokenTTL: token.ttl }),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
    return Array.isArray(raw?.registeredTopics) ? raw.registeredTopics.map(String) : []
  }

  async getState(
    topics: readonly string[] = Object.values(PUSH_TOPICS),
    options: CallOptions = {},
  ): Promise<PushTopicState[]> {
    const raw = await this.caller.call<Raw>('push', 'POST', '/getState', {
      query: { pcsEnabled: 'true' },
      body: jsonBody({ pushTopics: topics }),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
    return (Array.isArray(raw?.states) ? raw.states : []).map((s: Raw) => ({
      topic: String(s.pushTopic),
      badge: Number(s.data?.badge ?? 0),
      data: s.data ?? {},
    }))
  }

  async *notifications(
    token: PushToken,
    options: { signal?: AbortSignal; pollTimeoutMs?: number } = {},
  ): AsyncGenerator<PushNotification, void, undefined> {
    const signal = options.signal
    let streak = 0
    while (!signal?.aborted) {
      if (streak > 0 && !(await wait(pollDelayMs(streak), signal))) return
      const started = performance.now()
      let result: { status: number; body: unknown }
      try {
        result = await this.caller.poll(
          token.webCourierUrl,
          { tok: token.token, ttl: String(token.ttl) },
          { timeoutMs: options.pollTimeoutMs ?? 15 * 60_000, ...(signal ? { signal } : {}) },
        )
      } catch (error) {
        if (signal?.aborted) return
        throw error
      }
      if (result.status !== 200)
        throw new ICloudError({
          code: 'SERVICE_ERROR',
          status: result.status,
          message: `The webcourier long poll answered HTTP ${result.status}; get a new push token.`,
        })
      const body = (result.body ?? {}) as Raw
      const list: Raw[] = Array.isArray(body.notifications) ? body.notifications : body.topic ? [body] : []
      streak = nextStreak(streak, performance.now() - started, list.length)
      for (const n of list)
        yield { topic: String(n.topic ?? ''), payload: (n.payload ?? n) as Record<string, unknown> }
    }
  }
}

/** Waits `ms`; false when `signal` aborted first (the iterator then ends quietly). */
function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(value)
    }
    const onAbort = () => done(false)
    const timer = setTimeout(() => done(true), ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
