import { statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isCancel, password as promptPassword, text as promptText } from '@clack/prompts'
import {
  createFileSessionStore,
  createICloudClient,
  type ICloudClientOptions,
  ICloudError,
  isICloudError,
  type SessionState,
  sessionFileName,
  type TwoFactorHandler,
  type TwoFactorOption,
  WEBAUTH_TOKEN_COOKIE,
} from '@sigwire/icloud'
import type { Command } from 'commander'
import { modulesNamed, type Register } from '../command-modules.js'
import { refuseUrlCredentials } from '../input/http-syntax.js'
import { numberOption } from '../input/option-values.js'
import { readUserFile, SMALL_FILE_BYTES } from '../input/read-file.js'
import { cliError, EXIT } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'
import { readSecret } from '../secrets.js'
import { codeVia, securityKeyHandler, webAccessPrompt } from './icloud-second-factor.js'
import { checkSessionDirectory, findSavedSession, type SavedSession } from './icloud-session.js'
import { findSharedSession, openSharedStore, STORE_HELP, sessionStoreOf } from './store-option.js'

/** The connection flags every `sigwire icloud` command takes. */
export interface ConnectionOptions {
  appleId?: string
  authUrl?: string
  setupUrl?: string
  sessionDir: string
  store?: string
  /** The environment `--store`'s default and key come from (set for every `sigwire icloud` command). */
  env?: NodeJS.ProcessEnv
  json?: boolean
}

type Endpoints = NonNullable<SessionState['endpoints']>

/** Where sessions are saved unless `--session-dir` says otherwise. */
export const DEFAULT_SESSION_DIR: string = join(homedir(), '.sigwire', 'icloud')

/**
 * The `sigwire icloud` words and the module that registers them, in the order `sigwire icloud --help`
 * lists them. As for the top-level words (`main.ts`), a run loads and registers only the one its word
 * names: building every sub-command with its options cost a short command like a re-run of
 * `photos sync` 12-27 ms (cold) before its first request.
 */
const ICLOUD_COMMANDS: ReadonlyArray<{
  readonly words: readonly string[]
  readonly load: () => Promise<Register>
}> = [
  { words: ['photos'], load: async () => (await import('./icloud-photos.js')).registerICloudPhotos },
  { words: ['login', 'status'], load: async () => registerSessionCommands },
  { words: ['drive'], load: async () => (await import('./icloud-drive.js')).registerICloudDrive },
  { words: ['findmy'], load: async () => (await import('./icloud-findmy.js')).registerFindMy },
  { words: ['hme'], load: async () => (await import('./icloud-hme.js')).registerHme },
  { words: ['reminders'], load: async () => (await import('./icloud-reminders.js')).registerReminders },
  { words: ['account'], load: async () => (await import('./icloud-account.js')).registerAccount },
  { words: ['calendar'], load: async () => (await import('./icloud-calendar.js')).registerCalendar },
  { words: ['contacts'], load: async () => (await import('./icloud-contacts.js')).registerContacts },
  { words: ['notes'], load: async () => (await import('./icloud-notes.js')).registerNotes },
]

/**
 * Loads what `sigwire icloud <rest>` needs and returns the function that registers it: the `icloud`
 * command with the sub-command `rest[0]` names, or with every sub-command when it names none (help,
 * an option, a typo, so that help lists them all and commander suggests the nearest).
 */
export async function loadICloud(rest: readonly string[]): Promise<Register> {
  const { modules } = modulesNamed(ICLOUD_COMMANDS, rest[0])
  const registers = await Promise.all(modules.map((c) => c.load()))
  return (program, io, setExit) => {
    const icloud = program
      .command('icloud')
      .description('iCloud.com sessions: sign in once, reuse the saved session')
    for (const register of registers) register(icloud, io, setExit)
    // Every command that continues a saved session reads SIGWIRE_STORE and its key from here.
    icloud.hook('preAction', (_icloud, action) => {
      action.setOptionValue('env', io.env)
    })
  }
}

