import { Dispatcher } from 'undici'

/**
 * An undici dispatcher that answers every request at once from memory, like the capturing `fetch`
 * given to CloudKit JS: client-side cost only (building, signing, encoding, decoding), no network.
 * Used only to compare like with like against a peer that is driven the same way.
 */
export class LocalDispatcher extends Dispatcher {
  readonly #body: Buffer
  requests = 0
  /** The last request dispatched: method, path and in-memory body (to replay it elsewhere). */
  last: { method: string; path: string; body: Uint8Array | undefined } | undefined

  constructor(responseJson: unknown) {
    super()
    this.#body = Buffer.from(JSON.stringify(responseJson))
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.requests++
    const body = options.body
    this.last = {
      method: options.method,
      path: options.path,
      body: body instanceof Uint8Array ? body : undefined,
    }
    if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      // Drain a streamed body so file sources complete their pass.
      void (async () => {
        for await (const _ of body as AsyncIterable<unknown>);
      })()
    }
    if (handler.onRequestStart) {
      // undici 7's handler API (what dispatcher.dispatch callers such as sigwire's transport use).
      const controller = { aborted: false, paused: false, reason: null, abort() {}, pause() {}, resume() {} }
      queueMicrotask(() => {
        handler.onRequestStart?.(controller, {})
        handler.onResponseStart?.(controller, 200, { 'content-type': 'application/json' }, 'OK')
        handler.onResponseData?.(controller, this.#body)
        handler.onResponseEnd?.(controller, {})
      })
      return true
    }
    const legacy = handler as unknown as {
      onConnect?(abort: () => void): void
      onHeaders?(status: number, headers: Buffer[], resume: () => void, text: string): boolean
      onData?(chunk: Buffer): boolean
      onComplete?(trailers: Buffer[]): void
    }
    queueMicrotask(() => {
      legacy.onConnect?.(() => {})
      legacy.onHeaders?.(200, [Buffer.from('content-type'), Buffer.from('application/json')], () => {}, 'OK')
      legacy.onData?.(this.#body)
      legacy.onComplete?.([])
    })
    return true
  }

  override async close(): Promise<void> {}
  override async destroy(): Promise<void> {}
}
