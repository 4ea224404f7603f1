import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { SigwireError } from '../errors/sigwire-error.js'
import { contentLength } from '../progress/download-progress.js'
import type { Call } from './call.js'

/** What one attempt received: a body read into memory, or (a 2xx of a streamed call) a stream. */
export interface Received<Body = Uint8Array> {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Body
}

const EMPTY = Buffer.alloc(0)
const noop = () => {}

/**
 * One attempt's undici handler: collects the response body into memory (or, for a 2xx of a streamed
 * call, hands it out as a stream with backpressure) and knows whether the request reached the wire.
 *
 * It uses `dispatcher.dispatch` rather than `dispatcher.request`: no response stream, promise chain
 * or async resource per call for the bodies read into memory (measured: about 10 µs of client CPU
 * per call), and undici's `onRequestStart` says when the request was handed to a connected socket,
 * which is what tells a lost response of a write (`OUTCOME_UNKNOWN`) from a request that never left.
 */
export class ResponseReader implements Dispatcher.DispatchHandler {
  /** True once undici handed the request to a connected socket: the server may have acted on it. */
  sent = false
  readonly #call: Call
  readonly #maxBytes: number
  readonly #stream: boolean
  #resolve!: (received: Received<Uint8Array | Readable>) => void
  #reject!: (error: unknown) => void
  #settled = false
  #controller: Dispatcher.DispatchController | undefined
  #status = 0
  #headers: IncomingHttpHeaders = {}
  #chunks: Buffer[] | undefined
  #length = 0
  #body: Readable | undefined
  #ended = false
  readonly #onAbort = () => this.#abort(this.#call.signal.reason as Error)

  constructor(call: Call, maxBytes: number, stream: boolean) {
    this.#call = call
    this.#maxBytes = maxBytes
    this.#stream = stream
  }

  /** Dispatches and resolves with the response; rejects with what undici (or the call's abort) raised. */
  read(
    dispatcher: Dispatcher,
    options: Dispatcher.DispatchOptions,
  ): Promise<Received<Uint8Array | Readable>> {
    const promise = new Promise<Received<Uint8Array | Readable>>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    const signal = this.#call.signal
    if (signal.aborted) this.#fail(signal.reason)
    else {
      signal.once('abort', this.#onAbort)
      dispatcher.dispatch(options, this)
    }
    return promise
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    // Aborted while queued for a connection: it never reaches the socket.
    if (this.#settled && this.#body === undefined) controller.abort(new Error('aborted'))
    else this.sent = true
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.#status = status
    this.#headers = headers
    if (this.#stream && status >= 200 && status < 300) {
      this.#body = new Readable({
        read: () => controller.resume(),
        destroy: (error, callback) => {
          this.#call.releaseCallerSignal()
          if (!controller.aborted && !this.#ended) controller.abort(error ?? new Error('aborted'))
          callback(error)
        },
      })
      // The time limit covers the wait for the response head; the stream is read at the caller's pace.
      this.#call.keepCallerSignal()
      this.#settle()
      this.#resolve({ status, headers, body: this.#body })
      return
    }
    const declared = contentLength(headers['content-length'])
    if (declared !== undefined && declared > this.#maxBytes) controller.abort(this.#tooLarge())
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#body !== undefined) {
      if (!this.#body.push(chunk)) controller.pause()
      return
    }
    this.#length += chunk.byteLength
    if (this.#length > this.#maxBytes) {
      controller.abort(this.#tooLarge())
      return
    }
    if (this.#chunks === undefined) this.#chunks = [chunk]
    else this.#chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.#ended = true
    if (this.#body !== undefined) {
      this.#call.signal.removeListener('abort', this.#onAbort)
      this.#call.releaseCallerSignal()
      this.#body.push(null)
      return
    }
    if (this.#settled) return
    this.#settle()
    const chunks = this.#chunks
    const body =
      chunks === undefined ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#length)
    this.#resolve({ status: this.#status, headers: this.#headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#body !== undefined) {
      this.#call.signal.removeListener('abort', this.#onAbort)
      this.#call.releaseCallerSignal()
      // As undici does: a reader that is not listening must not crash the process.
      this.#body.on('error', noop).destroy(error)
      return
    }
    this.#fail(error)
  }

  #abort(reason: Error): void {
    if (this.#body !== undefined) {
      this.#body.on('error', noop).destroy(this.#call.abortError())
      return
    }
    this.#fail(reason)
    this.#controller?.abort(reason)
  }

  #fail(error: unknown): void {
    if (this.#settled) return
    this.#settle()
    this.#reject(error)
  }

  #settle(): void {
    this.#settled = true
    if (this.#body === undefined) this.#call.signal.removeListener('abort', this.#onAbort)
  }

  #tooLarge(): SigwireError {
    return new SigwireError({
      code: 'RESPONSE_TOO_LARGE',
      message: `The response from ${this.#call.url()} is larger than ${this.#maxBytes} bytes; raise maxResponseBytes or stream it.`,
    })
  }
}
