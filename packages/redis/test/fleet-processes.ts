import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'workers', 'fleet-worker.mjs')

/** What a worker reported. */
export interface WorkerResult {
  ok: number
  errors: string[]
  codes?: string[]
}

/** A worker process of a test fleet (workers/fleet-worker.mjs, on the built packages). */
export interface Worker {
  readonly child: ChildProcess
  readonly pid: number
  /** Resolves once the worker is set up (signed in, connected). */
  readonly ready: Promise<void>
  /** Starts the calls. */
  go(): void
  /** The outcome, or undefined when the worker died (SIGKILL). */
  readonly done: Promise<WorkerResult | undefined>
  /** What it wrote on stderr, for failures. */
  stderr(): string
}

/** Starts one worker with `job` (see the worker for the fields). */
export function startWorker(job: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let markReady: () => void = () => {}
  let failReady: (error: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve
    failReady = reject
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    if (out.startsWith('ready\n')) markReady()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-4000)
  })
  const done = new Promise<WorkerResult | undefined>((resolve) => {
    child.once('exit', (code, signal) => {
      failReady(new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready:\n${err}`))
      if (signal === 'SIGKILL') return resolve(undefined)
      const last = out.trim().split('\n').at(-1) ?? ''
      try {
        resolve(JSON.parse(last) as WorkerResult)
      } catch {
        resolve({ ok: 0, errors: [`exit ${code}: ${err.slice(-500)}`] })
      }
    })
  })
  ready.catch(() => undefined)
  return {
    child,
    pid: child.pid!,
    ready,
    go: () => child.stdin!.write('go\n'),
    done,
    stderr: () => err,
  }
}
