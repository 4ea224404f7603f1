import type { CallOptions, HttpMethod, OwnedBody, ProgressListener, StreamResponse } from '@sigwire/core'
import type { SessionResponse } from '../session/http.js'

/** Options of a service call. */
export type ServiceCallOptions = CallOptions & {
  query?: Record<string, string | undefined>
  body?: OwnedBody
  contentType?: string
  /** The call only reads (a POST that lists): it may be sent again after a lost answer. */
  retrySafe?: boolean
}

/** A request to a URL a service handed out (Drive content hosts): no common query, no renewal. */
export interface ContentCall extends CallOptions {
  method: HttpMethod
  url: string
  /** Named in errors. */
  purpose: string
  headers?: Record<string, string | undefined>
  body?: OwnedBody
  /** Send the session cookies where the host policy allows (default false: the URL carries its own token). */
  cookies?: boolean
  /** The request may be sent again safely although it is a POST. */
  retrySafe?: boolean
  onUploadProgress?: ProgressListener
}

/** How the service modules reach the session (implemented by the client). */
export interface ServiceCaller {
  /**
   * Calls `path` on the `webservices` entry `service` (or on the setup host for `setup`) with the
   * common query parameters and cookies, re-authenticating once on 421/450, and returns the JSON body.
   */
  call<T>(service: string, method: HttpMethod, path: string, options?: ServiceCallOptions): Promise<T>
  /**
   * GETs a URL that carries its own token (the webcourier long poll): host policy applies, cookies
   * are never attached. Returns the status and the JSON body (undefined when empty).
   */
  poll(
    url: string,
    query: Record<string, string>,
    options: { signal?: AbortSignal; timeoutMs: number },
  ): Promise<{ status: number; body: unknown }>
  /**
   * Like {@link ServiceCaller.call}, but answers the response whatever its status (421/450 still renew
   * the session once; 503/429 still throw `THROTTLED`), for services whose errors need reading.
   */
  respond(
    service: string,
    method: HttpMethod,
    path: string,
    options?: ServiceCallOptions,
  ): Promise<SessionResponse>
  /** Sends a {@link ContentCall} and reads the answer into memory (an upload's receipt). */
  content(call: ContentCall): Promise<SessionResponse>
  /** Sends a {@link ContentCall} whose 2xx body is streamed in constant memory (a download). */
  contentStream(call: ContentCall): Promise<StreamResponse>
  /** The value of session cookie `name` as it would be sent to web service `service`. */
  cookie(service: string, name: string): Promise<string | undefined>
  /** Records the push token in the saved session. */
  rememberPush(push: { token: string; ttl: number; topics: string[]; webCourierUrl: string }): Promise<void>
  /**
   * The sign-in's session token (`dsWebAuthToken`), for the calls that prove the user signed in (the
   * Find My erase token, docs/protocols/icloud.md §25); undefined when the session holds none.
   */
  sessionToken(): string | undefined
  /** The signed-in account's dsid (in the path of some calls, e.g. `webgetalbumslist`); undefined before sign-in. */
  dsid(): string | undefined
  /**
   * The base URL of web service `service` from the account document (`SERVICE_NOT_AVAILABLE` when it is
   * not listed), for services that hand out URLs below it (a shared album's `albumlocation`).
   */
  serviceUrl(service: string): string
  /** Keeps `value` (a credential a service handed out) out of errors, logs and traces. */
  redact(value: string): void
  /** The user's time zone (calendar `usertz`). */
  readonly timeZone: string
  /** Locale (`en_US`), for contacts. */
  readonly locale: string
}

/** The signal and time limit of `options`, for {@link ServiceCaller.call}. */
export function callOptions(options: CallOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  }
}
