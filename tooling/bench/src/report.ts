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

/**
 * BENCHMARKS.md with some sections measured again (an `--only` run of suites whose sections stand
 * alone): each table replaces the `### ` section of the same title, or is added at the end of the
 * results; each target replaces the summary row of the same name, or is added to the summary. The
 * rest of the file (machine facts, other suites) is kept as it was.
 */
export function replaceSections(
  markdown: string,
  tables: readonly Table[],
  targets: readonly Target[],
): string {
  let text = markdown
  for (const table of tables) {
    const heading = `### ${table.title}\n`
    const section = `${tableToMarkdown(table)}\n\n`
    const at = text.indexOf(heading)
    if (at !== -1) {
      const rest = text.slice(at + heading.length)
      const end = rest.search(/^##/m)
      text = text.slice(0, at) + section + (end === -1 ? '' : rest.slice(end))
    } else {
      const notes = text.indexOf('\n## Notes')
      text =
        notes === -1
          ? `${text}\n${section}`
          : `${text.slice(0, notes)}\n${section.trimEnd()}\n${text.slice(notes)}`
    }
  }
  const lines = text.split('\n')
  for (const target of targets) {
    const row = tableToMarkdown(summaryTable([target]))
      .split('\n')
      .at(-1)!
    const same = lines.findIndex((l) => l.startsWith(`| ${target.name} |`))
    if (same !== -1) {
      lines[same] = row
      continue
    }
    const summary = lines.indexOf('## Summary')
    let last = -1
    for (let i = summary + 1; i < lines.length && !lines[i]!.startsWith('## '); i++)
      if (lines[i]!.startsWith('| ')) last = i
    if (last !== -1) lines.splice(last + 1, 0, row)
  }
  return lines.join('\n')
}
