import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let dir: string
let emulator: ICloudEmulator
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-icloud-'))
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'jane@example.com', password: 'correct horse battery staple', twoFactor: true }],
  })
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

function connection(sessionDir: string): string[] {
  return ['--auth-url', emulator.authUrl, '--setup-url', emulator.setupUrl, '--session-dir', sessionDir]
}

describe('sigwire icloud (real binary against the emulator)', () => {
  it('signs in with a password file and a code file, saves a 0600 session without the password, then reports status', async () => {
    const sessions = join(dir, 'sessions')
    const passwordFile = join(dir, 'password')
    const codeFile = join(dir, 'code')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    const login = runCli([
      'icloud',
      'login',
      '--apple-id',
      'Jane@Example.com',
      ...connection(sessions),
      '--password-file',
      passwordFile,
      '--code-file',
      codeFile,
      '--json',
    ])
    // The code arrives on the "trusted device" once the sign-in asked for it; a script writes it to the file.
    let code: string | undefined
    for (let i = 0; i < 200 && !code; i++) {
      code = emulator.accounts.lastCode('jane@example.com')
      if (!code) await new Promise((r) => setTimeout(r, 50))
    }
    await writeFile(codeFile, `${code}\n`)
    const run = await login
    expect(run.stderr).toMatch(/waiting for/)
    expect(run.code, run.stderr).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ ok: true, method: 'signin', secondFactor: 'hsa2', trusted: true })
    const [file] = await readdir(sessions)
    const saved = await readFile(join(sessions, file!), 'utf8')
    expect(saved).not.toContain('correct horse battery staple')
    expect((await stat(join(sessions, file!))).mode & 0o777).toBe(0o600)
    expect(run.stdout + run.stderr).not.toContain('correct horse battery staple')

    // Later commands use the hosts the session was signed in at: no --auth-url/--setup-url again.
    const status = await runCli(['icloud', 'status', '--session-dir', sessions, '--json'])
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      ok: true,
      appleId: 'jane@example.com',
      validatedBy: 'validate',
      dsid: out.dsid,
    })

    const human = await runCli(['icloud', 'status', ...connection(sessions)])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/is signed in \(dsid \d+\)/)

    emulator.accounts.expireSessions('jane@example.com')
    const login2 = await runCli([
      'icloud',
      'login',
      '--apple-id',
      'jane@example.com',
      '--session-dir',
      sessions,
      '--password-file',
      passwordFile,
      '--json',
    ])
    expect(login2.code, login2.stderr).toBe(0)
    expect(JSON.parse(login2.stdout).secondFactor).toBe('none')
  })

  it('exits 1 on a wrong password and 2 without a password', async () => {
    const sessions = join(dir, 'other')
    const wrong = join(dir, 'wrong')
    await writeFile(wrong, 'not the password')
    const run = await runCli([
      'icloud',
      'login',
      '--apple-id',
      'jane@example.com',
      ...connection(sessions),
      '--password-file',
      wrong,
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/password/i)
    expect(run.stderr).not.toContain('not the password')
    const none = await runCli(
      ['icloud', 'login', '--apple-id', 'jane@example.com', ...connection(sessions)],
      { env: { SIGWIRE_ICLOUD_PASSWORD: '' } },
    )
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--password-file/)
    const status = await runCli(['icloud', 'status', '--session-dir', join(dir, 'empty')])
    expect(status.code).toBe(2)
  })
})