/** `sigwire icloud login` and `sigwire icloud status`. */
function registerSessionCommands(icloud: Command, io: Io, setExit: (code: number) => void): void {
  icloud
    .command('login')
    .description('sign in with SRP (and a two-factor code when Apple asks) and save the session')
    .requiredOption('--apple-id <id>', 'the Apple ID')
    .option('--auth-url <url>', "IDMSA base URL (an emulator; default: the saved session's, else Apple's)")
    .option('--setup-url <url>', 'setup base URL (an emulator)')
    .option(
      '--session-dir <dir>',
      'where sessions are saved (one file per account, mode 0600)',
      DEFAULT_SESSION_DIR,
    )
    .option(
      '--password-file <file>',
      'read the password from a file (else SIGWIRE_ICLOUD_PASSWORD, else a hidden prompt)',
    )
    .option(
      '--code-file <file>',
      'read the two-factor code from this file when Apple asks (waits for it to appear)',
    )
    .option(
      '--code-timeout <seconds>',
      'how long to wait for --code-file, a security-key assertion or a web-access approval',
      numberOption('--code-timeout', { min: 1, max: 86_400, unit: 'a number of seconds' }),
      300,
    )
    .option('--store <url>', STORE_HELP)
    .option(
      '--code-via <method>',
      'where the first code goes: device (push), sms, voice, or generated (made on a device, nothing sent)',
    )
    .option(
      '--security-key-command <command>',
      'security-key accounts: a WebAuthn helper run with the challenge JSON on stdin, printing the assertion JSON',
    )
    .option(
      '--security-key-file <file>',
      'security-key accounts: wait for the assertion JSON in this file (the challenge is printed first)',
    )
    .option('--json', 'machine-readable output')
    .action(
      async (
        options: ConnectionOptions & {
          passwordFile?: string
          codeFile?: string
          codeTimeout: number
          codeVia?: string
          securityKeyCommand?: string
          securityKeyFile?: string
        },
      ) => {
        const appleId = options.appleId!
        const method = codeVia(options.codeVia)
        if (options.securityKeyCommand !== undefined && options.securityKeyFile !== undefined)
          throw cliError(
            'CONFLICTING_OPTIONS',
            'Pass --security-key-command or --security-key-file, not both.',
          )
        const dir = resolve(options.sessionDir)
        const shared = await openSharedStore(options.store, io.env)
        if (shared === undefined) checkSessionDirectory(dir)
        const password =
          readSecret(
            {
              file: options.passwordFile,
              fileFlag: '--password-file',
              envName: 'SIGWIRE_ICLOUD_PASSWORD',
              what: 'password',
              flags: '--password-file',
            },
            io.env,
          ) ?? (await askPassword(io, appleId))
        const sessionFile = join(dir, sessionFileName(appleId))
        const store = sessionStoreOf(shared, appleId, () => createFileSessionStore(sessionFile))
        // A damaged or missing file is no session here: the sign-in writes a new one.
        const saved = await store.load().catch(async (error: unknown) => {
          await shared?.close()
          throw error
        })
        const client = createICloudClient({
          ...connection(options, appleId, saved?.endpoints),
          password,
          store,
          twoFactor: codeHandler(io, options.codeFile, options.codeTimeout * 1000),
          ...(method ? { twoFactorMethod: method } : {}),
          onSecurityKey: securityKeyHandler(io, {
            command: options.securityKeyCommand,
            file: options.securityKeyFile,
            timeoutMs: options.codeTimeout * 1000,
          }),
          onWebAccessApproval: webAccessPrompt(io),
          webAccessTiming: { timeoutMs: options.codeTimeout * 1000 },
        })
        try {
          const result = await client.login()
          const state = await store.load()
          const expires = sessionExpiry(state)
          const summary = {
            ok: true,
            appleId: result.account.appleId ?? appleId,
            name: result.account.fullName,
            dsid: result.account.dsid,
            method: result.method,
            secondFactor: result.secondFactor,
            trusted: Boolean(state?.trustToken),
            ...(shared ? { store: shared.address } : { sessionFile }),
            expires,
          }
          if (options.json) printJson(io, summary)
          else {
            const c = colors(io)
            io.out(
              `${c.green('✓')} signed in as ${summary.name ?? summary.appleId} (dsid ${summary.dsid}) by ${describeMethod(result.method, result.secondFactor)}`,
            )
            io.out(
              `  session saved to ${shared ? shared.address : sessionFile}${expires ? `, valid until ${expires}` : ''}`,
            )
            if (summary.trusted) io.out('  this machine is trusted: the next sign-in will not ask for a code')
          }
          setExit(EXIT.ok)
        } finally {
          await client.close()
          await shared?.close()
        }
      },
    )

  icloud
    .command('status')
    .description(
      'show who is signed in and until when, validating the saved session without signing in again',
    )
    .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
    .option('--auth-url <url>', 'IDMSA base URL (default: where the session was last used)')
    .option('--setup-url <url>', 'setup base URL (default: where the session was last used)')
    .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
    .option('--store <url>', STORE_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: ConnectionOptions) => {
      const shared = await openSharedStore(options.store, io.env)
      let saved: SavedSession
      try {
        saved =
          shared === undefined
            ? findSavedSession(resolve(options.sessionDir), options.appleId)
            : await findSharedSession(shared, options.appleId)
      } catch (error) {
        await shared?.close()
        throw error
      }
      const appleId = saved.appleId
      const endpoints = saved.state.endpoints
      const sessionFile = saved.file
      const store = sessionStoreOf(shared, appleId, () => createFileSessionStore(sessionFile))
      const client = createICloudClient({ ...connection(options, appleId, endpoints), store })
      try {
        const result = await client.resume().catch((error: unknown) => {
          throw options.authUrl === undefined && endpoints !== undefined
            ? movedServerHint(error, endpoints)
            : error
        })
        const state = await store.load()
        const valid = result !== undefined
        const summary = {
          ok: valid,
          appleId,
          name: result?.account.fullName,
          dsid: result?.account.dsid ?? state?.dsid,
          validatedBy: result?.method,
          trusted: Boolean(state?.trustToken),
          ...(shared ? { store: shared.address } : { sessionFile }),
          expires: sessionExpiry(state),
        }
        if (options.json) printJson(io, summary)
        else {
          const c = colors(io)
          if (valid) {
            io.out(
              `${c.green('✓')} ${summary.name ?? appleId} is signed in (dsid ${summary.dsid}); checked with ${summary.validatedBy}`,
            )
            if (summary.expires) io.out(`  session valid until ${summary.expires}`)
          } else {
            io.out(
              `${c.red('✗')} the saved session of ${appleId} has expired; run sigwire icloud login --apple-id ${appleId}`,
            )
          }
        }
        setExit(valid ? EXIT.ok : EXIT.failed)
      } finally {
        await client.close()
        await shared?.close()
      }
    })
}

