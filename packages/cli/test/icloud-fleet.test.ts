import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { describeWithRedis, startRedisServer, type TestRedisServer } from '@sigwire/vitest-config/redis'
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const APPLE_ID = 'fleet@example.com'
const PASSWORD = 'correct horse battery staple'
const KEY = Buffer.alloc(32, 3).toString('base64')

describeWithRedis(vitest, 'sigwire icloud --store (several processes, one account, one Redis)', () => {
  let dir: string
  let emulator: ICloudEmulator
  let redis: TestRedisServer
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-fleet-'))
    redis = await startRedisServer()
    emulator = await startICloudEmulator({
      accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: false }],
    })
  })
  afterAll(async () => {
    await emulator?.close()
    await redis?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('five concurrent logins sign in once; the others reuse the session from the store', async () => {
    const passwordFile = join(dir, 'password')
    await writeFile(passwordFile, `${PASSWORD}\n`)
    const env = { SIGWIRE_STORE: redis.url, SIGWIRE_STORE_KEY: KEY }
    const args = [
      'icloud',
      'login',
      '--apple-id',
      APPLE_ID,
      '--auth-url',
      emulator.authUrl,
      '--setup-url',
      emulator.setupUrl,
      '--password-file',
      passwordFile,
      '--json',
    ]
    const runs = await Promise.all(Array.from({ length: 5 }, () => runCli(args, { env })))
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const methods = runs.map((run) => JSON.parse(run.stdout).method).sort()
    expect(methods).toEqual(['signin', 'validate', 'validate', 'validate', 'validate'])
    expect(JSON.parse(runs[0]!.stdout).store).toBe(`redis://127.0.0.1:${redis.port}/0`)
    expect(emulator.stats.snapshot()).toMatchObject({ signIns: 1, accountLogins: 1 })
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(PASSWORD)

    const status = await runCli(
      ['icloud', 'status', '--apple-id', APPLE_ID, '--store', redis.url, '--json'],
      {
        env: { SIGWIRE_STORE_KEY: KEY },
      },
    )
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ ok: true, validatedBy: 'validate' })
  }, 180_000)

  it('service commands continue the session from the store: after the web sessions expire, concurrent commands renew it once', async () => {
    const env = { SIGWIRE_STORE: redis.url, SIGWIRE_STORE_KEY: KEY }
    await fetch(`${emulator.url}/_emulator/expire-sessions`, { method: 'POST', body: '{}' })
    const before = emulator.stats.snapshot()
    const runs = await Promise.all([
      ...Array.from({ length: 3 }, () =>
        runCli(['icloud', 'account', 'storage', '--apple-id', APPLE_ID, '--json'], { env }),
      ),
      runCli(['icloud', 'drive', 'ls', '/', '--apple-id', APPLE_ID, '--json'], { env }),
    ])
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const after = emulator.stats.snapshot()
    // One renewal (accountLogin with the saved session token) for the four processes, no sign-in.
    expect(Number(after.accountLogins) - Number(before.accountLogins)).toBe(1)
    expect(after.signIns).toBe(before.signIns)
    // Without --apple-id the store cannot pick the account (it lists none).
    const unnamed = await runCli(['icloud', 'account', 'storage', '--store', redis.url], {
      env: { SIGWIRE_STORE_KEY: KEY },
    })
    expect(unnamed.code).toBe(2)
    expect(unnamed.stderr).toMatch(/^sigwire: MISSING_OPTION: With --store, pass --apple-id/)
    // Another key cannot read the session: STORE_KEY_INVALID, nothing sent.
    const wrongKey = await runCli(['icloud', 'account', 'storage', '--apple-id', APPLE_ID], {
      env: { SIGWIRE_STORE: redis.url, SIGWIRE_STORE_KEY: Buffer.alloc(32, 4).toString('base64') },
    })
    expect(wrongKey.stderr).toMatch(/^sigwire: STORE_KEY_INVALID: /)
    expect(wrongKey.code).toBe(2)
  }, 180_000)

  it('fails closed while Redis is down: STORE_UNAVAILABLE, exit 1, no sign-in', async () => {
    const before = emulator.stats.snapshot().signIns
    await redis.kill()
    try {
      const run = await runCli(
        [
          'icloud',
          'login',
          '--apple-id',
          APPLE_ID,
          '--auth-url',
          emulator.authUrl,
          '--setup-url',
          emulator.setupUrl,
        ],
        { env: { SIGWIRE_STORE: redis.url, SIGWIRE_STORE_KEY: KEY, SIGWIRE_ICLOUD_PASSWORD: PASSWORD } },
      )
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^sigwire: STORE_UNAVAILABLE: /)
      expect(emulator.stats.snapshot().signIns).toBe(before)
    } finally {
      await redis.restart()
    }
  }, 60_000)
})
