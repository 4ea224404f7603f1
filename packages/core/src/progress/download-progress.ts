import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream'
import { type ProgressListener, tellProgress } from './progress-listener.js'

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
    tellProgress(listener, 0, total, 'download')
  } catch (failure) {
    // The failure is thrown to the caller; the source only needs its connection released.
    source.destroy()
    throw failure
  }
  let received = 0
  const report = (transferred: number, of: number | undefined, callback: TransformCallback): void => {
    try {
      tellProgress(listener, transferred, of, 'download')
    } catch (failure) {
      callback(failure as Error)
      return
    }
    callback()
  }
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      this.push(chunk)
      received += chunk.byteLength
      report(received, total, callback)
    },
    flush(callback: TransformCallback) {
      if (total === undefined) report(received, received, callback)
      else callback()
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
