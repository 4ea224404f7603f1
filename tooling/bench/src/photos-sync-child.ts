// Runs `sigwire ...argv` in this process (the CLI's own `main`), then prints one JSON line with the
// exit code and the peak RSS on stderr, so the photos benchmark measures the sync's memory alone.
import { main } from '@sigwire/cli'
import { readRss } from './memory/rss.js'

const code = await main(process.argv.slice(2))
process.stderr.write(`\n${JSON.stringify({ code, peakMiB: readRss().peakMiB })}\n`)
process.exit(code)
