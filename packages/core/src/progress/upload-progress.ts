import type { OwnedBody } from '../body/owned-body.js'
import type { SigwireError } from '../errors/sigwire-error.js'
import { type ProgressListener, tellProgress } from './progress-listener.js'

/** Largest piece handed to the socket at once while progress is reported (finer steps for big chunks). */
const SLICE_BYTES = 64 * 1024

/** A body's bytes for undici, reporting progress; `failure()` is the listener's error, if it threw. */
export interface TrackedUpload {
  readonly chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
  failure(): SigwireError | undefined
}

/**
 * The bytes of `body` as an async iterable for undici's request body, telling `listener` how many
 * have been sent. undici writes an iterable body chunk by chunk, asking for the next chunk only once
 * the previous one was written to the socket (and, when the socket was full, drained), so a slice is
 * counted when the generator resumes after yielding it: never when it is read from disk, hashed for
 * the signature, or buffered ahead. A listener that throws ends the iteration with
 * `PROGRESS_LISTENER_FAILED`, which makes undici abort the request. For an empty body the listener
 * is called with `(0, 0)` at once.
 */
export function trackUpload(body: OwnedBody, listener: ProgressListener): TrackedUpload {
  const total = body.byteLength
  let failure: SigwireError | undefined
  const report = (transferred: number): void => {
    try {
      tellProgress(listener, transferred, total, 'upload')
    } catch (error) {
      failure = error as SigwireError
      throw failure
    }
  }
  // An empty body is never iterated (it is sent as zero bytes), so its one call happens here.
  if (total === 0) {
    report(0)
    return { chunks: [], failure: () => failure }
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let sent = 0
    report(0)
    for await (const chunk of body.chunks()) {
      for (let offset = 0; offset < chunk.byteLength; offset += SLICE_BYTES) {
        const slice = chunk.byteLength <= SLICE_BYTES ? chunk : chunk.subarray(offset, offset + SLICE_BYTES)
        yield slice
        sent += slice.byteLength
        report(sent)
      }
    }
  }
  return { chunks: chunks(), failure: () => failure }
}
