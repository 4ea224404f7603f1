import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Emulators running in a child process (see serve.ts). */
export interface Servers {
  readonly info: Record<string, { url: string; dev?: Record<string, string> }>
  readonly child: ChildProcess
  stop(): Promise<void>
}

/** Starts the emulators named in `spec` in a child process and waits for their URLs. */
export function startServers(spec: Record<string, Record<string, unknown>>): Promise<Servers> {
  const child = spawn(
    process.execPath,
    [join(dirname(fileURLToPath(import.meta.url)), 'serve.js'), JSON.stringify(spec)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)))
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const newline = out.indexOf('\n')
      if (newline === -1) return
      child.removeAllListeners('exit')
      resolve({
        info: JSON.parse(out.slice(0, newline)),
        child,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done())
            child.stdin!.end()
          }),
      })
    })
  })
}
