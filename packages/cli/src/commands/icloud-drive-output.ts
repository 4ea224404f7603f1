import type { DriveItem } from '@sigwire/icloud'
import { SingleBar } from 'cli-progress'
import type { Io } from '../output/io.js'

/** A Drive item as `--json` prints it (dates in ISO 8601, nothing undefined). */
export function itemJson(item: DriveItem): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: item.name,
    type: item.type,
    drivewsid: item.drivewsid,
    etag: item.etag,
  }
  if (item.size !== undefined) out.size = item.size
  if (item.dateModified) out.dateModified = item.dateModified.toISOString()
  if (item.dateChanged) out.dateChanged = item.dateChanged.toISOString()
  if (item.parentId) out.parentId = item.parentId
  if (item.restorePath !== undefined) out.restorePath = item.restorePath
  if (item.dateExpiration) out.dateExpiration = item.dateExpiration.toISOString()
  if (item.directChildrenCount !== undefined) out.items = item.directChildrenCount
  return out
}

/** `1.5 MiB`, `312 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** One line of `ls --long`: kind, size, modification time (UTC, to the minute), name (`/` after folders). */
export function longLine(item: DriveItem): string {
  const kind = item.type === 'FILE' ? '-' : item.type === 'APP_LIBRARY' ? 'a' : 'd'
  const size = item.size === undefined ? '-' : formatBytes(item.size)
  const when = item.dateModified
    ? item.dateModified.toISOString().slice(0, 16).replace('T', ' ')
    : '-'.padEnd(16)
  return `${kind}  ${size.padStart(9)}  ${when}  ${shortName(item)}`
}

/** The name as `ls` prints it: folders end in `/`. */
export function shortName(item: DriveItem): string {
  return item.isFolder ? `${item.name}/` : item.name
}

/** A progress bar of a transfer: bytes, rate and (for trees) files. */
export interface TransferBar {
  /** Moves the bar to `bytes`; `files` is the count of finished files. */
  update(bytes: number, files?: number): void
  stop(): void
}

/**
 * A transfer bar on stderr, drawn only on a terminal and not with `--json` (piped or machine output
 * gets nothing extra), redrawn at most 10 times a second.
 */
export function transferBar(
  io: Io,
  label: string,
  total: number,
  json: boolean,
  files?: number,
): TransferBar {
  const stream = io.progressStream
  if (stream === undefined || json) return { update: () => {}, stop: () => {} }
  const started = Date.now()
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | {done} of {size} | {rate}${files === undefined ? '' : ' | {files}'}`,
    barsize: 24,
    fps: 10,
    hideCursor: true,
    clearOnComplete: true,
  })
  const payload = (bytes: number, done: number) => {
    const seconds = (Date.now() - started) / 1000
    return {
      done: formatBytes(bytes),
      size: formatBytes(total),
      rate: `${formatBytes(seconds > 0 ? bytes / seconds : 0)}/s`,
      files: `${done}/${files ?? 0} files`,
    }
  }
  bar.start(Math.max(total, 1), 0, payload(0, 0))
  let finished = 0
  return {
    update: (bytes, done) => {
      if (done !== undefined) finished = done
      bar.update(Math.min(bytes, Math.max(total, 1)), payload(bytes, finished))
    },
    stop: () => bar.stop(),
  }
}
