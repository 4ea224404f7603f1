import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFileSessionStore,
  createMemorySessionStore,
  isICloudError,
  sessionFileName,
} from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'

const PASSWORD = 'correct horse battery staple'
let emulator: ICloudEmulator
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-icloud-'))
  emulator = await startICloudEmulator({
    accounts: [
      { appleId: 'two.factor@example.com', password: PASSWORD, twoFactor: true },
      { appleId: 'plain@example.com', password: PASSWORD, twoFactor: false },
      { appleId: 'repair@example.com', password: PASSWORD, twoFactor: false, repair: true },
      { appleId: 'fo@example.com', password: 'Ωmega-π', twoFactor: false, protocol: 's2k_fo' },
      { appleId: 'legacy.2sa@example.com', password: PASSWORD, twoFactor: '2sa' },
    ],
  })
})

afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
  expect(emulator.tripwire).toEqual([])
})

describe('sign-in against the emulator', () => {
  it('signs in an account without two-factor and reads storage', async () => {
    const client = clientFor(emulator, { appleId: '  Plain@Example.com ', password: PASSWORD })
    try {
      const result = await client.login()
      expect(result).toMatchObject({ method: 'signin', secondFactor: 'none' })
      expect(result.account.dsid).toMatch(/^\d+$/)
      const storage = await client.storage.usage()
      expect(storage.totalBytes).toBeGreaterThan(storage.usedBytes)
      expect(storage.byMedia.map((m) => m.mediaKey)).toContain('photos')
      expect(emulator.accounts.proofVariants('plain@example.com')).toEqual(['minimal'])
    } finally {
      await client.close()
    }
  })

  it('signs in with s2k_fo', async () => {
    const client = clientFor(emulator, { appleId: 'fo@example.com', password: 'Ωmega-π' })
    try {
      expect((await client.login()).method).toBe('signin')
    } finally {
      await client.close()
    }
  })

  it('signs in with two-factor through a trusted-device code, then trusts the client', async () => {
    const store = createMemorySessionStore()
    const seen = { types: [] as string[], options: 0 }
    const client = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      store,
      twoFactor: readCodeFrom(emulator, seen),
    })
    try {
      const result = await client.login()
      expect(result).toMatchObject({ method: 'signin', secondFactor: 'hsa2' })
      expect(seen.types).toEqual(['hsa2'])
      expect(seen.options).toBe(3) // device + two phones
      const saved = await store.load()
      expect(saved?.trustToken).toBeTruthy()
      // The 2026 header rules held on every verify and trust call (the emulator enforces them).
      const mfa = emulator.requests.filter(
        (r) => r.path.includes('/verify/') || r.path.endsWith('/2sv/trust'),
      )
      expect(mfa.length).toBeGreaterThanOrEqual(3)
      for (const r of mfa) {
        expect(r.origin).toBe('https://www.icloud.com')
        expect(r.headerNames).not.toContain('x-apple-i-fd-client-info')
        expect(r.headerNames).not.toContain('x-apple-auth-attributes')
      }
    } finally {
      await client.close()
    }
    // The trust token skips two-factor on the next full sign-in.
    const again = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      store,
      twoFactor: async () => {
        throw new Error('two-factor must not be asked while trusted')
      },
    })
    try {
      await again.resume()
      emulator.accounts.expireSessions('two.factor@example.com', { sessionTokens: true })
      const result = await again.signIn()
      expect(result).toMatchObject({ method: 'signin', secondFactor: 'none' })
    } finally {
      await again.close()
    }
  })

  it('signs in with an SMS code to a chosen phone', async () => {
    const client = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      twoFactor: async (challenge) => {
        const sms = challenge.options.find((o) => o.kind === 'sms')!
        await challenge.requestCode(sms)
        expect(challenge.requested).toEqual(sms)
        return { code: emulator.accounts.lastCode(challenge.appleId)!, option: sms }
      },
    })
    try {
      expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
      expect(emulator.requests.some((r) => r.path.endsWith('/verify/phone/securitycode'))).toBe(true)
    } finally {
      await client.close()
    }
  })

  it('refuses a phone that is not trusted with INVALID_PHONE', async () => {
    const client = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      twoFactor: async (challenge) => {
        await challenge.requestCode({ kind: 'sms', phoneId: 99, number: 'x' })
        return '000000'
      },
    })
    try {
      await expect(client.login()).rejects.toMatchObject({ code: 'INVALID_PHONE' })
    } finally {
      await client.close()
    }
  })

  it('rejects a wrong code with WRONG_CODE', async () => {
    const client = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      twoFactor: async (challenge) => {
        const right = emulator.accounts.lastCode(challenge.appleId)!
        return right === '111111' ? '222222' : '111111'
      },
    })
    try {
      const error = await client.login().catch((e: unknown) => e)
      expect(isICloudError(error, 'WRONG_CODE')).toBe(true)
      expect((error as { serviceCode?: string }).serviceCode).toBe('-21669')
    } finally {
      await client.close()
    }
  })

  it('fails with TWO_FACTOR_REQUIRED when no callback is given', async () => {
    const client = clientFor(emulator, { appleId: 'two.factor@example.com', password: PASSWORD })
    try {
      await expect(client.login()).rejects.toMatchObject({ code: 'TWO_FACTOR_REQUIRED' })
    } finally {
      await client.close()
    }
  })

  it('rejects a wrong password with AUTHENTICATION_FAILED, the trace and no secret', async () => {
    const wrong = 'not the password at all'
    const client = clientFor(emulator, { appleId: 'plain@example.com', password: wrong })
    try {
      const error = (await client.login().catch((e: unknown) => e)) as Error & Record<string, unknown>
      expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401, serviceCode: '-20101' })
      const trace = error.trace as Array<{ label: string; secret: boolean }>
      expect(trace.map((t) => t.label)).toEqual(['I', 'A', 'B', 'u', 'K', 'M1', 'M2'])
      const text = JSON.stringify({ ...error, message: error.message, stack: error.stack })
      expect(text).not.toContain(wrong)
    } finally {
      await client.close()
    }
  })

  it('passes the 412 repair step of a non-2FA account', async () => {
    const client = clientFor(emulator, { appleId: 'repair@example.com', password: PASSWORD })
    try {
      expect(await client.login()).toMatchObject({ method: 'signin', secondFactor: 'none' })
      expect(emulator.requests.some((r) => r.path.endsWith('/repair/complete'))).toBe(true)
    } finally {
      await client.close()
    }
  })

  it('completes legacy two-step verification (2SA)', async () => {
    const seen = { types: [] as string[], options: 0 }
    const client = clientFor(emulator, {
      appleId: 'legacy.2sa@example.com',
      password: PASSWORD,
      twoFactor: readCodeFrom(emulator, seen),
    })
    try {
      expect(await client.login()).toMatchObject({ secondFactor: '2sa' })
      expect(seen.types).toEqual(['2sa'])
      expect((await client.contacts.meCard()).contact?.emailAddresses[0]?.field).toBe(
        'legacy.2sa@example.com',
      )
    } finally {
      await client.close()
    }
  })

  it('reports throttling as THROTTLED with the retry hint', async () => {
    emulator.faults.inject('unavailable', { retryAfterSeconds: 7, pathPrefix: '/appleauth/auth/signin/init' })
    const client = clientFor(emulator, { appleId: 'plain@example.com', password: PASSWORD })
    try {
      await expect(client.login()).rejects.toMatchObject({
        code: 'THROTTLED',
        status: 503,
        retryAfterMs: 7000,
      })
    } finally {
      await client.close()
    }
  })
})

