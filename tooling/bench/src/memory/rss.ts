import { readFileSync } from 'node:fs'

/** Memory of this process, in MiB. */
export interface RssReading {
  /** Resident set size now. */
  readonly rssMiB: number
  /** Peak resident set size so far (`process.resourceUsage().maxRSS`; VmHWM on Linux). */
  readonly peakMiB: number
}

/** The kB value of one field of /proc/self/status (Linux), or undefined elsewhere. */
export function statusFieldKiB(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  return match ? Number(match[1]) : undefined
}

/** Reads the current and peak RSS of this process. */
export function readRss(): RssReading {
  let status = ''
  try {
    status = readFileSync('/proc/self/status', 'utf8')
  } catch {
    // Not Linux: resourceUsage and memoryUsage are enough.
  }
  const peakKiB = Math.max(process.resourceUsage().maxRSS, statusFieldKiB(status, 'VmHWM') ?? 0)
  return { rssMiB: process.memoryUsage.rss() / 1024 / 1024, peakMiB: peakKiB / 1024 }
}
