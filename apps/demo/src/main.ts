import { createKeeper, keepUntilInterrupted } from './keep.js'
import { formatMs, runSteps } from './report.js'
import { allSteps } from './steps/index.js'

// `pnpm demo --keep`: the emulators stay up afterwards, with the web UI over them.
const keeper = createKeeper(process.argv.includes('--keep'))
const started = performance.now()
console.log('sigwire demo: every adapter end to end against in-process emulators')
const results = await runSteps(allSteps(keeper), (line) => console.log(line))
const failed = results.filter((r) => !r.ok)
console.log(
  `\n${results.length - failed.length}/${results.length} steps passed in ${formatMs(performance.now() - started)}`,
)
process.exitCode = failed.length === 0 ? 0 : 1
if (keeper.keep) await keepUntilInterrupted(keeper, (line) => console.log(line))
else console.log('(pnpm demo --keep keeps the emulators up afterwards, with the web UI over them)')
