import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FleetJob, FleetResult } from './job.js'

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.js')

/** Worker processes started together: wait until all are set up, start them at once, collect. */
export async function runFleet(
  jobs: readonly FleetJob[],
  beforeGo?: () => Promise<void>,
): Promise<FleetResult[]> {
  const workers = jobs.map((job) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        if (out.startsWith('ready\n')) resolve()
      })
      child.once('exit', (code) =>
        reject(new Error(`fleet worker exited (${code}) before it was ready: ${err.slice(-800)}`)),
      )
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err = (err + chunk).slice(-4000)
    })
    const done = new Promise<FleetResult>((resolve, reject) => {
      child.once('exit', (code) => {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as FleetResult)
        } catch {
          reject(new Error(`fleet worker exited (${code}): ${err.slice(-800)}`))
        }
      })
    })
    ready.catch(() => undefined)
    return { child, ready, done }
  })
  await Promise.all(workers.map((w) => w.ready))
  await beforeGo?.()
  for (const w of workers) w.child.stdin.write('go\n')
  return Promise.all(workers.map((w) => w.done))
}
