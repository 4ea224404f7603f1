import type { EventEmitter } from 'node:events'
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { type Clock, clockMs, SkewClock } from '../clock/clock.js'
import { SigwireError } from '../errors/sigwire-error.js'
import { channels } from '../observe/channels.js'
import { debug } from '../observe/debug.js'
import { contentLength, trackDownload } from '../progress/download-progress.js'
import type { ProgressListener } from '../progress/progress-listener.js'
import { type TrackedUpload, trackUpload } from '../progress/upload-progress.js'
import { Redactor } from '../redact/redactor.js'
import { lazyTrace } from '../tokens/lazy-trace.js'
import type { TokenTrace } from '../tokens/token.js'
import { createDispatcher, type DispatcherOptions } from './dispatcher.js'
import { type HttpRequest, isIdempotent, requestUrl } from './http-request.js'
import {
  backoffDelay,
  defaultRetryMode,
  parseRetryAfter,
  type RetryMode,
  type RetryOptions,
  type RetrySettings,
  retrySettings,
} from './retry-policy.js'
import { applySignature, type RequestSigner, type SignOutput } from './signer.js'

/** Options for {@link Transport}. */
export interface TransportOptions extends DispatcherOptions {
  /** An undici dispatcher to use instead of creating one. The transport does not close it. */
  dispatcher?: Dispatcher
  /** Where signers get the time. Default: a {@link SkewClock} that learns from server `Date` headers. */
  clock?: Clock
  /** Shared redactor; adapters register their secrets on it. Default: a new one. */
  redactor?: Redactor
  /** Retry settings. */
  retry?: RetryOptions
  /** Default time limit per call, retries and waits included, in ms. Default 60 000. */
  timeoutMs?: number
  /** Largest response body read into memory. Default 64 MiB. */
  maxResponseBytes?: number
  /** `User-Agent` sent when the request has none. */
  userAgent?: string
  /** Random source for backoff jitter (tests). Default `Math.random`. */
  random?: () => number
}

/** An adapter's reading of a response. */
export interface ResponseVerdict {
  /** Whether to retry; default from the status (429 always, 502/503/504 if safe). */
  retry?: RetryMode
  /** How long to wait before retrying, when the protocol says (CloudKit `retryAfter`). */
  retryAfterMs?: number
  /** True when the service rejected the request's authentication. */
  authFailure?: boolean
}

/** Per-call options of {@link Transport.send}. */
export interface SendOptions {
  /** Signs every attempt. Omit for unsigned requests. */
  signer?: RequestSigner
  /** The operation may be repeated even though its method is not idempotent. */
  retrySafe?: boolean
  /** Cancels the call (retries and waits included). */
  signal?: AbortSignal
  /** Time limit for this call in ms (overrides the transport default). */
  timeoutMs?: number
  /** Reads a response for retry hints and authentication failures. */
  classify?: (response: TransportResponse) => ResponseVerdict | undefined
  /**
   * The protocol's freshness window in ms. When set, an authentication failure whose response `Date`
   * is further than this from the date that was signed is re-signed once with the corrected clock.
   */
  skewWindowMs?: number
  /**
   * Told as the request body is handed to the socket (see {@link ProgressListener}); called again from
   * `(0, total)` on every attempt, since a retry sends the body again.
   */
  onUploadProgress?: ProgressListener
}

/** Per-call options of {@link Transport.sendStream}. */
export interface StreamSendOptions extends SendOptions {
  /**
   * Told as the streamed 2xx body is handed to the reader; `total` is the `Content-Length`, undefined
   * when the response has none (see {@link ProgressListener}).
   */
  onDownloadProgress?: ProgressListener
}

/** A response read into memory. */
export interface TransportResponse {
  /** HTTP status. */
  readonly status: number
  /** Response headers, lower-case names (`set-cookie` is an array). */
  readonly headers: IncomingHttpHeaders
  /** The body bytes. */
  readonly body: Uint8Array
  /** The request exactly as sent on the last attempt (signed). */
  readonly request: HttpRequest
  /** What was signed on the last attempt (secrets masked); empty when unsigned. */
  readonly trace: readonly TokenTrace[]
  /** Attempts made, first included. */
  readonly attempts: number
}

/** A response whose body is streamed (downloads). Error statuses are read into memory first. */
export interface StreamResponse extends Omit<TransportResponse, 'body'> {
  /** The body as a stream; consume or destroy it. */
  readonly body: Readable
}

let nextId = 0

