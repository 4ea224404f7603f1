import {
  createRequest,
  firstHeader,
  type HttpMethod,
  type HttpRequest,
  type OwnedBody,
  type ProgressListener,
  parseRetryAfter,
  type SendOptions,
  type StreamResponse,
  type Transport,
  type TransportResponse,
  utf8Decode,
} from '@sigwire/core'
import { HARVESTED_HEADERS } from '../constants.js'
import { ICloudError, toICloudError } from '../errors.js'
import type { SessionCookies } from './cookies.js'
import type { HostPolicy, HostVerdict } from './host-policy.js'
import type { SessionState } from './state.js'

/** How to check a change whose answer was lost (`OUTCOME_UNKNOWN`). */
const OUTCOME_HINT =
  'Read the data again (the same service) to see whether the change was applied before repeating it.'

/** One call made through {@link SessionHttp}. */
export interface SessionCall {
  method: HttpMethod
  url: string
  /** Named in errors (`signin/init`, `contacts`...). */
  purpose: string
  query?: Record<string, string | undefined>
  headers?: Record<string, string | undefined>
  body?: OwnedBody
  /** Attach the session cookies (default true; still subject to the host policy). */
  cookies?: boolean
  /** Harvest the IDMSA conversation headers from the response (§2.3). */
  harvest?: boolean
  signal?: AbortSignal
  timeoutMs?: number
  /** The operation may be repeated safely although it is a POST. */
  retrySafe?: boolean
  /** Told as the request body is handed to the socket (uploads). */
  onUploadProgress?: ProgressListener
}

/** A response with its body parsed lazily. */
export interface SessionResponse {
  readonly status: number
  readonly headers: TransportResponse['headers']
  readonly body: Uint8Array
  /** The body as JSON, or undefined when it is empty or not JSON. */
  json<T = unknown>(): T | undefined
  /** One response header. */
  header(name: string): string | undefined
}

/**
 * Sends the session's requests: every URL passes the host policy first, cookies are attached only to
 * the exact origins `cookieOrigins` names (the client's endpoints and the services of the last
 * verified account document), `Set-Cookie` is stored, and IDMSA headers are harvested into the state.
 */
export class SessionHttp {
  constructor(
    readonly transport: Transport,
    readonly policy: HostPolicy,
    public cookies: SessionCookies,
    readonly state: () => SessionState,
    readonly cookieOrigins: () => ReadonlySet<string>,
  ) {}

  /** Sends one call; every error, transport errors included, is an `ICloudError`. */
  async call(call: SessionCall): Promise<SessionResponse> {
    try {
      return await this.#send(call)
    } catch (error) {
      throw toICloudError(error)
    }
  }

  /**
   * Sends one call whose 2xx body is streamed in constant memory (content downloads); other answers
   * are read into memory and come back as a one-chunk stream. The host policy and cookies apply as
   * for {@link SessionHttp.call}.
   */
  async stream(call: SessionCall & { onDownloadProgress?: ProgressListener }): Promise<StreamResponse> {
    try {
      const { request, url, verdict } = await this.#prepare(call)
      const response = await this.transport.sendStream(request, {
        ...this.#sendOptions(call),
        ...(call.onDownloadProgress ? { onDownloadProgress: call.onDownloadProgress } : {}),
      })
      if (verdict.cookies && this.cookieOrigins().has(verdict.origin))
        await this.cookies.store(url, response.headers['set-cookie'])
      return response
    } catch (error) {
      throw toICloudError(error)
    }
  }

  async #send(call: SessionCall): Promise<SessionResponse> {
    const { request, url, verdict } = await this.#prepare(call)
    const response = await this.transport.send(request, this.#sendOptions(call))
    if (verdict.cookies && this.cookieOrigins().has(verdict.origin))
      await this.cookies.store(url, response.headers['set-cookie'])
    if (call.harvest) this.harvest(response.headers)
    return wrap(response)
  }

  async #prepare(call: SessionCall): Promise<{ request: HttpRequest; url: string; verdict: HostVerdict }> {
    const verdict = this.policy.check(call.url, call.purpose)
    const url = verdict.url.toString()
    // Cookies ignore ports (RFC 6265 §8.5): the origin check keeps them on the origins named.
    const withCookies = verdict.cookies && call.cookies !== false && this.cookieOrigins().has(verdict.origin)
    const cookie = withCookies ? await this.cookies.header(url) : undefined
    const request = createRequest({
      method: call.method,
      // The URL the policy parsed, not `url`: no second parse per call.
      url: verdict.url,
      ...(call.query ? { query: call.query } : {}),
      headers: { ...call.headers, cookie },
      ...(call.body ? { body: call.body } : {}),
    })
    return { request, url, verdict }
  }

  #sendOptions(call: SessionCall): SendOptions {
    return {
      classify: (r) => (r.status === 503 && call.method !== 'GET' ? { retry: 'never' } : undefined),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
      ...(call.retrySafe ? { retrySafe: true } : { outcomeHint: OUTCOME_HINT }),
      ...(call.onUploadProgress ? { onUploadProgress: call.onUploadProgress } : {}),
    }
  }

  /** Copies the IDMSA conversation headers of a response into the state (and registers them as secrets). */
  harvest(headers: TransportResponse['headers']): void {
    const state = this.state() as unknown as Record<string, unknown>
    for (const [header, field] of Object.entries(HARVESTED_HEADERS)) {
      const value = firstHeader(headers[header])
      if (value === undefined || value === '') continue
      if (field !== 'accountCountry' && field !== 'trustEligible') this.transport.redactor.addSecret(value)
      state[field] = value
    }
  }
}

function wrap(response: TransportResponse): SessionResponse {
  let parsed: { value: unknown } | undefined
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    json<T>() {
      if (parsed === undefined) {
        try {
          const text = utf8Decode(response.body)
          parsed = { value: text.trim() === '' ? undefined : JSON.parse(text) }
        } catch {
          parsed = { value: undefined }
        }
      }
      return parsed.value as T | undefined
    },
    header(name) {
      return firstHeader(response.headers[name.toLowerCase()])
    },
  }
}

/** The first service error code in an Apple error body (`serviceErrors`, `service_errors`, `errorCode`...). */
export function serviceErrorCode(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const record = body as Record<string, unknown>
  for (const key of ['serviceErrors', 'service_errors', 'validationErrors']) {
    const list = record[key]
    if (Array.isArray(list) && list.length > 0) {
      const code = (list[0] as { code?: unknown }).code
      if (code !== undefined) return String(code)
    }
  }
  for (const key of ['errorCode', 'serverErrorCode', 'error', 'reason']) {
    const value = record[key]
    if (typeof value === 'string' || typeof value === 'number') return String(value)
  }
  return undefined
}

/** A THROTTLED error for a 503/429 answer. */
export function throttledError(response: SessionResponse, purpose: string): ICloudError {
  const wait = parseRetryAfter(response.header('retry-after'))
  return new ICloudError({
    code: 'THROTTLED',
    status: response.status,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    message: `Apple is throttling ${purpose} (HTTP ${response.status}). Wait ${wait === undefined ? 'several minutes' : `${Math.ceil(wait / 1000)} s`} before trying again, and do not sign in repeatedly or from several processes at once.`,
  })
}
