import type { Machine } from './machine.js'
import { type Table, tableToMarkdown } from './table.js'
import type { Target } from './target.js'

/** Everything BENCHMARKS.md is made of. */
export interface Report {
  readonly machine: Machine
  readonly seconds: number
  readonly targets: readonly Target[]
  readonly tables: readonly Table[]
  /** Suites that failed, with the first line of their error. */
  readonly failures: readonly string[]
}

/** The summary: every target, the figure measured and whether it was met. */
export function summaryTable(targets: readonly Target[]): Table {
  return {
    title: 'Targets of the benchmark issue',
    columns: ['target', 'goal', 'measured', 'met'],
    rows: targets.map((t) => [t.name, t.goal, t.measured, t.met ? 'met' : 'missed']),
  }
}

/** One line per missed target: what remains and why. */
export function missedNotes(targets: readonly Target[]): string[] {
  return targets
    .filter((t) => !t.met)
    .map((t) => `- **${t.name}** (${t.measured}, goal ${t.goal}): ${t.note ?? 'no explanation recorded.'}`)
}

/** BENCHMARKS.md: machine facts, the summary table, every suite's tables, then notes on missed targets. */
export function renderMarkdown(report: Report): string {
  const { machine } = report
  const notes = missedNotes(report.targets)
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `pnpm bench` (source: `tooling/bench`). Every figure is a median over rounds after warm-up;',
    'every ratio is taken round by round between subjects measured interleaved in the same process, so it',
    'holds on a noisy machine even when absolute ops/s do not. Machine-readable results:',
    '`tooling/bench/results/latest.json`.',
    '',
    `- date: ${machine.date}`,
    `- CPU: ${machine.cpu}`,
    `- cores: ${machine.cores}`,
    `- memory: ${machine.memoryGiB} GiB`,
    `- Node.js: ${machine.node} on ${machine.platform}`,
    `- run time: ${report.seconds.toFixed(0)} s`,
    '',
    '## Summary',
    '',
    tableToMarkdown(summaryTable(report.targets)),
    '',
    '## Results',
    '',
    report.tables.map(tableToMarkdown).join('\n\n'),
    '',
    '## Notes',
    '',
    ...(notes.length > 0
      ? ['Missed targets: what remains and why.', '', ...notes]
      : ['Every target was met.']),
    ...(report.failures.length > 0
      ? ['', 'Suites that failed:', '', ...report.failures.map((f) => `- ${f}`)]
      : []),
  ]
  return `${lines.join('\n')}\n`
}
