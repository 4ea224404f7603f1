import { describeFailure, printFailure } from './output/failure.js'
import type { Io } from './output/io.js'

/**
 * The last line of defence of the `sigwire` process: an exception or a rejection nothing caught (a
 * server's late error, a bug) is reported in the CLI's error format, without a stack trace, and the
 * process exits with its code. A closed stdout (`sigwire ... | head`) ends the process quietly.
 */
export function installCrashGuard(io: Io, json: boolean): void {
  const report = (error: unknown) => {
    const failure = describeFailure(error)
    try {
      printFailure(io, failure, json)
    } finally {
      process.exit(failure.exit)
    }
  }
  process.on('uncaughtException', report)
  process.on('unhandledRejection', report)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    report(error)
  })
}
