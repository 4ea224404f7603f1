import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { discardLater, removeDiscarded } from './disk.js'
import { describeMachine } from './machine.js'
import { FULL, QUICK } from './measure.js'
import { missedNotes, renderMarkdown, replaceSections, summaryTable } from './report.js'
import type { SuiteResult } from './suite.js'
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

/**
 * Runs a suite in a Node.js process of its own (suite-child.ts): what one suite leaves in a process (a
 * peer library's timers and heap, code V8 optimised for another suite's in-memory dispatcher) must not
 * move the next suite's figures. The subjects of a suite still run interleaved in one process.
 */
async function runInOwnProcess(id: string): Promise<SuiteResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-bench-suite-'))
  const file = join(dir, 'result.json')
  try {
    await new Promise<void>((done, fail) => {
      const child = spawn(
        process.execPath,
        [join(here, 'suite-child.js'), id, quick ? 'quick' : 'full', file],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      )
      child.once('error', fail)
      child.once('exit', () => done())
    })
    const answer = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as {
      result?: SuiteResult
      error?: string
      discard?: string[]
    }
    for (const tree of answer.discard ?? []) discardLater(tree)
    if (!answer.result) throw new Error(answer.error ?? `the process of suite ${id} ended without a result`)
    return answer.result
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

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
    const result = await runInOwnProcess(suite.id)
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
