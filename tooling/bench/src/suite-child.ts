// Runs one suite in a process of its own (main.ts starts one per suite) and writes what it returned,
// or its error, with the trees it left to discard, as JSON to the file named by the third argument.
// Usage: node suite-child.js <suite id> <quick|full> <result file>
import { writeFileSync } from 'node:fs'
import { takeDiscarded } from './disk.js'
import { FULL, QUICK } from './measure.js'
import { suites } from './suites/index.js'

const [id, mode, out] = process.argv.slice(2)
const suite = suites.find((s) => s.id === id)
const quick = mode === 'quick'
let code = 0
try {
  if (!suite || !out) throw new Error(`usage: suite-child <suite id> <quick|full> <result file> (got ${id})`)
  const result = await suite.run({
    settings: quick ? QUICK : FULL,
    quick,
    log: (message) => process.stderr.write(`${message}\n`),
  })
  writeFileSync(out!, JSON.stringify({ result, discard: takeDiscarded() }))
} catch (error) {
  code = 1
  writeFileSync(
    out!,
    JSON.stringify({ error: (error as Error)?.stack ?? String(error), discard: takeDiscarded() }),
  )
}
// Peer libraries leave timers behind (CloudKit JS polls): the suite is done, so end the process.
process.exit(code)
