import type { ProgressListener } from '@sigwire/core'
import { Presets, SingleBar } from 'cli-progress'

/** Where a bar is drawn: the demo passes `process.stdout`. */
export type BarOutput = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number }

/**
 * Runs one transfer behind a transient progress bar: drawn on `output` only when it is a terminal,
 * and cleared when the transfer ends so the report's lines stay as they were. When `output` is not a
 * terminal (a pipe, a file, the tests), `run` gets no listener and nothing extra is printed.
 * cli-progress redraws at most 10 times a second, which is the throttle the libraries leave to us.
 */
export async function withProgressBar<T>(
  label: string,
  run: (onProgress: ProgressListener | undefined) => Promise<T>,
  output: BarOutput = process.stdout,
): Promise<T> {
  if (!output.isTTY) return run(undefined)
  const bar = new SingleBar(
    {
      stream: output,
      format: `    ${label} {bar} {percentage}% {done} of {size}`,
      barsize: 24,
      clearOnComplete: true,
      hideCursor: true,
      gracefulExit: true,
    },
    Presets.shades_classic,
  )
  let started = false
  const onProgress: ProgressListener = (transferred, total) => {
    const size = Math.max(total ?? transferred, 1)
    const payload = { done: formatBytes(transferred), size: total === undefined ? '?' : formatBytes(total) }
    if (!started) {
      started = true
      bar.start(size, transferred, payload)
      return
    }
    if (size !== bar.getTotal()) bar.setTotal(size)
    bar.update(transferred, payload)
  }
  try {
    return await run(onProgress)
  } finally {
    bar.stop()
  }
}

/** Bytes as `512 B`, `48.0 KiB` or `4.00 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`
}
