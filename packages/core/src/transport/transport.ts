import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { type Clock, SkewClock } from '../clock/clock.js'
import { SigwireError } from '../errors/sigwire-error.js'
import type { RequestGate } from '../fleet/request-gate.js'
import { contentLength, trackDownload } from '../progress/download-progress.js'
import type { ProgressListener } from '../progress/progress-listener.js'
import { trackUpload } from '../progress/upload-progress.js'
import { Redactor } from '../redact/redactor.js'
import { lazyTrace } from '../tokens/lazy-trace.js'
import type { TokenTrace } from '../tokens/token.js'
import { Call } from './call.js'
import type { CallOptions } from './call-options.js'
import { Diagnostics } from './diagnostics.js'
import { dispatchOptions } from './dispatch.js'
import { createDispatcher, type DispatcherOptions } from './dispatcher.js'
import { type HttpRequest, isIdempotent } from './http-request.js'
import { networkFailure } from './network-failure.js'
import { ResponseReader } from './read-body.js'
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
  /** Where signers get the time. Default: a `SkewClock` that learns from server `Date` headers. */
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
  /**
   * The gate of the credential this transport sends with (`SharedState.gate`): every attempt waits
   * for it (rate limit, a pause after a throttle), and every throttle answer pauses every client of the
   * gate, in this process and, with a shared store, in the whole fleet. Default: none.
   */
  gate?: RequestGate
}

/** An adapter's reading of a response. */
export interface ResponseVerdict {
  /** Whether to retry; default from the status (429 always, 502/503/504 if safe). */
  retry?: RetryMode
  /** How long to wait before retrying, when the protocol says (CloudKit `retryAfter`). */
  retryAfterMs?: number
}

/** Per-call options of {@link Transport.send}. */
export interface SendOptions extends CallOptions {
  /** Signs every attempt. Omit for unsigned requests. */
  signer?: RequestSigner | undefined
  /** The operation may be repeated even though its method is not idempotent. */
  retrySafe?: boolean | undefined
  /** Reads a response for retry hints. */
  classify?: ((response: TransportResponse) => ResponseVerdict | undefined) | undefined
  /**
   * For a write that is not safe to repeat: how the caller checks whether it was applied when its
   * answer is lost (`OUTCOME_UNKNOWN`), e.g. "Look the record up and compare its recordChangeTag".
   */
  outcomeHint?: string | undefined
  /**
   * Told as the request body is handed to the socket (see {@link ProgressListener}); called again from
   * `(0, total)` on every attempt, since a retry sends the body again.
   */
  onUploadProgress?: ProgressListener | undefined
}

/** Per-call options of {@link Transport.sendStream}. */
export interface StreamSendOptions extends SendOptions {
  /**
   * Told as the streamed 2xx body is handed to the reader; `total` is the `Content-Length`, undefined
   * when the response has none (see {@link ProgressListener}).
   */
  onDownloadProgress?: ProgressListener | undefined
}

/** A response read into memory. */
export interface TransportResponse {
  /** HTTP status. */
  readonly status: number
  /** Response headers, lower-case names (`set-cookie` is an array). */
  readonly headers: IncomingHttpHeaders
  /** The body bytes. */
  readonly body: Uint8Array
  /** The request exactly as signed on the last attempt (the transport adds `Content-Length` and a default `User-Agent` on the wire). */
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

/** What an attempt leads to: a response to return, or a wait before the next attempt. */
type Next<R> = { readonly response: R } | { readonly retryInMs: number; readonly reason: string }

/**
 * The one transport. Each attempt goes sign -> dispatch -> read -> classify -> decide: signed again
 * on every attempt, sent with undici over keep-alive connections, retried (with backoff that honours
 * `Retry-After` and protocol hints) only when that is generic and safe: idempotent requests or those
 * the adapter marks safe, 429/503 answers, connections refused before anything was sent. Timeouts
 * and abort signals cover the whole call; diagnostics are redacted. Authentication recovery (clock
 * skew, session expiry) is each adapter's own, around its calls. A client owns one transport and
 * calls {@link Transport.close} when done.
 */
export class Transport {
  /** Clock shared with the signers. */
  readonly clock: Clock
  /** Redactor shared with the adapter. */
  readonly redactor: Redactor
  readonly #skewClock: SkewClock | undefined
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #retry: RetrySettings
  readonly #timeoutMs: number
  readonly #maxResponseBytes: number
  readonly #userAgent: string
  readonly #random: () => number
  readonly #diagnostics: Diagnostics
  readonly #gate: RequestGate | undefined
  #closed = false

