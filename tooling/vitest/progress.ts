import { expect } from 'vitest'

/** One call of a progress listener. */
export type ProgressCall = [transferred: number, total: number | undefined]

/** A listener that records its calls. */
export function recorder(): {
  calls: ProgressCall[]
  listener: (transferred: number, total: number | undefined) => void
} {
  const calls: ProgressCall[] = []
  return { calls, listener: (transferred, total) => calls.push([transferred, total]) }
}

/** One attempt's calls: `(0, total)` first, then strictly increasing, ending at `(total, total)`. */
export function expectOneRun(calls: readonly ProgressCall[], total: number): void {
  expect(calls.length).toBeGreaterThan(1)
  expect(calls[0]).toEqual([0, total])
  for (const [, t] of calls) expect(t).toBe(total)
  for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0])
  expect(calls.at(-1)).toEqual([total, total])
}

/** The calls of several attempts, split where a retry restarted from zero. */
export function attempts(calls: readonly ProgressCall[]): ProgressCall[][] {
  const out: ProgressCall[][] = []
  for (const call of calls) {
    if (call[0] === 0) out.push([])
    out.at(-1)!.push(call)
  }
  return out
}
