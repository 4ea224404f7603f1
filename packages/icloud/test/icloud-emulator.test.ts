import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemorySessionStore } from '@sigwire/icloud'
import { diagnoseICloudRequest } from '@sigwire/icloud/doctor'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, handRolledSignIn, readCodeFrom } from './icloud-helpers.js'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('iCloud emulator', () => {
  it('creates a development account stable for a state directory, keeps sessions across a restart, never stores the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-icloud-state-'))
    dirs.push(dir)
    const first = await startICloudEmulator({ stateDir: dir })
    const dev = first.dev!
    expect(dev.appleId).toBe('dev@sigwire.test')
    const store = createMemorySessionStore()
    const client = clientFor(first, {
      appleId: dev.appleId,
      password: dev.password,
      store,
      twoFactor: readCodeFrom(first),
    })
    expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
    expect(first.accounts.lastCode(dev.appleId)).toBe(dev.twoFactorCode)
    await client.close()
    await first.close()

    const file = join(dir, 'icloud.journal')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readFile(file, 'utf8')).not.toContain(dev.password)

    const second = await startICloudEmulator({ stateDir: dir })
    try {
      expect(second.dev).toEqual(dev)
      // The session cookie and its server-side session survived the restart (same port not needed).
      const resumed = clientFor(second, { appleId: dev.appleId, store })
      expect(await resumed.login()).toMatchObject({ method: 'validate' })
      await resumed.close()
    } finally {
      await second.close()
    }
  })

  it('accepts padded and unpadded M1 and records which one matched', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'pad@example.com', password: 'pw-padded', twoFactor: false }],
      forceLeadingZeroB: true,
    })
    try {
      for (const encoding of [undefined, { padPublicValues: true, padSharedSecret: true }]) {
        const client = clientFor(emulator, {
          appleId: 'pad@example.com',
          password: 'pw-padded',
          ...(encoding ? { proofEncoding: encoding } : {}),
        })
        await client.login()
        await client.close()
      }
      expect(emulator.accounts.proofVariants('pad@example.com')).toEqual(['minimal', 'padded'])
    } finally {
      await emulator.close()
    }
  })

  it('hashes the account name as received: a client that sends it as typed still signs in', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'typed@example.com', password: 'pw', twoFactor: false, iterations: 10 }],
    })
    try {
      const complete = await handRolledSignIn(emulator.authUrl, {
        password: 'pw',
        initName: 'Typed@Example.com',
        completeName: 'Typed@Example.com',
      })
      expect(complete.status).toBe(200)
      expect(complete.headers['x-apple-session-token']).toBeTruthy()
    } finally {
      await emulator.close()
    }
  })

  it('keeps doctor evidence: a proof that hashed the typed name while sending it lower-cased is named', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'doc@example.com', password: 'pw', twoFactor: false, iterations: 10 }],
    })
    try {
      // The bug of rclone 4a00a4dc4: init and I as typed, complete's accountName lower-cased.
      const complete = await handRolledSignIn(emulator.authUrl, {
        password: 'pw',
        initName: 'Doc@Example.com',
        completeName: 'doc@example.com',
      })
      expect(complete.status).toBe(401)
      const diagnosis = diagnoseICloudRequest(emulator.signInEvidence('doc@example.com')!)
      expect(diagnosis.ok).toBe(false)
      expect(diagnosis.findings.map((f) => f.code)).toEqual(['account-name-mismatch', 'account-name-form'])
      expect(diagnosis.findings[1]!.message).toContain('"Doc@Example.com"')
    } finally {
      await emulator.close()
    }
  })

  it('sends China mainland accounts to the .cn setup host', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'cn@example.com', password: 'pw-cn', twoFactor: false, region: 'cn' }],
    })
    try {
      const global = clientFor(emulator, { appleId: 'cn@example.com', password: 'pw-cn' })
      await expect(global.login()).rejects.toMatchObject({ code: 'WRONG_REGION' })
      await global.close()
      const cn = clientFor(emulator, {
        appleId: 'cn@example.com',
        password: 'pw-cn',
        region: 'cn',
        endpoints: {
          authUrl: emulator.authUrl,
          setupUrl: emulator.cnSetupUrl,
          homeUrl: 'https://www.icloud.com.cn',
        },
      })
      expect((await cn.login()).account.countryCode).toBe('CHN')
      expect((await cn.contacts.meCard()).meCardId).toBeTruthy()
      await cn.close()
    } finally {
      await emulator.close()
    }
  })

  it('speaks the legacy plaintext login only when both sides opt in', async () => {
    const off = await startICloudEmulator({
      accounts: [{ appleId: 'old@example.com', password: 'pw-old', twoFactor: false }],
    })
    const on = await startICloudEmulator({
      accounts: [{ appleId: 'old@example.com', password: 'pw-old', twoFactor: false }],
      legacyAuth: true,
    })
    try {
      const refused = clientFor(on, { appleId: 'old@example.com', password: 'pw-old' })
      await expect(refused.signIn({ legacy: true })).rejects.toMatchObject({ code: 'LEGACY_AUTH_DISABLED' })
      await refused.close()
      const legacy = clientFor(on, { appleId: 'old@example.com', password: 'pw-old', allowLegacyLogin: true })
      expect(await legacy.signIn({ legacy: true })).toMatchObject({ method: 'legacy-login' })
      expect((await legacy.storage.usage()).usedBytes).toBeGreaterThan(0)
      await legacy.close()
      const wrong = clientFor(on, {
        appleId: 'old@example.com',
        password: 'nope-nope',
        allowLegacyLogin: true,
      })
      await expect(wrong.signIn({ legacy: true })).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' })
      await wrong.close()
      const disabled = clientFor(off, {
        appleId: 'old@example.com',
        password: 'pw-old',
        allowLegacyLogin: true,
      })
      await expect(disabled.signIn({ legacy: true })).rejects.toMatchObject({ status: 421 })
      await disabled.close()
    } finally {
      await off.close()
      await on.close()
    }
  })

  it('serves TLS with Secure cookies, and the client needs no insecure-loopback switch', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'tls@example.com', password: 'pw-tls', twoFactor: false }],
      tls: true,
    })
    try {
      const client = clientFor(emulator, {
        appleId: 'tls@example.com',
        password: 'pw-tls',
        allowInsecureLoopback: false,
        transport: { proxy: false, tls: { ca: emulator.certificate! } },
      })
      expect(emulator.url.startsWith('https://')).toBe(true)
      expect(await client.login()).toMatchObject({ method: 'signin' })
      expect((await client.contacts.meCard()).contact?.firstName).toBe('Tls')
      await client.close()
    } finally {
      await emulator.close()
    }
  })

  it('accepts a correct code answered with the 2026 409 quirk', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'quirk@example.com', password: 'pw-q', twoFactor: true }],
      codeAnswer: 409,
    })
    try {
      const client = clientFor(emulator, {
        appleId: 'quirk@example.com',
        password: 'pw-q',
        twoFactor: readCodeFrom(emulator),
      })
      expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
      await client.close()
    } finally {
      await emulator.close()
    }
  })
})

describe('SRP client against the emulator SRP server (property)', () => {
  it('signs in for random passwords, salts, iteration counts and protocols, and fails for a wrong password', async () => {
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'seed@example.com', password: 'x', twoFactor: false }],
    })
    let n = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
          fc.uint8Array({ minLength: 1, maxLength: 32 }),
          fc.integer({ min: 1, max: 64 }),
          fc.constantFrom('s2k' as const, 's2k_fo' as const),
          async (password, salt, iterations, protocol) => {
            const appleId = `p${n++}@example.com`
            emulator.accounts.add({
              appleId,
              password,
              twoFactor: false,
              salt: Buffer.from(salt).toString('base64'),
              iterations,
              protocol,
            })
            const ok = clientFor(emulator, { appleId, password })
            try {
              expect((await ok.login()).method).toBe('signin')
            } finally {
              await ok.close()
            }
            const bad = clientFor(emulator, { appleId, password: `${password}!` })
            try {
              await expect(bad.login()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' })
            } finally {
              await bad.close()
            }
          },
        ),
        { numRuns: 25 },
      )
    } finally {
      await emulator.close()
    }
  })
})
