import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { removeDiscarded } from './disk.js'
import { describeMachine } from './machine.js'
import { FULL, QUICK } from './measure.js'
import { missedNotes, renderMarkdown, replaceSections, summaryTable } from './report.js'
import { suites } from './suites/index.js'
import { type Table, tableToText } from './table.js'
import type { Target } from './target.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const settings = quick ? QUICK : FULL
const machine = describeMachine()
const log = (message: string) => process.stderr.write(`${message}\n`)

const started = performance.now()
const tables: Table[] = []
const targets: Target[] = []
const failures: string[] = []
const raw: Record<string, unknown> = {}
// Sections of suites that stand alone, which an --only run writes into BENCHMARKS.md.
const ownTables: Table[] = []
const ownTargets: Target[] = []
for (const suite of suites) {
  if (only && !only.includes(suite.id)) continue
  log(`bench: ${suite.title}`)
  const suiteStarted = performance.now()
  try {
    const result = await suite.run({ settings, quick, log })
    tables.push(...result.tables)
    targets.push(...(result.targets ?? []))
    raw[suite.id] = result.raw
    if (suite.ownSection) {
      ownTables.push(...result.tables)
      ownTargets.push(...(result.targets ?? []))
    }
    for (const table of result.tables) console.log(`\n${tableToText(table)}`)
  } catch (error) {
    failures.push(`${suite.id}: ${String((error as Error).message ?? error).split('\n')[0]}`)
    log(`bench: ${suite.id} failed: ${(error as Error).stack ?? error}`)
  }
  log(`bench: ${suite.id} took ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s`)
}
const seconds = (performance.now() - started) / 1000
await removeDiscarded()
if (targets.length > 0) {
  console.log(`\n${tableToText(summaryTable(targets))}`)
  for (const note of missedNotes(targets)) console.log(note)
}
console.log(`\n${quick ? 'quick run' : 'full run'} finished in ${seconds.toFixed(1)} s`)

const results = { machine, quick, seconds, settings, targets, failures, results: raw }
await mkdir(join(here, '../results'), { recursive: true })
// Only a full run replaces latest.json (committed with BENCHMARKS.md); --quick and --only write their own.
const resultsFile = quick ? 'quick.json' : only ? 'partial.json' : 'latest.json'
await writeFile(join(here, '../results', resultsFile), `${JSON.stringify(results, null, 2)}\n`)
if (!quick && !only) {
  await writeFile(
    join(root, 'BENCHMARKS.md'),
    renderMarkdown({ machine, seconds, targets, tables, failures }),
  )
} else if (!quick && ownTables.length > 0) {
  const file = join(root, 'BENCHMARKS.md')
  await writeFile(file, replaceSections(await readFile(file, 'utf8'), ownTables, ownTargets))
}
// Peer libraries leave timers behind (CloudKit JS polls); the run is over, so end the process.
process.exit(failures.length > 0 ? 1 : 0)
