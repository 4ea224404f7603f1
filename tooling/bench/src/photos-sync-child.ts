// Runs `sigwire ...argv` in this process (the CLI's own `main`, imported first and not timed, as the Drive
// tree benchmark and pyicloud's side are timed after their imports), then prints one JSON line with the
// exit code, the seconds and CPU seconds `main` took and the process's peak RSS on stderr.
import { main } from '@sigwire/cli'
import { readRss } from './memory/rss.js'
import { preloadCommand } from './preload-command.js'

const argv = process.argv.slice(2)
await preloadCommand(main, argv)
const started = performance.now()
const cpu = process.cpuUsage()
const code = await main(argv)
const seconds = (performance.now() - started) / 1000
// The CPU `main` used: user and system time of every thread of the process (thread pool included).
const used = process.cpuUsage(cpu)
const cpuSeconds = (used.user + used.system) / 1e6
process.stderr.write(`\n${JSON.stringify({ code, seconds, cpuSeconds, peakMiB: readRss().peakMiB })}\n`)
process.exit(code)