describe('sessions', () => {
  it('resumes from a saved session file without signing in again, and re-authenticates after expiry', async () => {
    const path = join(dir, 'sessions', sessionFileName('two.factor@example.com'))
    const store = createFileSessionStore(path)
    const first = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      store,
      twoFactor: readCodeFrom(emulator),
    })
    await first.login()
    await first.close()

    const text = await readFile(path, 'utf8')
    expect(text).not.toContain(PASSWORD)
    // The hosts it was signed in at are saved with it.
    expect(JSON.parse(text).endpoints).toMatchObject({
      authUrl: emulator.authUrl,
      setupUrl: emulator.setupUrl,
    })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'sessions'))).mode & 0o777).toBe(0o700)

    const before = emulator.requests.filter((r) => r.path.endsWith('/signin/init')).length
    // No password: resuming must not need it.
    const second = clientFor(emulator, { appleId: 'two.factor@example.com', store })
    try {
      expect(await second.login()).toMatchObject({ method: 'validate' })
      expect((await second.contacts.startup()).contacts.length).toBeGreaterThan(0)
      expect(emulator.requests.filter((r) => r.path.endsWith('/signin/init')).length).toBe(before)

      // The web session expires: the next call gets 421, signs in again with the session token, retries.
      emulator.accounts.expireSessions('two.factor@example.com')
      const card = await second.contacts.meCard()
      expect(card.contact?.firstName).toBe('Two')
      expect(emulator.requests.filter((r) => r.path.endsWith('/signin/init')).length).toBe(before)

      // Session token expired too, and no password is held: a typed error says to sign in.
      emulator.accounts.expireSessions('two.factor@example.com', { sessionTokens: true })
      await expect(second.contacts.meCard()).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED' })
    } finally {
      await second.close()
    }

    // With the password, the expired session is restored by SRP with the saved trust token (no 2FA).
    const third = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      store,
      twoFactor: async () => {
        throw new Error('not expected')
      },
    })
    try {
      expect(await third.login()).toMatchObject({ method: 'signin', secondFactor: 'none' })
      emulator.accounts.expireSessions('two.factor@example.com', { sessionTokens: true })
      expect((await third.storage.usage()).usedBytes).toBeGreaterThan(0)
    } finally {
      await third.close()
    }
  })

  it('never asks for (or pushes) a code on its own when trust expired too', async () => {
    const handler = { calls: 0 }
    const client = clientFor(emulator, {
      appleId: 'two.factor@example.com',
      password: PASSWORD,
      twoFactor: async (challenge) => {
        handler.calls++
        return emulator.accounts.lastCode(challenge.appleId)!
      },
    })
    try {
      await client.login()
      expect(handler.calls).toBe(1)
      emulator.accounts.expireSessions('two.factor@example.com', { sessionTokens: true, trust: true })
      const pushes = () => emulator.requests.filter((r) => r.path.includes('/verify/')).length
      const before = pushes()
      await expect(client.keyValue.sync()).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED' })
      expect(handler.calls).toBe(1)
      expect(pushes()).toBe(before)
    } finally {
      await client.close()
    }
  })

  it('does not write the session again after a validate that changed nothing, and does after one that did', async () => {
    const memory = createMemorySessionStore()
    let saves = 0
    const store = {
      load: () => memory.load(),
      clear: () => memory.clear(),
      save: (state: Parameters<typeof memory.save>[0]) => {
        saves++
        return memory.save(state)
      },
    }
    const first = clientFor(emulator, { appleId: 'plain@example.com', password: PASSWORD, store })
    await first.login()
    await first.close()
    expect(saves).toBeGreaterThan(0)
    const resumeCounting = async () => {
      const before = saves
      const next = clientFor(emulator, { appleId: 'plain@example.com', store })
      try {
        expect(await next.resume()).toMatchObject({ method: 'validate' })
        // The session still works for a service call.
        await next.storage.usage()
      } finally {
        await next.close()
      }
      return saves - before
    }
    expect(await resumeCounting()).toBe(0)
    // A service URL the stored session does not know yet: validate's answer is saved.
    const saved = (await memory.load())!
    const { drivews: _drivews, ...others } = saved.webservices!
    await memory.save({ ...saved, webservices: others })
    expect(await resumeCounting()).toBe(1)
    expect((await memory.load())!.webservices?.drivews).toBeDefined()
    expect(await resumeCounting()).toBe(0)
  })

  it('logs out and the saved cookies stop working', async () => {
    const store = createMemorySessionStore()
    const client = clientFor(emulator, { appleId: 'plain@example.com', password: PASSWORD, store })
    await client.login()
    await client.logout()
    await client.close()
    const next = clientFor(emulator, { appleId: 'plain@example.com', store })
    try {
      expect(await next.resume()).toBeUndefined()
    } finally {
      await next.close()
    }
  })
})
