import { writeFile } from 'node:fs/promises'
import type { ICloudEmulator } from '@sigwire/emulator'
import { expect } from 'vitest'
import { type CliRun, runCli } from './run-cli.js'

/** What a run of `sigwire` produced, in process (`runMain`) or as the real binary (`runCli`). */
interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The flags that point an `icloud` command at `emulator` with its sessions in `sessionDir`. */
export function icloudConnection(emulator: ICloudEmulator, sessionDir: string): string[] {
  return ['--auth-url', emulator.authUrl, '--setup-url', emulator.setupUrl, '--session-dir', sessionDir]
}

/** An account of {@link icloudLogin}: its Apple ID, a file with its password, its session directory. */
interface LoginAccount {
  readonly appleId: string
  readonly passwordFile: string
  readonly sessionDir: string
}

/** `sigwire icloud login` of `account` against `emulator`, the password read from its file. */
function loginArgs(emulator: ICloudEmulator, account: LoginAccount): string[] {
  return [
    'icloud',
    'login',
    '--apple-id',
    account.appleId,
    ...icloudConnection(emulator, account.sessionDir),
    '--password-file',
    account.passwordFile,
  ]
}

/**
 * Signs `appleId` in with `sigwire icloud login --password-file` (an account without two-factor), so
 * that later commands find the session in `sessionDir`. The test fails unless the login exits 0.
 */
export async function icloudLogin(
  run: (argv: readonly string[]) => Promise<Run>,
  emulator: ICloudEmulator,
  account: LoginAccount,
): Promise<Run> {
  const login = await run(loginArgs(emulator, account))
  expect(login.code, login.stderr).toBe(0)
  return login
}

/**
 * `sigwire icloud login --code-file` (the real binary) for an account with two-factor: once
 * `readCode` finds the code the emulator sent (polled every 50 ms for up to 10 s), it is written to the
 * code file, as a script reading the trusted device would. `extra` flags follow the code file.
 */
export async function icloudLoginWithCodeFile(
  emulator: ICloudEmulator,
  account: LoginAccount & { readonly codeFile: string },
  readCode: () => string | undefined,
  extra: readonly string[] = [],
): Promise<{ readonly run: CliRun; readonly code: string | undefined }> {
  const login = runCli([...loginArgs(emulator, account), '--code-file', account.codeFile, ...extra])
  let code: string | undefined
  for (let i = 0; i < 200 && !code; i++) {
    code = readCode()
    if (!code) await new Promise((r) => setTimeout(r, 50))
  }
  await writeFile(account.codeFile, `${code}\n`)
  return { run: await login, code }
}