/**
 * The one transport: signs before dispatch and again on every attempt, sends with undici's
 * `dispatcher.request` over keep-alive connections, retries with backoff that honours `Retry-After`
 * and protocol hints, enforces timeouts and abort signals, corrects clock skew once, and publishes
 * redacted diagnostics. A client owns one transport and calls {@link Transport.close} when done.
 */
export class Transport {
  /** Clock shared with the signers. */
  readonly clock: Clock
  /** Redactor shared with the adapter. */
  readonly redactor: Redactor
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #retry: RetrySettings
  readonly #timeoutMs: number
  readonly #maxResponseBytes: number
  readonly #userAgent: string
  readonly #random: () => number
  #closed = false

  constructor(options: TransportOptions = {}) {
    this.clock = options.clock ?? new SkewClock()
    this.redactor = options.redactor ?? new Redactor()
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? createDispatcher(options)
    this.#retry = retrySettings(options.retry)
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024
    this.#userAgent = options.userAgent ?? `sigwire (node ${process.versions.node})`
    this.#random = options.random ?? Math.random
  }

  /** Signs (per attempt), sends, retries, and returns the response with its body read into memory. */
  async send(request: HttpRequest, options: SendOptions = {}): Promise<TransportResponse> {
    const result = await this.#run(request, options, false)
    return result as TransportResponse
  }

