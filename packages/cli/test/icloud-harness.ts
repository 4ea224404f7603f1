import type { ICloudEmulator } from '@sigwire/emulator'
import { expect } from 'vitest'

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

/**
 * Signs `appleId` in with `sigwire icloud login --password-file` (an account without two-factor), so
 * that later commands find the session in `sessionDir`. The test fails unless the login exits 0.
 */
export async function icloudLogin(
  run: (argv: readonly string[]) => Promise<Run>,
  emulator: ICloudEmulator,
  account: { readonly appleId: string; readonly passwordFile: string; readonly sessionDir: string },
): Promise<Run> {
  const login = await run([
    'icloud',
    'login',
    '--apple-id',
    account.appleId,
    ...icloudConnection(emulator, account.sessionDir),
    '--password-file',
    account.passwordFile,
  ])
  expect(login.code, login.stderr).toBe(0)
  return login
}
