import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One server of the child process: where it listens and its credentials. */
export interface ServerInfo {
  readonly url: string
  readonly dev?: Record<string, string>
  /** Apple News: the origin clients sign. */
  readonly publicOrigin?: string
  /** PEM of the self-signed certificate of a TLS emulator. */
  readonly certificate?: string
}

/** Emulators running in a child process (see serve.ts). */
export interface Servers {
  readonly info: Record<string, ServerInfo>
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
