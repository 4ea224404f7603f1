import { setMaxListeners } from 'node:events'

/** What {@link onInterrupt} gives: the signal, and `dispose` to stop listening. */
export interface Interrupt {
  /** Fired by the first SIGINT (Ctrl-C) or SIGTERM. */
  readonly signal: AbortSignal
  /** Stops listening (a later SIGINT or SIGTERM then ends the process as usual). */
  dispose(): void
}

/**
 * An AbortSignal that the first SIGINT or SIGTERM fires, so that a transfer stops cleanly: downloads
 * in flight end without leaving a file at its final name, and what finished is recorded. It listens
 * once: a second Ctrl-C ends the process as usual.
 */
export function onInterrupt(): Interrupt {
  const controller = new AbortController()
  // Every transfer of a run (up to --concurrency, and their retries) listens to this one signal.
  setMaxListeners(0, controller.signal)
  const dispose = () => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  const stop = () => {
    dispose()
    controller.abort()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return { signal: controller.signal, dispose }
}
