import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CaseInput } from './cases.js'

/** What a measured child reports. */
export interface ChildResult {
  /** RSS after imports and building the client, before sending. */
  readonly baselineMiB: number
  /** Peak RSS of the whole child process. */
  readonly peakMiB: number
  /** Time to sign and send the body and get the answer. */
  readonly seconds: number
}

/** Runs one memory case in a fresh Node.js process (dist/memory-child.js) and returns its report. */
export function runChild(module: string, input: CaseInput): Promise<ChildResult> {
  const script = join(dirname(fileURLToPath(import.meta.url)), '../memory-child.js')
  const child = spawn(process.execPath, [script, JSON.stringify({ module, input })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ChildResult)
      else reject(new Error(`memory case ${module} exited with ${code}`))
    })
  })
}
