/** A result table: a title, column headers, rows of cells, and notes under it. */
export interface Table {
  readonly title: string
  readonly columns: readonly string[]
  readonly rows: ReadonlyArray<readonly string[]>
  readonly notes?: readonly string[]
}

/** The table as GitHub markdown. */
export function tableToMarkdown(table: Table): string {
  const lines = [
    `### ${table.title}`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
  ]
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`)
  for (const note of table.notes ?? []) lines.push('', note)
  return lines.join('\n')
}

/** The table as aligned plain text for a terminal. */
export function tableToText(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [
    table.title,
    line(table.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(line),
    ...(table.notes ?? []),
  ].join('\n')
}

/** Formats ops/s with thousands separators. */
export function formatOps(ops: number): string {
  return Math.round(ops).toLocaleString('en-US')
}

/** Formats a ratio like `0.93x`. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`
}
