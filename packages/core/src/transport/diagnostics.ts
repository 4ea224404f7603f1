import type { SigwireError } from '../errors/sigwire-error.js'
import { channels } from '../observe/channels.js'
import { debug } from '../observe/debug.js'
import type { Redactor } from '../redact/redactor.js'
import { type HttpRequest, requestUrl } from './http-request.js'

/**
 * The transport's redacted diagnostics: `NODE_DEBUG=sigwire` lines and the `sigwire:request:*`
 * diagnostics channels. Each publisher returns at once when nobody listens.
 */
export class Diagnostics {
  readonly #redactor: Redactor

  constructor(redactor: Redactor) {
    this.#redactor = redactor
  }

  /** True when a start or finish event would reach anyone (so the caller may skip timing). */
  get listening(): boolean {
    return debug.enabled || channels.start.hasSubscribers || channels.finish.hasSubscribers
  }

  start(id: number, request: HttpRequest, attempt: number): void {
    if (!debug.enabled && !channels.start.hasSubscribers) return
    const url = this.#url(request)
    if (debug.enabled) debug('-> %s %s (attempt %d)', request.method, url, attempt)
    if (channels.start.hasSubscribers)
      channels.start.publish({
        id,
        method: request.method,
        url,
        attempt,
        headers: this.#redactor.redactHeaders(request.headers),
      })
  }

  finish(id: number, request: HttpRequest, attempt: number, status: number, started: number): void {
    if (!debug.enabled && !channels.finish.hasSubscribers) return
    const url = this.#url(request)
    const durationMs = Math.round(performance.now() - started)
    if (debug.enabled) debug('<- %d %s %s in %d ms', status, request.method, url, durationMs)
    if (channels.finish.hasSubscribers)
      channels.finish.publish({ id, method: request.method, url, attempt, status, durationMs })
  }

  retry(id: number, request: HttpRequest, attempt: number, delayMs: number, reason: string): void {
    if (!debug.enabled && !channels.retry.hasSubscribers) return
    const url = this.#url(request)
    const text = this.#redactor.redactText(reason)
    if (debug.enabled)
      debug('retry %s %s after attempt %d in %d ms: %s', request.method, url, attempt, delayMs, text)
    if (channels.retry.hasSubscribers)
      channels.retry.publish({ id, method: request.method, url, attempt, delayMs, reason: text })
  }

  error(id: number, request: HttpRequest, attempt: number, error: SigwireError): void {
    if (!debug.enabled && !channels.error.hasSubscribers) return
    const url = this.#url(request)
    if (debug.enabled)
      debug('error %s %s attempt %d: %s %s', request.method, url, attempt, error.code, error.message)
    if (channels.error.hasSubscribers)
      channels.error.publish({
        id,
        method: request.method,
        url,
        attempt,
        code: error.code,
        message: error.message,
      })
  }

  #url(request: HttpRequest): string {
    return this.#redactor.redactUrl(requestUrl(request))
  }
}
