import { Presets, SingleBar } from 'cli-progress'
import type { Io } from './io.js'

/** A progress report for one long step. Both functions may be passed around unbound. */
export interface Progress {
  /** How far the step is, from 0 to 1. */
  readonly update: (fraction: number) => void
  /** Ends the step and clears the bar. */
  readonly stop: () => void
}

/** Work shorter than this shows no bar at all. */
const QUIET_MS = 300

/**
 * A progress bar on stderr for a step that can take seconds (the Apple News one-byte search), drawn
 * only when stdout and stderr are terminals and not with `--json`: piped or machine output gets
 * nothing extra. The bar appears once the step has run for {@link QUIET_MS}, and is redrawn from
 * `update` itself (cli-progress's synchronous update), since the step holds the event loop.
 */
export function startProgress(io: Io, label: string, json: boolean, now: () => number = Date.now): Progress {
  const stream = io.progressStream
  if (stream === undefined || json) return { update: () => {}, stop: () => {} }
  const startedAt = now()
  let bar: SingleBar | undefined
  let stopped = false
  return {
    update: (fraction) => {
      if (stopped) return
      const value = Math.max(0, Math.min(100, Math.floor(fraction * 100)))
      if (bar === undefined) {
        if (now() - startedAt < QUIET_MS) return
        bar = new SingleBar(
          {
            stream,
            format: `${label} [{bar}] {percentage}%`,
            clearOnComplete: true,
            hideCursor: true,
            synchronousUpdate: true,
          },
          Presets.shades_classic,
        )
        bar.start(100, value)
        return
      }
      bar.update(value)
    },
    stop: () => {
      stopped = true
      bar?.stop()
    },
  }
}
