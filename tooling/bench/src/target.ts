import { formatRatio } from './table.js'

/** A goal from the benchmark issue, the figure measured against it, and whether it was met. */
export interface Target {
  /** What is measured, e.g. `Apple News signing vs raw HMAC (GET)`. */
  readonly name: string
  /** The goal as text, e.g. `≥ 0.80x`. */
  readonly goal: string
  /** The measured figure as text. */
  readonly measured: string
  readonly met: boolean
  /** What remains and why; printed in the notes when the target is missed. */
  readonly note?: string
}

/** A ratio that should be at least `min` (a speed target). */
export function atLeast(name: string, ratio: number, min: number, note?: string): Target {
  const met = ratio >= min
  // A miss that rounds to the goal is shown with one more digit, so it does not read as the goal.
  const measured =
    !met && formatRatio(ratio) === formatRatio(min) ? `${ratio.toFixed(3)}x` : formatRatio(ratio)
  return {
    name,
    goal: `≥ ${formatRatio(min)}`,
    measured,
    met,
    ...(note === undefined ? {} : { note }),
  }
}

/** A size in MiB that should stay below `max` MiB (a memory target). */
export function below(name: string, mib: number, max: number, note?: string): Target {
  return {
    name,
    goal: `< ${max} MiB`,
    measured: `${mib < max || mib >= max + 0.5 ? mib.toFixed(0) : mib.toFixed(1)} MiB`,
    met: mib < max,
    ...(note === undefined ? {} : { note }),
  }
}
