import { SigwireError } from '../errors/sigwire-error.js'
import type { Redactor } from '../redact/redactor.js'
import { type HttpRequest, requestUrl } from './http-request.js'

let nextId = 0

/**
 * The abort signal of one call, in the EventEmitter shape undici accepts for `signal` (`aborted`,
 * `reason`, `on`/`once`/`removeListener` of `'abort'`; undici's api-request.js and util.addAbortListener).
 * An AbortController costs microseconds per call (an EventTarget, and undici adds and removes a
 * listener on it for every request); this is a field and a listener list.
 */
export class CallSignal {
  aborted = false
  reason: unknown = undefined
  #listeners: (() => void)[] | undefined

  on(_event: 'abort', listener: () => void): this {
    if (this.#listeners === undefined) this.#listeners = [listener]
    else this.#listeners.push(listener)
    return this
  }

  /** Every listener is called at most once: the signal aborts once. */
  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener)
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const listeners = this.#listeners
    const at = listeners === undefined ? -1 : listeners.lastIndexOf(listener)
    if (at !== -1) listeners!.splice(at, 1)
    return this
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = new DOMException('This operation was aborted', 'AbortError')
    const listeners = this.#listeners
    this.#listeners = undefined
    if (listeners) for (const listener of listeners) listener()
  }
}

/**
 * The state of one call across its attempts: one abort signal for the caller's signal and the time
 * limit together (a {@link CallSignal} and a plain timer: cheaper per call than an AbortController,
 * let alone AbortSignal.timeout plus AbortSignal.any), and the redacted URL, computed only if an error
 * or a log line needs it.
 */
export class Call {
  readonly id = ++nextId
  readonly signal = new CallSignal()
  /** The request as the caller built it (before signing). */
  readonly request: HttpRequest
  readonly #callerSignal: AbortSignal | undefined
  readonly #timeoutMs: number
  readonly #redactor: Redactor
  readonly #timer: NodeJS.Timeout
  readonly #onCallerAbort = () => this.signal.abort()
  #keepCaller = false
  #url: string | undefined

  constructor(
    request: HttpRequest,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
    redactor: Redactor,
  ) {
    this.request = request
    this.#redactor = redactor
    this.#callerSignal = callerSignal
    this.#timeoutMs = timeoutMs
    const signal = this.signal
    this.#timer = setTimeout(() => signal.abort(), timeoutMs)
    this.#timer.unref()
    if (callerSignal?.aborted) signal.abort()
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true })
  }

  /** The call's time limit in ms. */
  get timeoutMs(): number {
    return this.#timeoutMs
  }

  /** True when the caller's own signal fired (not the time limit). */
  get abortedByCaller(): boolean {
    return this.#callerSignal?.aborted === true
  }

  /** The request's URL with credentials masked. */
  url(): string {
    this.#url ??= this.#redactor.redactUrl(requestUrl(this.request))
    return this.#url
  }

  /** `ABORTED` when the caller's signal fired, else `TIMEOUT`. */
  abortError(): SigwireError {
    if (this.abortedByCaller) {
      return new SigwireError({
        code: 'ABORTED',
        message: `The request to ${this.url()} was aborted by the caller.`,
      })
    }
    return new SigwireError({
      code: 'TIMEOUT',
      message: `The request to ${this.url()} did not complete within ${this.#timeoutMs} ms (retries included); raise timeoutMs or check the service.`,
      details: { timeoutMs: this.#timeoutMs },
    })
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw this.abortError()
  }

  /** Waits `ms` (a retry's backoff); rejects with {@link Call.abortError} when the call is aborted. */
  sleep(ms: number): Promise<void> {
    const signal = this.signal
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(this.abortError())
        return
      }
      const onAbort = () => {
        clearTimeout(timer)
        reject(this.abortError())
      }
      const timer = setTimeout(() => {
        signal.removeListener('abort', onAbort)
        resolve()
      }, ms)
      signal.once('abort', onAbort)
    })
  }

  /** A streamed body stays cancellable by the caller after the call returns. */
  keepCallerSignal(): void {
    this.#keepCaller = true
  }

  /**
   * The streamed body ended, failed or was destroyed: the caller's signal lets go of this call. Without
   * it every download left a listener (and the call it holds) on a signal shared by a whole run, and
   * `addEventListener` walks the existing listeners, so thousands of downloads slowed down quadratically.
   */
  releaseCallerSignal(): void {
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort)
  }

  end(): void {
    clearTimeout(this.#timer)
    if (!this.#keepCaller) this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort)
  }
}