  /**
   * Like {@link Transport.send}, but a 2xx body is returned as a stream (constant memory). The call's
   * time limit covers waiting for the response head; the body is then read at the caller's pace.
   */
  async sendStream(request: HttpRequest, options: StreamSendOptions = {}): Promise<StreamResponse> {
    return (await this.#run(request, options, true)) as StreamResponse
  }

  /** Closes the connections this transport opened (not a dispatcher passed in). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  async #run(
    request: HttpRequest,
    options: StreamSendOptions,
    stream: boolean,
  ): Promise<TransportResponse | StreamResponse> {
    if (this.#closed)
      throw new SigwireError({ code: 'ABORTED', message: 'This client was closed; create a new one.' })
    const call = new Call(request, options.signal, options.timeoutMs ?? this.#timeoutMs, this.redactor)
    const safe = isIdempotent(request.method) || options.retrySafe === true
    const allowed = (mode: RetryMode): boolean => mode === 'always' || (mode === 'if-safe' && safe)
    let resigned = false
    try {
      for (let attempt = 1; ; attempt++) {
        call.throwIfAborted()
        const signedAt = clockMs(this.clock)
        let sent = request
        let trace: readonly TokenTrace[] = NO_TRACE
        if (options.signer) {
          const output = await options.signer.sign(request, this.clock)
          sent = applySignature(request, output)
          // Not `output.trace`: a signer may build its trace when first read, and it is read only when
          // something needs it (an authentication error, a log line).
          trace = traceOf(output)
        }
        if (sent.headers['user-agent'] === undefined)
          sent = { ...sent, headers: { ...sent.headers, 'user-agent': this.#userAgent } }
        const started = performance.now()
        this.#publishStart(call.id, sent, attempt)

        let raw: Dispatcher.ResponseData
        let upload: TrackedUpload | undefined
        try {
          upload = options.onUploadProgress && trackUpload(sent.body, options.onUploadProgress)
          raw = await this.#dispatch(sent, call.signal, upload)
        } catch (error) {
          const failure = this.#networkFailure(upload?.failure() ?? error, call, attempt)
          if (failure.retry !== 'never' && allowed(failure.retry) && attempt < this.#retry.maxAttempts) {
            await this.#wait(call, sent, attempt, this.#backoff(attempt), failure.error.message)
            continue
          }
          this.#publishError(call.id, sent, attempt, failure.error)
          throw failure.error
        }

        const status = raw.statusCode
        const headers = raw.headers as IncomingHttpHeaders
        const receivedAt = Date.now()
        if (this.clock instanceof SkewClock)
          this.clock.observeServerDate(firstHeader(headers.date), receivedAt)

        const streamOk = stream && status >= 200 && status < 300
        let body: Uint8Array = EMPTY
        if (!streamOk) {
          try {
            body = await this.#readBody(raw, call)
          } catch (error) {
            const failure = this.#networkFailure(upload?.failure() ?? error, call, attempt)
            // A body cut off mid-way was processed by the server: never "always" safe to repeat.
            const mode = failure.retry === 'always' ? 'if-safe' : failure.retry
            if (allowed(mode) && attempt < this.#retry.maxAttempts) {
              await this.#wait(call, sent, attempt, this.#backoff(attempt), failure.error.message)
              continue
            }
            this.#publishError(call.id, sent, attempt, failure.error)
            throw failure.error
          }
        }
        this.#publishFinish(call.id, sent, attempt, status, started)
        const response: TransportResponse = { status, headers, body, request: sent, trace, attempts: attempt }
        if (streamOk) {
          const streamed = raw.body as unknown as Readable
          const body = options.onDownloadProgress
            ? trackDownload(streamed, contentLength(headers['content-length']), options.onDownloadProgress)
            : streamed
          // The time limit covers the wait for the response head; the stream is read at the caller's pace.
          call.keepCallerSignal()
          return { ...response, body }
        }

        const verdict = options.classify?.(response) ?? {}
        if (verdict.authFailure && options.skewWindowMs !== undefined && !resigned) {
          const serverMs = Date.parse(firstHeader(headers.date) ?? '')
          if (Number.isFinite(serverMs) && Math.abs(serverMs + 500 - signedAt) > options.skewWindowMs) {
            resigned = true
            if (this.clock instanceof SkewClock) this.clock.syncTo(serverMs + 500, receivedAt)
            this.#publishRetry(
              call.id,
              sent,
              attempt,
              0,
              `clock skew of ${Math.round((serverMs + 500 - signedAt) / 1000)} s; re-signing once`,
            )
            continue
          }
        }
        const mode = verdict.retry ?? defaultRetryMode(status)
        if (mode !== 'never' && allowed(mode) && attempt < this.#retry.maxAttempts) {
          const hinted =
            verdict.retryAfterMs ?? parseRetryAfter(firstHeader(headers['retry-after']), receivedAt)
          if (hinted === undefined || hinted <= this.#retry.maxRetryAfterMs) {
            await this.#wait(call, sent, attempt, hinted ?? this.#backoff(attempt), `HTTP ${status}`)
            continue
          }
        }
        return stream ? { ...response, body: Readable.from([Buffer.from(body)]) } : response
      }
    } finally {
      call.end()
    }
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#retry, this.#random)
  }

  async #dispatch(
    request: HttpRequest,
    signal: CallSignal,
    upload: TrackedUpload | undefined,
  ): Promise<Dispatcher.ResponseData> {
    const body = request.body
    const hasBody =
      body.byteLength > 0 ||
      !(
        request.method === 'GET' ||
        request.method === 'HEAD' ||
        request.method === 'DELETE' ||
        request.method === 'OPTIONS'
      )
    // undici only reads `headers`; a copy is needed only to add Content-Length.
    const headers = hasBody
      ? { ...request.headers, 'content-length': String(body.byteLength) }
      : request.headers
    return this.#dispatcher.request({
      origin: request.origin,
      path: request.target,
      method: request.method,
      headers,
      body: !hasBody
        ? null
        : upload && body.byteLength > 0
          ? // undici accepts (async) iterable bodies (Dispatcher.md, `body`); its types omit them.
            (upload.chunks as unknown as Readable)
          : (body.inMemoryBytes() ?? Readable.from(body.chunks(), { objectMode: false })),
      // undici takes an EventTarget or an EventEmitter-shaped signal (api-request.js); see CallSignal.
      signal: signal as unknown as EventEmitter,
    })
  }

  async #readBody(raw: Dispatcher.ResponseData, call: Call): Promise<Uint8Array> {
    // A declared length within the limit is read in one go: undici stops at Content-Length (chunked
    // bodies, and bodies of dispatchers without `bytes()`, take the counted path below), and one
    // `bytes()` costs less than a promise per chunk.
    const declared = contentLength(raw.headers['content-length'])
    if (
      declared !== undefined &&
      declared <= this.#maxResponseBytes &&
      raw.headers['transfer-encoding'] === undefined &&
      typeof raw.body.bytes === 'function'
    ) {
      const bytes = await raw.body.bytes()
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of raw.body as AsyncIterable<Buffer>) {
      total += chunk.byteLength
      if (total > this.#maxResponseBytes) {
        raw.body.destroy()
        throw new SigwireError({
          code: 'RESPONSE_TOO_LARGE',
          message: `The response from ${call.url()} is larger than ${this.#maxResponseBytes} bytes; raise maxResponseBytes or stream it.`,
        })
      }
      chunks.push(chunk)
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
  }

  #networkFailure(error: unknown, call: Call, attempt: number): { error: SigwireError; retry: RetryMode } {
    if (error instanceof SigwireError) return { error, retry: 'never' }
    if (call.signal.aborted) return { error: call.abortError(), retry: 'never' }
    const code = (error as { code?: string }).code ?? ''
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? ''
    // Nothing reached the server when the connection was refused or never established.
    const notSent = ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN'].some(
      (c) => c === code || c === cause,
    )
    const message = this.redactor.redactText((error as Error).message ?? String(error))
    return {
      error: new SigwireError({
        code: 'NETWORK_ERROR',
        message: `Request to ${call.url()} failed on attempt ${attempt}: ${message}${code ? ` (${code})` : ''}. Check the network and the service URL.`,
        details: { attempt, errno: code || cause || undefined },
      }),
      retry: notSent ? 'always' : 'if-safe',
    }
  }

  async #wait(
    call: Call,
    request: HttpRequest,
    attempt: number,
    delayMs: number,
    reason: string,
  ): Promise<void> {
    this.#publishRetry(call.id, request, attempt, delayMs, reason)
    await call.sleep(delayMs)
  }

  #publishStart(id: number, request: HttpRequest, attempt: number): void {
    if (!debug.enabled && !channels.start.hasSubscribers) return
    const url = this.redactor.redactUrl(requestUrl(request))
    if (debug.enabled) debug('-> %s %s (attempt %d)', request.method, url, attempt)
    if (channels.start.hasSubscribers) {
      channels.start.publish({
        id,
        method: request.method,
        url,
        attempt,
        headers: this.redactor.redactHeaders(request.headers),
      })
    }
  }

  #publishFinish(id: number, request: HttpRequest, attempt: number, status: number, started: number): void {
    if (!debug.enabled && !channels.finish.hasSubscribers) return
    const url = this.redactor.redactUrl(requestUrl(request))
    const durationMs = Math.round(performance.now() - started)
    if (debug.enabled) debug('<- %d %s %s in %d ms', status, request.method, url, durationMs)
    if (channels.finish.hasSubscribers)
      channels.finish.publish({ id, method: request.method, url, attempt, status, durationMs })
  }

  #publishRetry(id: number, request: HttpRequest, attempt: number, delayMs: number, reason: string): void {
    const url = this.redactor.redactUrl(requestUrl(request))
    const text = this.redactor.redactText(reason)
    if (debug.enabled)
      debug('retry %s %s after attempt %d in %d ms: %s', request.method, url, attempt, delayMs, text)
    if (channels.retry.hasSubscribers)
      channels.retry.publish({ id, method: request.method, url, attempt, delayMs, reason: text })
  }

  #publishError(id: number, request: HttpRequest, attempt: number, error: SigwireError): void {
    const url = this.redactor.redactUrl(requestUrl(request))
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
}

const EMPTY = new Uint8Array(0)
const NO_TRACE: readonly TokenTrace[] = Object.freeze([])

/** The signer's trace, read from `output` on first use (see {@link lazyTrace}). */
function traceOf(output: SignOutput): readonly TokenTrace[] {
  return lazyTrace(() => output.trace as TokenTrace[])
}

/**
 * The abort signal of one call, in the EventEmitter shape undici accepts for `signal` (`aborted`,
 * `reason`, `on`/`once`/`removeListener` of `'abort'`; undici's api-request.js and util.addAbortListener).
 * An AbortController costs microseconds per call (an EventTarget, and undici adds and removes a
 * listener on it for every request); this is a field and a listener list.
 */
class CallSignal {
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
class Call {
  readonly id = ++nextId
  readonly signal = new CallSignal()
  readonly #callerSignal: AbortSignal | undefined
  readonly #timeoutMs: number
  readonly #request: HttpRequest
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
    this.#request = request
    this.#redactor = redactor
    this.#callerSignal = callerSignal
    this.#timeoutMs = timeoutMs
    const signal = this.signal
    this.#timer = setTimeout(() => signal.abort(), timeoutMs)
    this.#timer.unref()
    if (callerSignal?.aborted) signal.abort()
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true })
  }

  /** The request's URL with credentials masked. */
  url(): string {
    this.#url ??= this.#redactor.redactUrl(requestUrl(this.#request))
    return this.#url
  }

  /** `ABORTED` when the caller's signal fired, else `TIMEOUT`. */
  abortError(): SigwireError {
    if (this.#callerSignal?.aborted) {
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

  end(): void {
    clearTimeout(this.#timer)
    if (!this.#keepCaller) this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort)
  }
}

/** The first value of a header that may repeat. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Shorthand for `new Transport(options)`. */
export function createTransport(options: TransportOptions = {}): Transport {
  return new Transport(options)
}
