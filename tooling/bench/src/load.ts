import { median, percentile } from './stats.js'

/** Throughput and latency of one load run. */
export interface LoadResult {
  readonly requestsPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Runs `concurrency` loops calling `call` for `durationMs`; counts completions and records latencies. */
export async function runLoad(
  call: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const latencies: number[] = []
  const until = performance.now() + durationMs
  const started = performance.now()
  // Every worker makes at least one call: on a stalled machine the window could pass before the first
  // check, and a run of no calls reads as 0 requests/s (a ratio of 0 or Infinity).
  const loop = async () => {
    do {
      const t = performance.now()
      await call()
      latencies.push(performance.now() - t)
    } while (performance.now() < until)
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const elapsed = performance.now() - started
  return {
    requestsPerSec: (latencies.length * 1000) / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}

/** Sums of two load runs of the same client (ABBA halves), as one result. */
function combine(x: LoadResult, y: LoadResult): LoadResult {
  return {
    requestsPerSec: (x.requestsPerSec + y.requestsPerSec) / 2,
    p50Ms: (x.p50Ms + y.p50Ms) / 2,
    p99Ms: Math.max(x.p99Ms, y.p99Ms),
  }
}

/**
 * Two clients against the same server. Each round runs A, B, B, A for half the round time each, so a
 * drift in speed during the round (JIT warm-up of the server, a neighbour's load) hits both alike: with
 * plain alternation, whoever runs first in most rounds is measured on the slower side of any upward
 * drift (an A/A run of one client against itself then reads 0.8x). The ratio is taken per round, then
 * the median over rounds is reported.
 */
export async function compareLoad(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  concurrency: number,
  rounds: number,
  roundMs: number,
): Promise<{ a: LoadResult; b: LoadResult; ratio: number }> {
  const half = roundMs / 2
  for (let i = 0; i < 2; i++) {
    await runLoad(a, concurrency, Math.min(250, half))
    await runLoad(b, concurrency, Math.min(250, half))
  }
  const as: LoadResult[] = []
  const bs: LoadResult[] = []
  for (let round = 0; round < rounds; round++) {
    const a1 = await runLoad(a, concurrency, half)
    const b1 = await runLoad(b, concurrency, half)
    const b2 = await runLoad(b, concurrency, half)
    const a2 = await runLoad(a, concurrency, half)
    as.push(combine(a1, a2))
    bs.push(combine(b1, b2))
  }
  const pick = (list: LoadResult[]): LoadResult => ({
    requestsPerSec: median(list.map((r) => r.requestsPerSec)),
    p50Ms: median(list.map((r) => r.p50Ms)),
    p99Ms: median(list.map((r) => r.p99Ms)),
  })
  return {
    a: pick(as),
    b: pick(bs),
    ratio: median(as.map((r, i) => r.requestsPerSec / bs[i]!.requestsPerSec)),
  }
}
