import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeMachine } from './machine.js'
import { FULL, QUICK } from './measure.js'
import { suites } from './suites/index.js'
import { type Table, tableToMarkdown, tableToText } from './table.js'

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
const raw: Record<string, unknown> = {}
let failed = false
for (const suite of suites) {
  if (only && !only.includes(suite.id)) continue
  log(`bench: ${suite.title}`)
  try {
    const result = await suite.run({ settings, quick, log })
    tables.push(...result.tables)
    raw[suite.id] = result.raw
    for (const table of result.tables) console.log(`\n${tableToText(table)}`)
  } catch (error) {
    failed = true
    log(`bench: ${suite.id} failed: ${(error as Error).stack ?? error}`)
  }
}
const seconds = (performance.now() - started) / 1000
console.log(`\n${quick ? 'quick run' : 'full run'} finished in ${seconds.toFixed(1)} s`)

const results = { machine, quick, seconds, settings, results: raw }
await mkdir(join(here, '../results'), { recursive: true })
await writeFile(
  join(here, '../results', quick ? 'quick.json' : 'latest.json'),
  `${JSON.stringify(results, null, 2)}\n`,
)
if (!quick && !only) {
  const header = [
    '# Benchmarks',
    '',
    'Produced by `pnpm bench` (source: `tooling/bench`). Every figure is a median over rounds after warm-up;',
    'every ratio is taken round by round between subjects measured interleaved in the same process, so it',
    'holds on a noisy machine even when absolute ops/s do not. Machine-readable results:',
    '`tooling/bench/results/latest.json`.',
    '',
    `- date: ${machine.date}`,
    `- CPU: ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB`,
    `- Node.js: ${machine.node} on ${machine.platform}`,
    `- run time: ${seconds.toFixed(0)} s`,
    '',
  ]
  await writeFile(
    join(root, 'BENCHMARKS.md'),
    `${header.join('\n')}${tables.map(tableToMarkdown).join('\n\n')}\n`,
  )
}
// Peer libraries leave timers behind (CloudKit JS polls); the run is over, so end the process.
process.exit(failed ? 1 : 0)
