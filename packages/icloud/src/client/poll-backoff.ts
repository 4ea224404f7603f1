/** How the webcourier long poll paces itself when the server does not hold it open. */
export interface PollBackoff {
  /** A poll answered sooner than this, with no notification, counts as answered at once. Default 1000. */
  readonly heldMs: number
  /** Wait after the first answer at once, in ms; doubled for each one after. Default 500. */
  readonly baseDelayMs: number
  /** Longest wait, in ms. Default 30 000. */
  readonly maxDelayMs: number
}

/** The default pacing of `push.notifications()`. */
export const POLL_BACKOFF: PollBackoff = { heldMs: 1000, baseDelayMs: 500, maxDelayMs: 30_000 }

/**
 * The wait before the next long poll. A long poll is meant to be held open until something happens
 * (docs/protocols/icloud.md §8.8): a poll that returned notifications, or was held, is re-issued
 * at once (`0`); the `streak`-th answer in a row that came at once with nothing waits
 * `baseDelayMs * 2^(streak-1)`, capped at `maxDelayMs`, half of it fixed and half random ("equal
 * jitter"), so a server that stops holding polls is not hammered and many clients do not poll in step.
 */
export function pollDelayMs(
  streak: number,
  backoff: PollBackoff = POLL_BACKOFF,
  random = Math.random,
): number {
  if (streak <= 0) return 0
  const step = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(streak - 1, 30))
  return Math.round(step / 2 + random() * (step / 2))
}

/** The next streak: one more for a poll answered at once with nothing, else back to zero. */
export function nextStreak(
  streak: number,
  elapsedMs: number,
  notifications: number,
  backoff = POLL_BACKOFF,
): number {
  return notifications === 0 && elapsedMs < backoff.heldMs ? streak + 1 : 0
}
