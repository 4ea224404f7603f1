import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream'
import { type ProgressListener, progressListenerFailed } from './progress-listener.js'

/**
 * `source` as a stream that tells `listener` how many bytes it has handed on: `(0, total)` now, then
 * after each chunk is pushed to the reader (the last of which ends at `total`), and `(n, n)` at the
 * end when `total` was unknown. A listener that throws destroys both streams with
 * `PROGRESS_LISTENER_FAILED`. Destroying the returned stream destroys `source` (its connection is
 * released).
 */
export function trackDownload(
  source: Readable,
  total: number | undefined,
  listener: ProgressListener,
): Readable {
  try {
    listener(0, total)
  } catch (error) {
    const failure = progressListenerFailed('download', error)
    source.destroy(failure)
    throw failure
  }
  let received = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      this.push(chunk)
      received += chunk.byteLength
      try {
        listener(received, total)
      } catch (error) {
        callback(progressListenerFailed('download', error))
        return
      }
      callback()
    },
    flush(callback: TransformCallback) {
      if (total !== undefined) {
        callback()
        return
      }
      try {
        listener(received, received)
      } catch (error) {
        callback(progressListenerFailed('download', error))
        return
      }
      callback()
    },
  })
  // Errors reach the reader through `counter`; the callback only keeps them from being unhandled.
  pipeline(source, counter, () => undefined)
  return counter
}

/** The `Content-Length` of a response as a number, or undefined when absent or not a plain integer. */
export function contentLength(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined
}
