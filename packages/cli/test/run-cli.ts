import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Path of the built `sigwire` binary (turbo builds it before the CLI's tests). */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js')

/** What a run of the real binary produced. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Spawns `node dist/bin.js ...args` as a user would run `sigwire ...args`. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/**
 * The first of `count` consecutive loopback ports that are free now, for `sigwire emulate --port`.
 * Drawn below Linux's ephemeral range (32768-60999), where the test's own client connections live, so a
 * port found free is not taken by an outgoing connection a moment later.
 */
export async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000)
    const servers: Server[] = []
    try {
      for (let port = base; port < base + count; port++) {
        const server = createServer()
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen(port, '127.0.0.1', resolve)
        })
        servers.push(server)
      }
      return base
    } catch {
      // Taken: try another base.
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    }
  }
  throw new Error(`no ${count} consecutive free ports found between 20000 and 30000`)
}
