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
  const loop = async () => {
    while (performance.now() < until) {
      const t = performance.now()
      await call()
      latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const elapsed = performance.now() - started
  return {
    requestsPerSec: (latencies.length * 1000) / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}

/** Two clients against the same server, interleaved round by round; the ratio is per round, then the median. */
export async function compareLoad(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  concurrency: number,
  rounds: number,
  roundMs: number,
): Promise<{ a: LoadResult; b: LoadResult; ratio: number }> {
  await runLoad(a, concurrency, Math.min(300, roundMs))
  await runLoad(b, concurrency, Math.min(300, roundMs))
  const as: LoadResult[] = []
  const bs: LoadResult[] = []
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      as.push(await runLoad(a, concurrency, roundMs))
      bs.push(await runLoad(b, concurrency, roundMs))
    } else {
      bs.push(await runLoad(b, concurrency, roundMs))
      as.push(await runLoad(a, concurrency, roundMs))
    }
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