  constructor(options: TransportOptions = {}) {
    this.clock = options.clock ?? new SkewClock()
    this.#skewClock = this.clock instanceof SkewClock ? this.clock : undefined
    this.redactor = options.redactor ?? new Redactor()
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? createDispatcher(options)
    this.#retry = retrySettings(options.retry)
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024
    this.#userAgent = options.userAgent ?? `sigwire (node ${process.versions.node})`
    this.#random = options.random ?? Math.random
    this.#diagnostics = new Diagnostics(this.redactor)
    this.#gate = options.gate
  }

  /** Signs (per attempt), sends, retries, and returns the response with its body read into memory. */
  send(request: HttpRequest, options: SendOptions = {}): Promise<TransportResponse> {
    return this.#run<TransportResponse>(request, options, false)
  }

  /**
   * Like {@link Transport.send}, but a 2xx body is returned as a stream (constant memory). The call's
   * time limit covers waiting for the response head; the body is then read at the caller's pace.
   */
  sendStream(request: HttpRequest, options: StreamSendOptions = {}): Promise<StreamResponse> {
    return this.#run<StreamResponse>(request, options, true)
  }

  /** Closes the connections this transport opened (not a dispatcher passed in). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  async #run<R>(request: HttpRequest, options: StreamSendOptions, stream: boolean): Promise<R> {
    if (this.#closed)
      throw new SigwireError({ code: 'ABORTED', message: 'This client was closed; create a new one.' })
    const call = new Call(request, options.signal, options.timeoutMs ?? this.#timeoutMs, this.redactor)
    const safe = options.retrySafe === true || isIdempotent(request.method)
    try {
      for (let attempt = 1; ; attempt++) {
        call.throwIfAborted()
        const probe = this.#gate === undefined ? false : await admit(this.#gate, call)
        // A synchronous signer (CloudKit, Apple News, Safe Creative) is not awaited: no promise per call.
        const signing = this.#sign(request, options.signer)
        const { signed, trace } = signing instanceof Promise ? await signing : signing
        const next = await this.#attempt(signed, trace, call, attempt, safe, options, stream, probe)
        if ('response' in next) return next.response as R
        this.#diagnostics.retry(call.id, signed, attempt, next.retryInMs, next.reason)
        await call.sleep(next.retryInMs)
      }
    } finally {
      call.end()
    }
  }

  #sign(request: HttpRequest, signer: RequestSigner | undefined): Signed | Promise<Signed> {
    if (signer === undefined) return { signed: request, trace: NO_TRACE }
    const output = signer.sign(request, this.clock)
    // Not `output.trace`: a signer may build its trace when first read, and it is read only when
    // something needs it (an authentication error, a log line).
    if (typeof (output as Partial<PromiseLike<SignOutput>>).then === 'function')
      return Promise.resolve(output).then((value) => ({
        signed: applySignature(request, value),
        trace: traceOf(value),
      }))
    const value = output as SignOutput
    return { signed: applySignature(request, value), trace: traceOf(value) }
  }

  /** One attempt: dispatch, read, classify, and decide between returning and retrying. */
  async #attempt(
    signed: HttpRequest,
    trace: readonly TokenTrace[],
    call: Call,
    attempt: number,
    safe: boolean,
    options: StreamSendOptions,
    stream: boolean,
    probe: boolean,
  ): Promise<Next<TransportResponse | StreamResponse>> {
    const diagnostics = this.#diagnostics
    const started = diagnostics.listening ? performance.now() : 0
    diagnostics.start(call.id, signed, attempt)
    const upload = options.onUploadProgress && trackUpload(signed.body, options.onUploadProgress)
    const reader = new ResponseReader(call, this.#maxResponseBytes, stream)
    let received: Awaited<ReturnType<ResponseReader['read']>>
    try {
      received = await reader.read(this.#dispatcher, dispatchOptions(signed, upload, this.#userAgent))
    } catch (error) {
      const failure = networkFailure(upload?.failure() ?? error, {
        call,
        attempt,
        sent: reader.sent,
        safe,
        outcomeHint: options.outcomeHint,
        redactor: this.redactor,
      })
      if (this.#mayRetry(failure.retry, safe, attempt))
        return { retryInMs: this.#backoff(attempt), reason: failure.error.message }
      diagnostics.error(call.id, signed, attempt, failure.error)
      throw failure.error
    }
    const { status, headers } = received
    this.#skewClock?.observeServerDate(firstHeader(headers.date))
    diagnostics.finish(call.id, signed, attempt, status, started)
    if (received.body instanceof Readable) {
      if (probe) await tellGate(this.#gate!, undefined)
      const body = options.onDownloadProgress
        ? trackDownload(received.body, contentLength(headers['content-length']), options.onDownloadProgress)
        : received.body
      return { response: { status, headers, body, request: signed, trace, attempts: attempt } }
    }
    const response: TransportResponse = {
      status,
      headers,
      body: received.body,
      request: signed,
      trace,
      attempts: attempt,
    }
    const verdict = options.classify?.(response)
    const mode = verdict?.retry ?? defaultRetryMode(status)
    const retry = this.#mayRetry(mode, safe, attempt)
    const hinted =
      retry || status === 429 || status === 503
        ? (verdict?.retryAfterMs ?? parseRetryAfter(firstHeader(headers['retry-after'])))
        : undefined
    if (this.#gate !== undefined) {
      // A throttle pauses every client of the gate: a 429, or a 503 that says how long to wait.
      const throttled = status === 429 || (status === 503 && hinted !== undefined)
      if (throttled) await tellGate(this.#gate, hinted ?? this.#backoff(attempt))
      else if (probe) await tellGate(this.#gate, undefined)
    }
    if (retry) {
      if (hinted === undefined || hinted <= this.#retry.maxRetryAfterMs)
        return { retryInMs: hinted ?? this.#backoff(attempt), reason: `HTTP ${status}` }
    }
    return { response: stream ? { ...response, body: Readable.from([received.body]) } : response }
  }

  #mayRetry(mode: RetryMode, safe: boolean, attempt: number): boolean {
    return (mode === 'always' || (mode === 'if-safe' && safe)) && attempt < this.#retry.maxAttempts
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#retry, this.#random)
  }
}

const NO_TRACE: readonly TokenTrace[] = Object.freeze([])

/** A request as signed for one attempt, with what was signed. */
interface Signed {
  readonly signed: HttpRequest
  readonly trace: readonly TokenTrace[]
}

/**
 * Waits until `gate` lets one attempt go (the wait counts against the call's time limit and ends with
 * its signal). Returns whether the attempt is the probe after a throttle. A gate whose store cannot
 * be reached throws (`STORE_UNAVAILABLE`): nothing is sent without it.
 */
async function admit(gate: RequestGate, call: Call): Promise<boolean> {
  for (;;) {
    const decision = await gate.admit()
    if (decision.waitMs <= 0) return decision.probe
    await call.sleep(decision.waitMs)
  }
}

/**
 * Tells `gate` what an answer said: a throttle (`waitMs`), or a probe that went through (undefined).
 * The answer already arrived, so a store that fails here must not cost the caller it: the pause is
 * then only this client's own retry wait.
 */
async function tellGate(gate: RequestGate, waitMs: number | undefined): Promise<void> {
  try {
    if (waitMs === undefined) await gate.recovered()
    else await gate.throttled(waitMs)
  } catch {
    // See above.
  }
}

/** The signer's trace, read from `output` on first use (see {@link lazyTrace}). */
function traceOf(output: SignOutput): readonly TokenTrace[] {
  return lazyTrace(() => output.trace as TokenTrace[])
}

/** The first value of a header that may repeat. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
