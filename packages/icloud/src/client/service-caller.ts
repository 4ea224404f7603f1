import type { Readable } from 'node:stream'
import type { CallOptions, HttpMethod, OwnedBody } from '@sigwire/core'

/** How the service modules reach the session (implemented by the client). */
export interface ServiceCaller {
  /**
   * Calls `path` on the `webservices` entry `service` (or on the setup host for `setup`) with the
   * common query parameters and cookies, re-authenticating once on 421/450, and returns the JSON body.
   */
  call<T>(
    service: string,
    method: HttpMethod,
    path: string,
    options?: CallOptions & {
      query?: Record<string, string | undefined>
      body?: OwnedBody
      contentType?: string
    },
  ): Promise<T>
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
   * GETs a content URL (a signed download URL: no cookies, the host policy applies) with the body as
   * a stream; error statuses come with their body read.
   */
  fetchStream(
    url: string,
    headers: Record<string, string>,
    options: CallOptions,
  ): Promise<{ status: number; header(name: string): string | undefined; body: Readable }>
  /** Records the push token in the saved session. */
  rememberPush(push: { token: string; ttl: number; topics: string[]; webCourierUrl: string }): Promise<void>
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
