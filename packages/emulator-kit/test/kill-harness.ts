// Runs an emulator in a process of its own so a test can kill -9 it under load. The child is a vitest
// run of one `*.child.ts` file (so it runs the TypeScript sources, as every test does); it writes
// `{ pid, ...info }` to a ready file and waits. Used by each adapter's durability test.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

/** A running child emulator. */
export interface ChildEmulator<I> {
  /** What the child wrote: its URL, credentials... */
  readonly info: I
  /** Kills the emulator's process with SIGKILL (no flush, no close), and the vitest process around it. */
  kill(): Promise<void>
}

/**
 * Starts `vitest run --config <config>` in `cwd` with `SIGWIRE_CHILD_STATE` and `SIGWIRE_CHILD_READY`
 * set, and waits (up to 60 s) for the ready file.
 */
export async function startChildEmulator<I>(input: {
  cwd: string
  config: string
  stateDir: string
  readyFile: string
}): Promise<ChildEmulator<I>> {
  const child: ChildProcess = spawn(process.execPath, [vitestBin, 'run', '--config', input.config], {
    cwd: input.cwd,
    env: { ...process.env, SIGWIRE_CHILD_STATE: input.stateDir, SIGWIRE_CHILD_READY: input.readyFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 60_000
  let ready: ({ pid: number } & I) | undefined
  while (ready === undefined) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`The child emulator did not start:\n${output.slice(-4000)}`)
    const text = await readFile(input.readyFile, 'utf8').catch(() => undefined)
    // The file may be read while it is being written: wait for a complete JSON document.
    try {
      ready = text === undefined ? undefined : (JSON.parse(text) as { pid: number } & I)
    } catch {
      ready = undefined
    }
    if (ready === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const { pid, ...info } = ready
  return {
    info: info as I,
    async kill() {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
      child.kill('SIGKILL')
      await exited
    },
  }
}

/**
 * Runs `write` from `concurrency` loops and calls `kill` after `runMs` once at least `minAcknowledged`
 * writes were acknowledged (waiting at most 30 s more on a loaded machine), with writes still in
 * flight; returns the results of the writes that were acknowledged (resolved) and how many failed.
 */
export async function writeUnderLoad<T>(options: {
  concurrency: number
  runMs: number
  minAcknowledged: number
  write: (n: number) => Promise<T>
  kill: () => Promise<void>
}): Promise<{ acknowledged: T[]; failed: number; killedAfter: number; firstError: unknown }> {
  const acknowledged: T[] = []
  let failed = 0
  let firstError: unknown
  let next = 0
  let dead = false
  const loop = async () => {
    while (!dead) {
      const n = next++
      try {
        acknowledged.push(await options.write(n))
      } catch (error) {
        failed++
        firstError ??= error
        if (dead) return
        // A write that fails at once must not spin this loop without letting the timers run.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  }
  const loops = Array.from({ length: options.concurrency }, loop)
  await new Promise((resolve) => setTimeout(resolve, options.runMs))
  const deadline = Date.now() + 30_000
  while (acknowledged.length < options.minAcknowledged && Date.now() < deadline && failed === 0)
    await new Promise((resolve) => setTimeout(resolve, 50))
  const killedAfter = acknowledged.length
  await options.kill()
  dead = true
  await Promise.all(loops)
  return { acknowledged, failed, killedAfter, firstError }
}

/**
 * Starts a request that declares `declared` bytes, sends `sent` of them, waits until `spooling()` is
 * true (the server started writing the body somewhere), then aborts the connection.
 */
export async function abortUpload(input: {
  url: string
  headers: Record<string, string>
  declared: number
  sent: number
  spooling: () => Promise<boolean>
}): Promise<void> {
  const { request } = await import('node:http')
  const req = request(input.url, {
    method: 'POST',
    headers: { ...input.headers, 'content-length': String(input.declared) },
    agent: false,
  })
  req.on('error', () => {})
  req.write(Buffer.alloc(input.sent))
  const deadline = Date.now() + 10_000
  while (!(await input.spooling())) {
    if (Date.now() > deadline) throw new Error('The upload never reached the disk.')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  req.destroy()
}
