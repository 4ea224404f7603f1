import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSoftwareAuthenticator, type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { icloudConnection, icloudLoginWithCodeFile } from './icloud-harness.js'
import { runCli } from './run-cli.js'

let dir: string
let emulator: ICloudEmulator
const key = createSoftwareAuthenticator()
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-icloud-'))
  emulator = await startICloudEmulator({
    pcsApprovalDelayMs: 0,
    pcsCookieAttempts: 0,
    accounts: [
      { appleId: 'jane@example.com', password: 'correct horse battery staple', twoFactor: true },
      { appleId: 'sms@example.com', password: 'correct horse battery staple', twoFactor: true },
      { appleId: 'bridge@example.com', password: 'correct horse battery staple', twoFactor: 'bridge' },
      {
        appleId: 'key@example.com',
        password: 'correct horse battery staple',
        securityKeys: [{ credentialId: key.credentialId, publicKeyPem: key.publicKeyPem, name: 'Desk key' }],
      },
      {
        appleId: 'adp@example.com',
        password: 'correct horse battery staple',
        twoFactor: false,
        advancedDataProtection: true,
      },
    ],
  })
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

const connection = (sessionDir: string): string[] => icloudConnection(emulator, sessionDir)

describe('sigwire icloud (real binary against the emulator)', () => {
  it('signs in with a password file and a code file, saves a 0600 session without the password, then reports status', async () => {
    const sessions = join(dir, 'sessions')
    const passwordFile = join(dir, 'password')
    const codeFile = join(dir, 'code')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    // The code arrives on the "trusted device" once the sign-in asked for it; a script writes it to the file.
    const { run } = await icloudLoginWithCodeFile(
      emulator,
      { appleId: 'Jane@Example.com', passwordFile, codeFile, sessionDir: sessions },
      () => emulator.accounts.lastCode('jane@example.com'),
      ['--json'],
    )
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

  it('signs in through the trusted-device bridge with the code the device shows', async () => {
    const passwordFile = join(dir, 'password-bridge')
    const codeFile = join(dir, 'code-bridge')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    const { run, code } = await icloudLoginWithCodeFile(
      emulator,
      { appleId: 'bridge@example.com', passwordFile, codeFile, sessionDir: join(dir, 'bridge') },
      () => emulator.bridgeCode('bridge@example.com'),
      ['--json'],
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/type the code it shows/)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, secondFactor: 'hsa2', trusted: true })
    expect(run.stdout + run.stderr).not.toContain(code!)
  })

  it('sends the first code by SMS with --code-via sms, and never pushes to the devices', async () => {
    const passwordFile = join(dir, 'password-sms')
    const codeFile = join(dir, 'code-sms')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    const { run } = await icloudLoginWithCodeFile(
      emulator,
      { appleId: 'sms@example.com', passwordFile, codeFile, sessionDir: join(dir, 'sms') },
      () => emulator.accounts.lastCode('sms@example.com', 'phone'),
      ['--code-via', 'sms', '--json'],
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/sent by sms/)
    expect(emulator.accounts.lastCode('sms@example.com', 'device')).toBeUndefined()
  })

  it('signs in with a security key through --security-key-command, and explains the helper without one', async () => {
    const passwordFile = join(dir, 'password-key')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    const keyFile = join(dir, 'key.json')
    await writeFile(
      keyFile,
      JSON.stringify({ privateKeyPem: key.privateKeyPem, credentialId: key.credentialId }),
    )
    const base = ['icloud', 'login', '--apple-id', 'key@example.com', '--password-file', passwordFile]
    const without = await runCli([...base, ...connection(join(dir, 'key-none'))])
    expect(without.code).toBe(2)
    expect(without.stderr).toMatch(/MISSING_OPTION.*WebAuthn-capable helper/)
    const helper = join(import.meta.dirname, '__fixtures__', 'software-key.mjs')
    const run = await runCli([
      ...base,
      ...connection(join(dir, 'key')),
      '--security-key-command',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(helper)} ${JSON.stringify(keyFile)}`,
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, secondFactor: 'hsa2', trusted: true })
  })

  it('waits for web access to be approved for an Advanced Data Protection account, with a prompt', async () => {
    const passwordFile = join(dir, 'password-adp')
    await writeFile(passwordFile, 'correct horse battery staple\n')
    const run = await runCli([
      'icloud',
      'login',
      '--apple-id',
      'adp@example.com',
      ...connection(join(dir, 'adp')),
      '--password-file',
      passwordFile,
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/approve "Access iCloud Data on the Web" on your iPhone/)
  })
})
