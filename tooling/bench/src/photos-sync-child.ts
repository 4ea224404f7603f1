// Runs `sigwire ...argv` in this process (the CLI's own `main`, imported first and not timed, as the Drive
// tree benchmark and pyicloud's side are timed after their imports), then prints one JSON line with the
// exit code, the seconds `main` took and the process's peak RSS on stderr.
import { main } from '@sigwire/cli'
import { readRss } from './memory/rss.js'

const started = performance.now()
const code = await main(process.argv.slice(2))
const seconds = (performance.now() - started) / 1000
process.stderr.write(`\n${JSON.stringify({ code, seconds, peakMiB: readRss().peakMiB })}\n`)
process.exit(code)
