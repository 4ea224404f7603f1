import { median } from './stats.js'

/** Something to measure: a sync or async operation. */
export interface Subject {
  readonly name: string
  readonly run: () => unknown
}

/** How long and how often to measure. */
export interface MeasureSettings {
  /** Rounds; in each round every subject runs for `roundMs`, in turns of `roundMs / 10`. */
  readonly rounds: number
  /** Time per subject per round, in ms. */
  readonly roundMs: number
  /** Warm-up time per subject before the first round, in ms. */
  readonly warmupMs: number
}

/** Settings for a full run and for `--quick` (a smoke run that asserts nothing about speed). */
export const FULL: MeasureSettings = { rounds: 7, roundMs: 300, warmupMs: 300 }
export const QUICK: MeasureSettings = { rounds: 2, roundMs: 30, warmupMs: 20 }

/** Result of measuring one subject. */
export interface Throughput {
  readonly name: string
  /** Median ops/s over the rounds. */
  readonly opsPerSec: number
  /** Ops/s of each round. */
  readonly rounds: readonly number[]
}

/** Result of comparing subjects measured in the same process, interleaved. */
export interface Comparison {
  readonly subjects: readonly Throughput[]
  /** For each subject, the median over rounds of (subject ops/s ÷ baseline ops/s) in that round. */
  readonly ratios: readonly number[]
}

/** Slices per round: within a round the subjects take turns this many times. */
const SLICES = 10

/**
 * Measures `subjects` interleaved: in each round the subjects take turns in short slices (rotating who
 * goes first), so a change in the machine's load hits all of them alike within the round. Ratios are
 * taken per round against the first subject (the baseline) and their median is reported. A noisy
 * machine changes ops/s, not the ratio.
 */
export async function compare(subjects: readonly Subject[], settings: MeasureSettings): Promise<Comparison> {
  const batches = new Map<Subject, number>()
  for (const subject of subjects) batches.set(subject, await calibrate(subject, settings.warmupMs))
  const perRound: number[][] = subjects.map(() => [])
  const sliceMs = settings.roundMs / SLICES
  for (let round = 0; round < settings.rounds; round++) {
    const ops = subjects.map(() => 0)
    const ms = subjects.map(() => 0)
    for (let slice = 0; slice < SLICES; slice++) {
      for (let k = 0; k < subjects.length; k++) {
        const index = (k + round + slice) % subjects.length
        const subject = subjects[index]!
        const done = await opsFor(subject, batches.get(subject)!, sliceMs)
        ops[index]! += done.ops
        ms[index]! += done.ms
      }
    }
    for (let i = 0; i < subjects.length; i++) perRound[i]!.push((ops[i]! * 1000) / ms[i]!)
  }
  const results = subjects.map((subject, i) => ({
    name: subject.name,
    opsPerSec: median(perRound[i]!),
    rounds: perRound[i]!,
  }))
  const ratios = subjects.map((_, i) => median(perRound[i]!.map((ops, round) => ops / perRound[0]![round]!)))
  return { subjects: results, ratios }
}

/** Finds a batch size that takes about a millisecond, warming the subject up on the way. */
async function calibrate(subject: Subject, warmupMs: number): Promise<number> {
  let batch = 1
  const until = performance.now() + warmupMs
  for (;;) {
    const started = performance.now()
    await runBatch(subject, batch)
    const elapsed = performance.now() - started
    if (elapsed < 1 && batch < 1 << 20) batch *= 2
    if (performance.now() >= until) return batch
  }
}

async function opsFor(
  subject: Subject,
  batch: number,
  sliceMs: number,
): Promise<{ ops: number; ms: number }> {
  let ops = 0
  const started = performance.now()
  let now = started
  do {
    await runBatch(subject, batch)
    ops += batch
    now = performance.now()
  } while (now - started < sliceMs)
  return { ops, ms: now - started }
}

async function runBatch(subject: Subject, batch: number): Promise<void> {
  for (let i = 0; i < batch; i++) {
    const result = subject.run()
    if (result instanceof Promise) await result
  }
}
