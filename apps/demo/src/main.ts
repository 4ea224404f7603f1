import { formatMs, runSteps } from './report.js'
import { allSteps } from './steps/index.js'

const started = performance.now()
console.log('sigwire demo: every adapter end to end against in-process emulators')
const results = await runSteps(allSteps(), (line) => console.log(line))
const failed = results.filter((r) => !r.ok)
console.log(
  `\n${results.length - failed.length}/${results.length} steps passed in ${formatMs(performance.now() - started)}`,
)
process.exitCode = failed.length === 0 ? 0 : 1
