// Runs `sigwire ...argv` in this process (the CLI's own `main`, imported first and not timed, as the Drive
// tree benchmark and pyicloud's side are timed after their imports), then prints one JSON line with the
// exit code, the seconds `main` took and the process's peak RSS on stderr.
import { main } from '@sigwire/cli'
import { readRss } from './memory/rss.js'
import { preloadCommand } from './preload-command.js'

const argv = process.argv.slice(2)
await preloadCommand(main, argv)
const started = performance.now()
const code = await main(argv)
const seconds = (performance.now() - started) / 1000
process.stderr.write(`\n${JSON.stringify({ code, seconds, peakMiB: readRss().peakMiB })}\n`)
process.exit(code)
