import { once } from 'node:events'
import { mkdtempSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { isSigwireError, writeFileAtomic } from '@sigwire/core'
import type { Command } from 'commander'
import { ensureDirectory } from '../input/directories.js'
import { numberOption } from '../input/option-values.js'
import { cliError } from '../output/errors.js'
import type { Io } from '../output/io.js'
import { type ConfigSection, type EmulateConfig, readEmulateConfig } from './emulate-config.js'
import {
  type EmulatorUiHandle,
  startEmulateUi,
  type UiServiceFactory,
  uiModule,
  uiStartFailure,
} from './emulate-ui.js'
import { onInterrupt } from './on-interrupt.js'

// Loaded when `emulate` runs: the emulators are most of the CLI's code, and sign, verify and doctor
// should not wait for them to load.
const emulators = () => import('@sigwire/emulator')

interface Common {
  port: number | undefined
  tls: boolean
  stateDir: string | undefined
  workDir: string
  /** Offset of the next service's port from `port`. */
  nextPort: number
  /** iCloud: the domain mapped to loopback (`--host-name`). */
  hostName: string | undefined
  /** iCloud: the strict profile (`--strict`). */
  strict: boolean
  /** `--drive-dir`: the tree the iCloud emulator's Drives start with. */
  driveDir: string | undefined
  /** `--photos-dir`: the directory the iCloud emulator's Photos library is seeded from. */
  photosDir?: string | undefined
  /** `--photos-renditions`: real scaled medium/thumbnail JPEGs, or the stand-in (fast to seed). */
  photosRenditions?: 'scaled' | 'stand-in' | undefined
}

interface Started {
  readonly key: keyof EmulateConfig
  readonly info: Record<string, unknown>
  /** PEM of the self-signed certificate, when serving TLS. */
  readonly certificate: string | undefined
  /** Describes the emulator to the web UI (loaded only when the UI runs). */
  readonly ui: UiServiceFactory
  close(): Promise<void>
}

type Starter = (config: ConfigSection, common: Common) => Promise<Started>

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
        ui: async () => (await uiModule()).cloudKitUiService(emulator),
        close: () => emulator.close(),
      }
    },
  ],
  [
    'apple-news',
    'appleNews',
    async (config, common) => {
      const { startAppleNewsEmulator } = await emulators()
      const emulator = await startAppleNewsEmulator({ ...config, ...server(common, 'apple-news') })
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
        ui: async () => (await uiModule()).appleNewsUiService(emulator),
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
        ui: async () => (await uiModule()).safeCreativeUiService(emulator),
        close: () => emulator.close(),
      }
    },
  ],
  [
    'icloud',
    'icloud',
    async (config, common) => {
      const { startICloudEmulator } = await emulators()
      const drive = { ...(config.drive as object), ...(common.driveDir ? { seedDir: common.driveDir } : {}) }
      const emulator = await startICloudEmulator({
        ...config,
        ...server(common, 'icloud'),
        drive,
        ...(common.hostName ? { hostName: common.hostName } : {}),
        ...(common.strict ? { profile: 'strict' as const } : {}),
        ...(common.photosDir === undefined ? {} : { photosDir: common.photosDir }),
        ...(common.photosRenditions === undefined ? {} : { photosRenditions: common.photosRenditions }),
      })
      const dev = emulator.dev
      return {
        key: 'icloud',
        info: {
          url: emulator.url,
          authUrl: emulator.authUrl,
          setupUrl: emulator.setupUrl,
          ...(dev ? { appleId: dev.appleId, password: dev.password, twoFactorCode: dev.twoFactorCode } : {}),
          // Bridge accounts: the code their emulated trusted device shows, once a sign-in started.
          ...((config as { accounts?: Array<{ twoFactor?: unknown }> }).accounts?.some(
            (a) => a.twoFactor === 'bridge',
          )
            ? { bridgeCodeUrl: `${emulator.url}/_emulator/icloud/bridge-code?appleId=` }
            : {}),
        },
        certificate: emulator.certificate,
        ui: async () => (await uiModule()).iCloudUiService(emulator),
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
    .option('--config <file>', 'JSON with your own credentials per service (see the README)')
    .option('--state <dir>', 'keep state (and the generated dev credentials) here across restarts')
    .option('--tls', 'serve HTTPS with a generated self-signed certificate')
    .option(
      '--port <n>',
      'first of consecutive ports, one per started service in the order cloudkit, apple-news, safe-creative, icloud (default: free ports)',
      numberOption('--port', { min: 1, max: 65_535, integer: true, unit: 'a port number' }),
    )
    .option(
      '--host-name <domain>',
      'iCloud: a domain you map to loopback (idmsa.<domain>, setup.<domain>); cookies get Domain=<domain>',
    )
    .option(
      '--strict',
      "iCloud: refuse what Apple's behaviour leaves uncertain (the default accepts it and logs a note)",
    )
    .option(
      '--drive-dir <dir>',
      "seed every iCloud account's Drive from this directory tree (folders, files and their mtimes)",
    )
  for (const [flag] of STARTERS) command.option(`--${flag}`, `start the ${flag} emulator`)
  command.option(
    '--photos-dir <dir>',
    "seed the iCloud emulator's Photos library from the image and video files of this directory (its shared-albums/ sub-folders: shared albums)",
  )
  command.option(
    '--photos-renditions <mode>',
    'medium and thumbnail renditions: scaled (real JPEGs of JPEG/PNG originals, made once per file at about 2 s per 12 MP photo; the default) or stand-in (a placeholder JPEG, for a large library that must start at once)',
  )
  command.option('--no-ui', 'do not serve the web UI (request log, token diffs, fault controls) on loopback')
  command.option(
    '--ui-port <n>',
    'port of the web UI on 127.0.0.1 (default: a free one)',
    numberOption('--ui-port', { min: 1, max: 65_535, integer: true, unit: 'a port number' }),
  )
  command.action(async (options: Record<string, string | number | boolean | undefined>) => {
    // Everything the command line and the config say is checked before anything starts.
    const config = options.config === undefined ? {} : readEmulateConfig(String(options.config))
    const chosen = STARTERS.filter(([flag]) => options[camel(flag)] === true)
    const selected = chosen.length > 0 ? chosen : STARTERS
    const port = options.port as number | undefined
    if (options.uiPort !== undefined && options.ui === false)
      throw cliError('INVALID_OPTION', '--ui-port and --no-ui contradict each other: drop one of them.')
    if (port !== undefined && port + selected.length - 1 > 65_535)
      throw cliError(
        'INVALID_OPTION',
        `--port ${port} leaves no room for ${selected.length} consecutive ports: pass ${65_536 - selected.length} or less.`,
      )
    const stateDir =
      options.state === undefined ? undefined : ensureDirectory(String(options.state), '--state', 0o700)
    const hostName = options.hostName === undefined ? undefined : String(options.hostName).toLowerCase()
    if (hostName !== undefined && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(hostName))
      throw cliError(
        'INVALID_OPTION',
        `--host-name must be a domain such as sigwire.test (got ${JSON.stringify(hostName.slice(0, 80))}); map idmsa.<domain> and setup.<domain> to 127.0.0.1.`,
      )
    const driveDir = options.driveDir === undefined ? undefined : existingDirectory(String(options.driveDir))
    const common: Common = {
      port,
      tls: options.tls === true,
      stateDir,
      workDir: mkdtempSync(join(tmpdir(), 'sigwire-emulate-')),
      nextPort: 0,
      hostName,
      strict: options.strict === true,
      driveDir,
      photosDir: options.photosDir === undefined ? undefined : checkPhotosDir(String(options.photosDir)),
      photosRenditions: renditionsOption(options.photosRenditions),
    }
    // Listen for the stop signals before anything starts, so a signal never finds the default handler.
    const stop = stopSignal()
    const started: Started[] = []
    try {
      for (const [flag, key, start] of selected) {
        const section = config[key] ?? {}
        const at = port === undefined ? undefined : port + common.nextPort
        try {
          started.push(await start(section, common))
        } catch (error) {
          throw startFailure(error, flag, key, section, at)
        }
      }
    } catch (error) {
      stop.dispose()
      await Promise.all(started.map((s) => s.close()))
      await rm(common.workDir, { recursive: true, force: true })
      throw error
    }
    const lines: Array<[string, unknown]> = []
    for (const s of started) {
      if (s.certificate === undefined) lines.push([s.key, s.info])
      else {
        // Clients trust the self-signed certificate by reading this file (tls.ca, NODE_EXTRA_CA_CERTS).
        const certificateFile = join(common.workDir, `${s.key}-certificate.pem`)
        await writeFileAtomic(certificateFile, s.certificate, { mode: 0o644 })
        lines.push([s.key, { ...s.info, certificateFile }])
      }
    }
    let ui: EmulatorUiHandle | undefined
    if (options.ui !== false) {
      try {
        ui = await startEmulateUi(started, options.uiPort as number | undefined)
      } catch (error) {
        stop.dispose()
        await Promise.all(started.map((s) => s.close()))
        await rm(common.workDir, { recursive: true, force: true })
        throw uiStartFailure(error, options.uiPort as number | undefined)
      }
      lines.push(['ui', ui.url])
    }
    io.out(JSON.stringify(Object.fromEntries(lines)))
    if (ui) io.err(`sigwire emulate: web UI at ${ui.url}`)
    await stop.requested
    await ui?.close()
    // Closing flushes each emulator's state file.
    await Promise.all(started.map((s) => s.close()))
    await rm(common.workDir, { recursive: true, force: true })
    io.err('sigwire emulate: stopped, state flushed')
  })
}

/** Resolves once SIGINT or SIGTERM arrives ({@link onInterrupt}); `dispose` stops listening. */
function stopSignal(): { requested: Promise<void>; dispose: () => void } {
  const interrupt = onInterrupt()
  const requested = once(interrupt.signal, 'abort').then(() => undefined)
  return { requested, dispose: interrupt.dispose }
}

/** Why an emulator did not start: its port, its config section, or whatever it threw. */
function startFailure(
  error: unknown,
  flag: string,
  key: string,
  section: ConfigSection,
  port?: number,
): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE')
    return cliError(
      'PORT_IN_USE',
      `Port ${port ?? ''} for the ${flag} emulator is already in use: pass another --port, stop what listens there, or leave --port out to use free ports.`,
    )
  if (code === 'EACCES' && (error as NodeJS.ErrnoException).syscall === 'listen')
    return cliError(
      'PORT_IN_USE',
      `Not allowed to listen on port ${port ?? ''} for the ${flag} emulator (ports below 1024 need privileges): pass --port 1024 or above.`,
    )
  if (isSigwireError(error) || Object.keys(section).length === 0) return error
  // The config passed the documented checks, yet the emulator could not use it.
  return cliError(
    'INVALID_CONFIG',
    `The ${flag} emulator could not start with the "${key}" section of --config (${error instanceof Error ? error.name : 'error'}): check the section against the README.`,
  )
}

/** `--drive-dir`: a directory that exists (it is read, never written). */
function existingDirectory(dir: string): string {
  const path = resolve(dir)
  const info = statSync(path, { throwIfNoEntry: false })
  if (info === undefined) throw cliError('FILE_NOT_FOUND', `--drive-dir names ${path}, which does not exist.`)
  if (!info.isDirectory())
    throw cliError(
      'NOT_A_DIRECTORY',
      `--drive-dir names ${path}, a file: name the directory tree to seed Drive with.`,
    )
  return path
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
}

/** `--photos-renditions` is `scaled` or `stand-in`. */
function renditionsOption(value: unknown): 'scaled' | 'stand-in' | undefined {
  if (value === undefined) return undefined
  if (value === 'scaled' || value === 'stand-in') return value
  throw cliError(
    'INVALID_OPTION',
    `--photos-renditions is scaled or stand-in (got ${JSON.stringify(String(value).slice(0, 40))}).`,
  )
}

/** `--photos-dir` must be a directory. */
function checkPhotosDir(dir: string): string {
  const info = statSync(dir, { throwIfNoEntry: false })
  if (!info)
    throw cliError(
      'FILE_NOT_FOUND',
      `--photos-dir ${dir} does not exist: name a directory of photos and videos.`,
    )
  if (!info.isDirectory())
    throw cliError('NOT_A_DIRECTORY', `--photos-dir names ${dir}, which is a file: name a directory.`)
  return resolve(dir)
}
