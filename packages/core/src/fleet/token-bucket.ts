/** A token bucket's state: tokens left and when it was last filled (epoch ms). */
export interface TokenBucket {
  /** Tokens left (a fraction while refilling). */
  readonly tokens: number
  /** When the bucket was last filled, in epoch ms. */
  readonly at: number
}

/**
 * Takes one token from `bucket` at `now`, refilling at `ratePerSecond` up to `burst` first. Returns the
 * bucket after the take and 0, or, when no token is left, the bucket unchanged but refilled and the ms
 * until one will be. The Redis gate runs the same arithmetic in Lua (`@sigwire/redis`).
 */
export function takeToken(
  bucket: TokenBucket | undefined,
  now: number,
  ratePerSecond: number,
  burst: number,
): {
  /** The bucket after this take, to store. */
  bucket: TokenBucket
  /** 0 when a token was taken; else how long until one is there, in ms (nothing was taken). */
  waitMs: number
} {
  const start = bucket ?? { tokens: burst, at: now }
  const elapsed = Math.max(0, now - start.at)
  const tokens = Math.min(burst, start.tokens + (elapsed * ratePerSecond) / 1000)
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, waitMs: 0 }
  return { bucket: { tokens, at: now }, waitMs: Math.ceil(((1 - tokens) * 1000) / ratePerSecond) }
}
