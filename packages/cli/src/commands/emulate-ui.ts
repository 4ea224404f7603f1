import type {
  EmulatorUi,
  UiDoctorInput,
  UiDoctorProtocol,
  UiDoctorReport,
  UiService,
} from '@sigwire/emulator-ui'
import { cliError } from '../output/errors.js'
import type { Io } from '../output/io.js'

/** Describes one started emulator to the web UI. */
export type UiServiceFactory = () => Promise<UiService>

/** The running UI, as `sigwire emulate` holds it. */
export type EmulatorUiHandle = Pick<EmulatorUi, 'url' | 'close'>

// Loaded when the UI starts, like the emulators themselves.
export const uiModule = () => import('@sigwire/emulator-ui')

/**
 * Starts the web UI over the started emulators on loopback (`port`, or a free one), with
 * `sigwire doctor` behind its doctor page.
 */
export async function startEmulateUi(
  started: ReadonlyArray<{ ui: UiServiceFactory }>,
  port?: number,
): Promise<EmulatorUiHandle> {
  const { startEmulatorUi } = await uiModule()
  const services = await Promise.all(started.map((s) => s.ui()))
  return startEmulatorUi({ services, doctor: runDoctor, ...(port === undefined ? {} : { port }) })
}

/** Why the UI did not start: `--ui-port` taken or not allowed becomes `PORT_IN_USE`; anything else as it is. */
export function uiStartFailure(error: unknown, port: number | undefined): unknown {
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'EADDRINUSE')
    return cliError(
      'PORT_IN_USE',
      `Port ${port ?? ''} for the web UI is already in use: pass another --ui-port, stop what listens there, or leave --ui-port out to use a free port.`,
    )
  if (e?.code === 'EACCES' && e.syscall === 'listen')
    return cliError(
      'PORT_IN_USE',
      `Not allowed to listen on port ${port ?? ''} for the web UI (ports below 1024 need privileges): pass --ui-port 1024 or above.`,
    )
  return error
}

/** The environment variable each doctor reads its key from (the CLI README's `doctor` section). */
const KEY_ENV: Readonly<Record<UiDoctorProtocol, string>> = {
  cloudkit: 'SIGWIRE_CLOUDKIT_PUBLIC_KEY',
  'apple-news': 'SIGWIRE_APPLE_NEWS_SECRET',
  'safe-creative': 'SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY',
}

/**
 * Runs `sigwire doctor <protocol> --json` in this process on a pasted request: the same parsers, doctors
 * and report as the command line. The key and the signed string go in through the run's own
 * environment object (never `process.env`), the request through its stdin; nothing is written anywhere.
 */
export async function runDoctor(input: UiDoctorInput): Promise<UiDoctorReport> {
  const { main } = await import('../main.js')
  const out: string[] = []
  const err: string[] = []
  const stdin = input.format === 'curl' ? undefined : Buffer.from(input.text, 'utf8')
  const io: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    isTTY: false,
    env: {
      ...(input.key === undefined ? {} : { [KEY_ENV[input.protocol]]: input.key }),
      ...(input.signed === undefined ? {} : { SIGWIRE_SIGNED_STRING: input.signed }),
    },
    stdinIsTTY: false,
    readStdin: (maxBytes) => (stdin && stdin.byteLength <= maxBytes ? new Uint8Array(stdin) : undefined),
  }
  const source =
    input.format === 'curl' ? ['--curl', input.text] : [input.format === 'har' ? '--har' : '--request', '-']
  await main(['doctor', input.protocol, ...source, '--json'], io)
  if (out.length > 0) return { report: JSON.parse(out.join('\n')) }
  const failure = JSON.parse(err.join('\n') || '{}') as { error?: { code: string; message: string } }
  return { error: failure.error ?? { code: 'INTERNAL', message: 'The doctor printed nothing.' } }
}
