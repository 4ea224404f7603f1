// One memory case in its own process (see memory/suite): imports only that case's client, records the
// baseline RSS, signs and sends the file body, and prints one JSON line with the baseline and the peak.
import type { CaseInput, MemoryCase } from './memory/cases.js'
import { readRss } from './memory/rss.js'

const { module, input } = JSON.parse(process.argv[2] ?? '{}') as { module: string; input: CaseInput }
const loaded = (await import(`./memory/cases/${module}.js`)) as { prepare: MemoryCase['prepare'] }
const run = await loaded.prepare(input)
const baseline = readRss()
const started = performance.now()
await run.send()
const seconds = (performance.now() - started) / 1000
const peak = readRss()
await run.close()
process.stdout.write(`${JSON.stringify({ baselineMiB: baseline.rssMiB, peakMiB: peak.peakMiB, seconds })}\n`)
process.exit(0)
