import { SigwireError } from '../errors/sigwire-error.js'

/**
 * Told how far a body has moved: `transferred` bytes so far out of `total` (undefined when the total is
 * not known, as for a download without `Content-Length`).
 *
 * The contract every sigwire client follows:
 * - it is called with `(0, total)` when a transfer starts, then after each chunk, with `transferred`
 *   growing, and at least once at the end with `transferred === total` (for an unknown total, the end
 *   call passes the final count as both);
 * - nothing is throttled: a listener that draws should throttle itself;
 * - a retry sends the body again, so a new attempt starts again from `(0, total)`;
 * - a listener that throws aborts the transfer with `PROGRESS_LISTENER_FAILED` (the thrown value is
 *   its `cause`; a client raises it as its own error class, whose `cause` is core's error); the
 *   request is not retried.
 *
 * `ProgressListener<number>` is the same contract for an API that always knows the total.
 */
export type ProgressListener<Total extends number | undefined = number | undefined> = (
  transferred: number,
  total: Total,
) => void

/** The progress option of a call that moves a body. */
export interface ProgressOptions {
  /** Called as the body moves; see {@link ProgressListener}. */
  onProgress?: ProgressListener | undefined
}

/** The error a throwing {@link ProgressListener} turns into. */
export function progressListenerFailed(direction: 'upload' | 'download', cause: unknown): SigwireError {
  return new SigwireError({
    code: 'PROGRESS_LISTENER_FAILED',
    message: `The progress listener threw, so the ${direction} was aborted (see cause). A progress listener must not throw; catch errors inside it.`,
    details: { direction },
    cause,
  })
}

/**
 * Calls `listener(transferred, total)`; if it throws, throws `PROGRESS_LISTENER_FAILED` with the thrown
 * value as its cause. The one way every sigwire transfer reports progress.
 */
export function tellProgress<Total extends number | undefined>(
  listener: ProgressListener<Total>,
  transferred: number,
  total: Total,
  direction: 'upload' | 'download',
): void {
  try {
    listener(transferred, total)
  } catch (cause) {
    throw progressListenerFailed(direction, cause)
  }
}