/**
 * Where the client connects: `--auth-url`/`--setup-url` when given (an emulator, perhaps restarted on
 * other ports), else the hosts the saved session was last used at, else Apple's. Hosts other than Apple's were named by the user (on
 * this command line, or on the one that signed in), so they are allowed to receive the session.
 */
export function connection(
  options: ConnectionOptions,
  appleId: string,
  saved: Endpoints | undefined,
): ICloudClientOptions {
  if ((options.authUrl === undefined) !== (options.setupUrl === undefined))
    throw cliError('MISSING_OPTION', 'Pass --auth-url and --setup-url together (an emulator prints both).')
  const endpoints: Partial<Endpoints> | undefined =
    options.authUrl !== undefined
      ? {
          authUrl: checkUrl(options.authUrl, '--auth-url'),
          setupUrl: checkUrl(options.setupUrl!, '--setup-url'),
        }
      : saved
  if (endpoints === undefined) return { appleId }
  const hosts = Object.values(endpoints).map((url) => new URL(String(url)).hostname)
  return { appleId, endpoints, allowHosts: [...new Set(hosts)], allowInsecureLoopback: true }
}

/** A saved emulator's hosts that no longer answer: the emulator may run elsewhere now. */
export function movedServerHint(error: unknown, endpoints: Endpoints): unknown {
  if (!isICloudError(error, 'NETWORK_ERROR') || new URL(endpoints.setupUrl).hostname.endsWith('icloud.com'))
    return error
  return new ICloudError({
    code: 'NETWORK_ERROR',
    message: `${error.message} The session was last used at ${endpoints.authUrl} and ${endpoints.setupUrl}; if that server runs elsewhere now, pass its --auth-url and --setup-url.`,
    cause: error,
  })
}

