import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, type CliRun, consecutiveFreePorts, runCli } from './run-cli.js'

const DIST = dirname(BIN)
const VERSION = (JSON.parse(readFileSync(join(DIST, '..', 'package.json'), 'utf8')) as { version: string })
  .version
const servers: Server[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

/** Runs a module script in a fresh `node` that installs the CLI's crash guard from dist first. */
function guarded(script: string, json = false): Promise<CliRun> {
  const prelude = `
    import { installCrashGuard } from ${JSON.stringify(pathToFileURL(join(DIST, 'crash-guard.js')).href)}
    import { processIo } from ${JSON.stringify(pathToFileURL(join(DIST, 'output', 'io.js')).href)}
    installCrashGuard(processIo(), ${json})
  `
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', prelude + script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

const noStack = (run: CliRun) => expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)

describe('the sigwire binary', () => {
  it('prints its version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag])
      expect(run).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
    }
  })

  it('reports a port already in use as PORT_IN_USE, exit 2, without a stack trace', async () => {
    const port = await consecutiveFreePorts(1)
    const taken = createServer()
    servers.push(taken)
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
    const run = await runCli(['emulate', '--cloudkit', '--port', String(port)])
    noStack(run)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `sigwire: PORT_IN_USE: Port ${port} for the cloudkit emulator is already in use: pass another --port, stop what listens there, or leave --port out to use free ports.\n`,
    )
  })

  it('writes a usage error as one JSON object on stderr with --json', async () => {
    const run = await runCli(['sign', 'cloudkit', '--json'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(JSON.parse(run.stderr)).toEqual({
      error: { code: 'MISSING_OPTION', message: expect.stringContaining("'--key-id <id>'") },
    })
  })

  it('ends quietly when its stdout is closed early (sigwire ... | head)', async () => {
    const run = await new Promise<CliRun>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'sign', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout.destroy()
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: '', stderr }))
    })
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' })
  })
})

describe('the crash guard', () => {
  it('reports an uncaught exception as INTERNAL, exit 2, without its message or stack', async () => {
    const run = await guarded("setTimeout(() => { throw new TypeError('token tok-SECRET-1 broke') })")
    noStack(run)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^sigwire: INTERNAL: sigwire stopped on an unexpected TypeError: this is a bug\./,
    )
    expect(run.stderr).not.toContain('tok-SECRET-1')
  })

  it('reports an unhandled rejection the same way, as JSON with --json', async () => {
    const run = await guarded("Promise.reject(new Error('password pw-SECRET-2'))", true)
    noStack(run)
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stderr)).toEqual({
      error: { code: 'INTERNAL', message: expect.stringContaining('unexpected Error') },
    })
    expect(run.stderr).not.toContain('pw-SECRET-2')
  })

  it('names a late EADDRINUSE (a server error nothing handled) as PORT_IN_USE', async () => {
    const port = await consecutiveFreePorts(1)
    const taken = createServer()
    servers.push(taken)
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
    const run = await guarded(
      `import { createServer } from 'node:net'\ncreateServer().listen(${port}, '127.0.0.1')`,
    )
    noStack(run)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      new RegExp(`^sigwire: PORT_IN_USE: The address 127\\.0\\.0\\.1:${port} is already in use`),
    )
  })
})
