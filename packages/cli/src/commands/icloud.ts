import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isCancel, password as promptPassword, text as promptText } from '@clack/prompts'
import {
  createFileSessionStore,
  createICloudClient,
  type ICloudClientOptions,
  type SessionState,
  sessionFileName,
  type TwoFactorHandler,
  type TwoFactorOption,
  WEBAUTH_TOKEN_COOKIE,
} from '@sigwire/icloud'
import type { Command } from 'commander'
import { EXIT, InputError } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'
import { readSecret } from '../secrets.js'

interface ConnectionOptions {
  appleId?: string
  authUrl?: string
  setupUrl?: string
  sessionDir: string
  json?: boolean
}

const DEFAULT_SESSION_DIR = join(homedir(), '.sigwire', 'icloud')

/** `sigwire icloud login` and `sigwire icloud status`. */
export function registerICloud(program: Command, io: Io, setExit: (code: number) => void): void {
  const icloud = program
    .command('icloud')
    .description('iCloud.com sessions: sign in once, reuse the saved session')

  icloud
    .command('login')
    .description('sign in with SRP (and a two-factor code when Apple asks) and save the session')
    .requiredOption('--apple-id <id>', 'the Apple ID')
    .option('--auth-url <url>', 'IDMSA base URL (an emulator)', undefined)
    .option('--setup-url <url>', 'setup base URL (an emulator)', undefined)
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
    .option('--code-timeout <seconds>', 'how long to wait for --code-file', '300')
    .option('--json', 'machine-readable output')
    .action(
      async (
        options: ConnectionOptions & { passwordFile?: string; codeFile?: string; codeTimeout: string },
      ) => {
        const appleId = options.appleId!
        const password =
          readSecret(
            {
              file: options.passwordFile,
              envName: 'SIGWIRE_ICLOUD_PASSWORD',
              what: 'password',
              flags: '--password-file',
            },
            io.env,
          ) ?? (await askPassword(io, appleId))
        const sessionFile = join(resolve(options.sessionDir), sessionFileName(appleId))
        const store = createFileSessionStore(sessionFile)
        const client = createICloudClient({
          ...connection(options, appleId),
          password,
          store,
          twoFactor: codeHandler(io, options.codeFile, Number(options.codeTimeout) * 1000),
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
            sessionFile,
            expires,
          }
          if (options.json) printJson(io, summary)
          else {
            const c = colors(io)
            io.out(
              `${c.green('✓')} signed in as ${summary.name ?? summary.appleId} (dsid ${summary.dsid}) by ${describeMethod(result.method, result.secondFactor)}`,
            )
            io.out(`  session saved to ${summary.sessionFile}${expires ? `, valid until ${expires}` : ''}`)
            if (summary.trusted) io.out('  this machine is trusted: the next sign-in will not ask for a code')
          }
          setExit(EXIT.ok)
        } finally {
          await client.close()
        }
      },
    )

  icloud
    .command('status')
    .description(
      'show who is signed in and until when, validating the saved session without signing in again',
    )
    .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
    .option('--auth-url <url>', 'IDMSA base URL (an emulator)')
    .option('--setup-url <url>', 'setup base URL (an emulator)')
    .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
    .option('--json', 'machine-readable output')
    .action(async (options: ConnectionOptions) => {
      const dir = resolve(options.sessionDir)
      const appleId = options.appleId ?? onlySavedAccount(dir)
      const sessionFile = join(dir, sessionFileName(appleId))
      const store = createFileSessionStore(sessionFile)
      const saved = await store.load()
      if (!saved)
        throw new InputError(`No saved session for ${appleId} in ${dir}; run sigwire icloud login first.`)
      const client = createICloudClient({ ...connection(options, appleId), store })
      try {
        const result = await client.resume()
        const state = await store.load()
        const valid = result !== undefined
        const summary = {
          ok: valid,
          appleId,
          name: result?.account.fullName,
          dsid: result?.account.dsid ?? state?.dsid,
          validatedBy: result?.method,
          trusted: Boolean(state?.trustToken),
          sessionFile,
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
      }
    })
}

function connection(options: ConnectionOptions, appleId: string): ICloudClientOptions {
  if ((options.authUrl === undefined) !== (options.setupUrl === undefined)) {
    throw new InputError('Pass --auth-url and --setup-url together (an emulator prints both).')
  }
  if (options.authUrl === undefined) return { appleId }
  const hosts = [options.authUrl, options.setupUrl!].map((url) => {
    try {
      return new URL(url).hostname
    } catch {
      throw new InputError(`${url} is not a URL.`)
    }
  })
  // Hosts named on the command line are the user's explicit choice (a local emulator).
  return {
    appleId,
    endpoints: { authUrl: options.authUrl, setupUrl: options.setupUrl! },
    allowHosts: [...new Set(hosts)],
    allowInsecureLoopback: true,
  }
}

async function askPassword(io: Io, appleId: string): Promise<string> {
  if (!io.isTTY || !process.stdin.isTTY) {
    throw new InputError(
      'No password: pass --password-file, set SIGWIRE_ICLOUD_PASSWORD, or run in a terminal to be prompted.',
    )
  }
  const value = await promptPassword({ message: `Password for ${appleId}`, mask: '•' })
  if (isCancel(value) || !value) throw new InputError('Sign-in cancelled.')
  return value
}

function codeHandler(io: Io, codeFile: string | undefined, timeoutMs: number): TwoFactorHandler {
  return async (challenge) => {
    const where = describeOption(challenge.requested)
    if (codeFile !== undefined) {
      io.err(`Apple asks for a ${challenge.codeLength}-digit code${where}; waiting for ${codeFile}`)
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (existsSync(codeFile)) {
          const code = readFileSync(codeFile, 'utf8').trim()
          if (code) return code
        }
        if (Date.now() > deadline)
          throw new InputError(`No code appeared in ${codeFile} within ${timeoutMs / 1000} s.`)
        await sleep(250)
      }
    }
    if (!io.isTTY || !process.stdin.isTTY) {
      throw new InputError(
        'Apple asks for a two-factor code: pass --code-file, or run in a terminal to be prompted.',
      )
    }
    const code = await promptText({
      message: `Verification code${where}`,
      validate: (v) => (v && /^\d+$/.test(v.trim()) ? undefined : 'digits only'),
    })
    if (isCancel(code)) throw new InputError('Sign-in cancelled.')
    return code.trim()
  }
}

function describeOption(option: TwoFactorOption | undefined): string {
  if (option === undefined) return ''
  if (option.kind === 'device') return ' (sent to your trusted devices)'
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
  return token?.expires && token.expires !== 'Infinity' ? new Date(token.expires).toISOString() : undefined
}

function onlySavedAccount(dir: string): string {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.session.json')) : []
  if (files.length !== 1) {
    throw new InputError(
      files.length === 0
        ? `No saved sessions in ${dir}; run sigwire icloud login first.`
        : `${files.length} sessions in ${dir}; pass --apple-id.`,
    )
  }
  const state = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as SessionState
  return state.appleId
}
