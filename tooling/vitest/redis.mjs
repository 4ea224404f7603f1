// A real redis-server for tests and benchmarks: started on a free loopback port with its own data
// directory (append-only file, fsync on every write, so a restart keeps what was acknowledged),
// stopped after. Without the binary, tests report skipped with the install command; under CI=true a
// skip fails the run (.ci/run installs the package).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** How to get the binary on Debian and Ubuntu. */
export const REDIS_INSTALL = 'apt-get install -y redis-server'

/** The path of `redis-server` on PATH, or undefined. */
export function redisServerPath() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server')
    if (dir && existsSync(candidate)) return candidate
  }
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server'])
    if (existsSync(candidate)) return candidate
  return undefined
}

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function ping(port, deadline) {
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      let data = ''
      socket.setTimeout(500, () => socket.destroy())
      socket.on('connect', () => socket.write('PING\r\n'))
      socket.on('data', (chunk) => {
        data += chunk
        if (data.includes('\r\n')) {
          socket.destroy()
          resolve(data.startsWith('+PONG'))
        }
      })
      socket.on('error', () => resolve(false))
      socket.on('close', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
}

/**
 * Starts redis-server on a free port (or `options.port`) with a fresh data directory.
 * @param {{ port?: number, password?: string }} [options]
 */
export async function startRedisServer(options = {}) {
  const binary = redisServerPath()
  if (!binary) throw new Error(`redis-server is not installed: ${REDIS_INSTALL}`)
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-redis-'))
  const port = options.port ?? (await freePort())
  let child
  let log = ''
  const launch = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      ...(options.password ? ['--requirepass', options.password] : []),
    ]
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d) => (log = (log + d).slice(-4000)))
    child.stderr.on('data', (d) => (log = (log + d).slice(-4000)))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.exited = exited
    try {
      await Promise.race([
        ping(port, Date.now() + 10_000),
        exited.then(() => Promise.reject(new Error(`redis-server exited:\n${log}`))),
      ])
    } catch (error) {
      child.kill('SIGKILL')
      throw error
    }
  }
  const halt = async (signal) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    await child.exited
  }
  await launch()
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : ''
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}/0`,
    get pid() {
      return child.pid
    },
    /** Stops the server as a crash would (SIGKILL), then starts it again on the same port and data. */
    async restart(downMs = 0) {
      await halt('SIGKILL')
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
      await launch()
    },
    /** Stops the server (SIGKILL) and leaves it down. */
    async kill() {
      await halt('SIGKILL')
    },
    /** Stops the server and removes its data. */
    async stop() {
      await halt('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * `describe` when redis-server is on PATH. Without it the tests report skipped with the install
 * command in their name, and under CI=true the suite fails instead.
 * @param {import('vitest')} vitest
 */
export function describeWithRedis(vitest, name, body) {
  if (redisServerPath()) return vitest.describe(name, body)
  if (process.env.CI === 'true')
    return vitest.describe(name, () => {
      vitest.it(`needs redis-server (${REDIS_INSTALL})`, () => {
        throw new Error(`redis-server is not on PATH and CI=true: install it with ${REDIS_INSTALL}`)
      })
    })
  return vitest.describe.skip(
    `${name} [skipped: redis-server not found; install it with ${REDIS_INSTALL}]`,
    body,
  )
}
