import { ZTIME_WINDOW_MS } from '../constants.js'

/** What is wrong with a `ztime` value, if anything. */
export type ZtimeProblem =
  | {
      /** The `ztime` is epoch milliseconds within the window. */
      readonly ok: true
      /** `ztime` minus the server's time, in ms (positive: the client's clock is ahead). */
      readonly skewMs: number
    }
  | {
      /** The server would refuse this `ztime`; `problem` says why. */
      readonly ok: false
      /** `missing`, `not-milliseconds` (seconds, a date-time string, anything but 13 digits) or `skew`. */
      readonly problem: 'missing' | 'not-milliseconds' | 'skew'
      /** ztime minus the server's time in ms, when ztime is a number. */
      readonly skewMs?: number
      /** What is wrong, in words: the skew and the accepted window, or what the value looks like instead. */
      readonly message: string
    }

/**
 * Checks a `ztime` against the server's clock: UTC epoch milliseconds within ±`windowMs` (§2.4).
 */
export function checkZtime(
  ztime: string | undefined,
  nowMs: number,
  windowMs: number = ZTIME_WINDOW_MS,
): ZtimeProblem {
  if (ztime === undefined || ztime === '')
    return { ok: false, problem: 'missing', message: 'The request has no ztime parameter.' }
  if (!/^\d{13}$/.test(ztime)) {
    const guess = /^\d{10}$/.test(ztime)
      ? 'it looks like seconds'
      : /^\d{14}$/.test(ztime)
        ? 'it looks like the obsolete yyyyMMddHHmmss form'
        : 'it is not 13 digits'
    return {
      ok: false,
      problem: 'not-milliseconds',
      ...(/^\d+$/.test(ztime) && ztime.length <= 16 ? { skewMs: Number(ztime) - nowMs } : {}),
      message: `ztime ${JSON.stringify(ztime.slice(0, 40))} is not epoch milliseconds (${guess}).`,
    }
  }
  const skewMs = Number(ztime) - nowMs
  if (Math.abs(skewMs) > windowMs)
    return {
      ok: false,
      problem: 'skew',
      skewMs,
      message: `ztime is ${formatSkew(skewMs)} the server's clock; Safe Creative accepts ±${windowMs / 1000} s.`,
    }
  return { ok: true, skewMs }
}

/** `3.2 s ahead of` / `12.0 s behind`. */
export function formatSkew(skewMs: number): string {
  return `${(Math.abs(skewMs) / 1000).toFixed(1)} s ${skewMs > 0 ? 'ahead of' : 'behind'}`
}
