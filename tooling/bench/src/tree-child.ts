// The CLI's `icloud drive get --recursive` in its own process (see suites/icloud-drive): the CLI is
// imported first (not timed, like pyicloud's import and sign-in on the other side), then the command
// runs twice through the CLI's own `main`, and one JSON line gives each run's time and report.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Io } from '@sigwire/cli'
import { preloadCommand } from './preload-command.js'

const { cli, argv } = JSON.parse(process.argv[2] ?? '{}') as { cli: string; argv: string[] }
const { main } = (await import(pathToFileURL(resolve(cli)).href)) as {
  main: (argv: readonly string[], io?: Io) => Promise<number>
}
await preloadCommand(main, argv)
const runs: Array<{ seconds: number; code: number; report: unknown }> = []
for (let i = 0; i < 2; i++) {
  let out = ''
  const io = {
    out: (text: string) => {
      out += text
    },
    err: (text: string) => process.stderr.write(`${text}\n`),
    isTTY: false,
    env: {},
    stdinIsTTY: false,
    readStdin: () => new Uint8Array(),
  }
  const started = performance.now()
  const code = await main(argv, io)
  runs.push({
    seconds: (performance.now() - started) / 1000,
    code,
    report: out ? JSON.parse(out) : undefined,
  })
}
process.stdout.write(`${JSON.stringify(runs)}\n`)
process.exit(0)