function checkUrl(url: string, flag: string): string {
  refuseUrlCredentials(url, flag)
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw cliError(
      'INVALID_URL',
      `${flag} must be an http or https URL, like the ones sigwire emulate --icloud prints (got ${JSON.stringify(url.slice(0, 80))}).`,
    )
  return url
}

async function askPassword(io: Io, appleId: string): Promise<string> {
  if (!io.isTTY || !io.stdinIsTTY) {
    throw cliError(
      'MISSING_OPTION',
      'No password: pass --password-file, set SIGWIRE_ICLOUD_PASSWORD, or run in a terminal to be prompted.',
    )
  }
  const value = await promptPassword({ message: `Password for ${appleId}`, mask: '•' })
  if (isCancel(value) || !value) throw cliError('CANCELLED', 'Sign-in cancelled: no password was entered.')
  return value
}

function codeHandler(io: Io, codeFile: string | undefined, timeoutMs: number): TwoFactorHandler {
  return async (challenge) => {
    const where = describeOption(challenge.requested)
    if (codeFile !== undefined) {
      io.err(`Apple asks for a ${challenge.codeLength}-digit code${where}; waiting for ${codeFile}`)
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const code = readCodeFile(codeFile)
        if (code) return code
        if (Date.now() > deadline)
          throw cliError(
            'NO_CODE',
            `No code appeared in ${codeFile} within ${timeoutMs / 1000} s: write the code Apple sent into it while sigwire waits, or raise --code-timeout.`,
          )
        await sleep(250)
      }
    }
    if (!io.isTTY || !io.stdinIsTTY) {
      throw cliError(
        'MISSING_OPTION',
        'Apple asks for a two-factor code: pass --code-file, or run in a terminal to be prompted.',
      )
    }
    const code = await promptText({
      message: `Verification code${where}`,
      validate: (v) => (v && /^\d+$/.test(v.trim()) ? undefined : 'digits only'),
    })
    if (isCancel(code)) throw cliError('CANCELLED', 'Sign-in cancelled: no code was entered.')
    return code.trim()
  }
}

/** The code in `--code-file`, or undefined while the file does not exist yet. */
function readCodeFile(file: string): string | undefined {
  let exists = false
  try {
    exists = statSync(file, { throwIfNoEntry: false }) !== undefined
  } catch {
    exists = true // ENOTDIR and the like: reading it says what is wrong.
  }
  if (!exists) return undefined
  return Buffer.from(readUserFile(file, '--code-file', SMALL_FILE_BYTES))
    .toString('utf8')
    .trim()
}

function describeOption(option: TwoFactorOption | undefined): string {
  if (option === undefined) return ''
  if (option.kind === 'device') return ' (sent to your trusted devices)'
  if (option.kind === 'bridge')
    return ' (allow the sign-in on your iPhone, iPad or Mac, then type the code it shows; --code-via sms for a text instead)'
  if (option.kind === 'two-step-device') return ` (sent to ${option.name})`
  return ` (sent by ${option.kind} to ${option.number})`
}

function describeMethod(method: string, secondFactor: string): string {
  if (method === 'validate') return 'reusing the saved session'
  if (method === 'accountLogin') return 'refreshing the saved session token'
  return secondFactor === 'none'
    ? 'SRP'
    : `SRP and a ${secondFactor === 'hsa2' ? 'two-factor' : 'two-step'} code`
}

function sessionExpiry(state: SessionState | undefined): string | undefined {
  const cookies =
    (state?.cookies as { cookies?: Array<{ key?: string; expires?: string }> } | undefined)?.cookies ?? []
  const token = cookies.find((c) => c.key === WEBAUTH_TOKEN_COOKIE)
  const date = token?.expires && token.expires !== 'Infinity' ? new Date(token.expires) : undefined
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined
}
