import { mkdtempSync, readFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import type { Command } from 'commander'
import { InputError } from '../output/errors.js'
import type { Io } from '../output/io.js'
import { checkAppleNewsConfig } from './emulate-config.js'

// Loaded when `emulate` runs: the emulators are most of the CLI's code, and sign, verify and doctor
// should not wait for them to load.
const emulators = () => import('@sigwire/emulator')

/** The `--config` file: the user's own credentials, per service (documented in the emulator README). */
interface EmulateConfig {
  cloudkit?: Record<string, unknown>
  appleNews?: Record<string, unknown>
  safeCreative?: Record<string, unknown>
  icloud?: Record<string, unknown>
}

interface Common {
  port: number | undefined
  tls: boolean
  stateDir: string | undefined
  workDir: string
  /** Offset of the next service's port from `port`. */
  nextPort: number
}

interface Started {
  readonly key: keyof EmulateConfig
  readonly info: Record<string, unknown>
  /** PEM of the self-signed certificate, when serving TLS. */
  readonly certificate: string | undefined
  close(): Promise<void>
}

type Starter = (config: Record<string, unknown>, common: Common) => Promise<Started>

/** The services in the order `--port N` numbers them: cloudkit N, apple-news N+1, safe-creative, icloud. */
const STARTERS: ReadonlyArray<readonly [flag: string, key: keyof EmulateConfig, start: Starter]> = [
  [
    'cloudkit',
    'cloudkit',
    async (config, common) => {
      const { startCloudKitEmulator } = await emulators()
      const emulator = await startCloudKitEmulator({ ...config, ...server(common, 'cloudkit') })
      const dev = emulator.dev
      let privateKeyFile: string | undefined
      if (dev) {
        // The private key goes to a file (mode 0600), never to stdout.
        privateKeyFile = join(
          common.stateDir ? join(common.stateDir, 'cloudkit') : common.workDir,
          'dev-eckey.pem',
        )
        await writeFileAtomic(privateKeyFile, dev.privateKeyPem, { mode: 0o600 })
      }
      const first = (config.containers as Array<{ container: string; environment: string }> | undefined)?.[0]
      return {
        key: 'cloudkit',
        info: {
          url: emulator.url,
          container: dev?.container ?? first?.container,
          environment: dev?.environment ?? first?.environment,
          ...(dev ? { keyId: dev.keyId, privateKeyFile, apiToken: dev.apiToken } : {}),
        },
        certificate: emulator.certificate,
        close: () => emulator.close(),
      }
    },
  ],
  [
    'apple-news',
    'appleNews',
    async (config, common) => {
      const { startAppleNewsEmulator } = await emulators()
      const emulator = await startAppleNewsEmulator({
        ...checkAppleNewsConfig(config),
        ...server(common, 'apple-news'),
      })
      const dev = emulator.dev
      const first = (config.channels as Array<{ channelId: string }> | undefined)?.[0]
      return {
        key: 'appleNews',
        info: {
          url: emulator.url,
          // Configured keys are the user's own: only the channel is repeated, never the secret.
          ...(dev
            ? { channelId: dev.channelId, keyId: dev.keyId, secret: dev.secret }
            : { channelId: first?.channelId }),
          ...(emulator.publicOrigin === emulator.url ? {} : { publicOrigin: emulator.publicOrigin }),
        },
        certificate: emulator.certificate,
        close: () => emulator.close(),
      }
    },
  ],
  [
    'safe-creative',
    'safeCreative',
    async (config, common) => {
      const { startSafeCreativeEmulator } = await emulators()
      const emulator = await startSafeCreativeEmulator({ ...config, ...server(common, 'safe-creative') })
      return {
        key: 'safeCreative',
        info: {
          url: emulator.apiUrl,
          ...(emulator.dev ? { sharedKey: emulator.dev.sharedKey, privateKey: emulator.dev.privateKey } : {}),
        },
        certificate: emulator.certificate,
        close: () => emulator.close(),
      }
    },
  ],
  [
    'icloud',
    'icloud',
    async (config, common) => {
      const { startICloudEmulator } = await emulators()
      const emulator = await startICloudEmulator({ ...config, ...server(common, 'icloud') })
      const dev = emulator.dev
      return {
        key: 'icloud',
        info: {
          url: emulator.url,
          authUrl: emulator.authUrl,
          setupUrl: emulator.setupUrl,
          ...(dev ? { appleId: dev.appleId, password: dev.password, twoFactorCode: dev.twoFactorCode } : {}),
        },
        certificate: emulator.certificate,
        close: () => emulator.close(),
      }
    },
  ],
]

function server(common: Common, name: string): { port?: number; tls: boolean; stateDir?: string } {
  const port = common.port === undefined ? undefined : common.port + common.nextPort++
  return {
    ...(port === undefined ? {} : { port }),
    tls: common.tls,
    ...(common.stateDir ? { stateDir: join(common.stateDir, name) } : {}),
  }
}

/** `sigwire emulate`: starts the emulators, prints one JSON line of credentials, stops cleanly on SIGINT/SIGTERM. */
export function registerEmulate(program: Command, io: Io): void {
  const command = program
    .command('emulate')
    .description('run local emulators of the services (all by default) until interrupted')
    .option('--config <file>', 'JSON with your own credentials per service (see the emulator README)')
    .option('--state <dir>', 'keep state (and the generated dev credentials) here across restarts')
    .option('--tls', 'serve HTTPS with a generated self-signed certificate')
    .option(
      '--port <n>',
      'first of consecutive ports, one per started service in the order cloudkit, apple-news, safe-creative, icloud (default: free ports)',
    )
  for (const [flag] of STARTERS) command.option(`--${flag}`, `start the ${flag} emulator`)
  command.action(async (options: Record<string, string | boolean | undefined>) => {
    const config = options.config === undefined ? {} : readConfig(String(options.config))
    const chosen = STARTERS.filter(([flag]) => options[camel(flag)] === true)
    const selected = chosen.length > 0 ? chosen : STARTERS
    const port = options.port === undefined ? undefined : Number(options.port)
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535 - selected.length)) {
      throw new InputError('--port takes a port number.')
    }
    const stateDir = options.state === undefined ? undefined : resolve(String(options.state))
    if (stateDir) await mkdir(stateDir, { recursive: true, mode: 0o700 })
    const common: Common = {
      port,
      tls: options.tls === true,
      stateDir,
      workDir: mkdtempSync(join(tmpdir(), 'sigwire-emulate-')),
      nextPort: 0,
    }
    // Listen for the stop signals before anything starts, so a signal never finds the default handler.
    const stopRequested = new Promise<void>((resolveStop) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolveStop()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    const started: Started[] = []
    try {
      for (const [, key, start] of selected) started.push(await start(config[key] ?? {}, common))
    } catch (error) {
      await Promise.all(started.map((s) => s.close()))
      await rm(common.workDir, { recursive: true, force: true })
      throw error
    }
    const lines: Array<[string, Record<string, unknown>]> = []
    for (const s of started) {
      if (s.certificate === undefined) lines.push([s.key, s.info])
      else {
        // Clients trust the self-signed certificate by reading this file (tls.ca, NODE_EXTRA_CA_CERTS).
        const certificateFile = join(common.workDir, `${s.key}-certificate.pem`)
        await writeFileAtomic(certificateFile, s.certificate, { mode: 0o644 })
        lines.push([s.key, { ...s.info, certificateFile }])
      }
    }
    io.out(JSON.stringify(Object.fromEntries(lines)))
    await stopRequested
    // Closing flushes each emulator's state file.
    await Promise.all(started.map((s) => s.close()))
    await rm(common.workDir, { recursive: true, force: true })
    io.err('sigwire emulate: stopped, state flushed')
  })
}

function readConfig(path: string): EmulateConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new InputError(
      `Cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
  try {
    const value = JSON.parse(text) as EmulateConfig
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
    return value
  } catch {
    throw new InputError(
      `The config file ${path} is not a JSON object like {"cloudkit": {...}, "appleNews": {...}}.`,
    )
  }
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
}
