import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

let emulator: ICloudEmulator
beforeAll(async () => {
  emulator = await startICloudEmulator()
})
afterAll(async () => {
  await emulator?.close()
})

const admin = (path: string, body?: unknown) =>
  fetch(`${emulator.url}/_emulator/icloud/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('iCloud emulator: account options and sessions (admin API and inspect)', () => {
  it('changes the second-factor route: the next sign-in asks for a code only when the route does', async () => {
    const dev = emulator.dev!
    const before = (await (await admin(`account-options?appleId=${dev.appleId}`)).json()) as {
      twoFactor: string
      routes: string[]
    }
    expect(before.twoFactor).toBe('trusted-device')
    expect(before.routes).not.toContain('security-key')
    const changed = await admin('account-options', { appleId: dev.appleId, twoFactor: 'none' })
    expect(changed.status).toBe(200)
    let asked = 0
    const signIn = async () => {
      const client = clientFor(emulator, {
        appleId: dev.appleId,
        password: dev.password,
        twoFactor: async () => {
          asked++
          return dev.twoFactorCode
        },
      })
      await client.login()
      await client.close()
    }
    await signIn()
    expect(asked).toBe(0)
    await emulator.inspect.setAccountOptions(dev.appleId, { twoFactor: 'trusted-device' })
    await signIn()
    expect(asked).toBe(1)
  })

  it('refuses a route the account cannot take and an unknown account, naming what to pass', async () => {
    const key = await admin('account-options', { appleId: emulator.dev!.appleId, twoFactor: 'security-key' })
    expect(key.status).toBe(400)
    expect(((await key.json()) as { error: string }).error).toMatch(/twoFactor must be one of trusted-device/)
    const unknown = await admin('account-options', { appleId: 'nobody@sigwire.test', twoFactor: 'sms' })
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no account/)
  })

  it('turns Advanced Data Protection on and off durably', async () => {
    const dev = emulator.dev!
    const on = (await (
      await admin('account-options', { appleId: dev.appleId, advancedDataProtection: true })
    ).json()) as {
      advancedDataProtection: boolean
    }
    expect(on.advancedDataProtection).toBe(true)
    expect(emulator.accounts.get(dev.appleId)?.adp).toBe(true)
    await emulator.inspect.setAccountOptions(dev.appleId, { advancedDataProtection: false })
    expect(emulator.accounts.get(dev.appleId)?.adp).toBeUndefined()
  })

  it('expires one web session and leaves the others alive', async () => {
    const dev = emulator.dev!
    await emulator.inspect.setAccountOptions(dev.appleId, { twoFactor: 'none' })
    const clients = [0, 1].map(() => clientFor(emulator, { appleId: dev.appleId, password: dev.password }))
    for (const c of clients) await c.login()
    const listed = (await (await admin(`sessions?appleId=${dev.appleId}`)).json()) as {
      sessions: Array<{ id: string; alive: boolean }>
    }
    const alive = listed.sessions.filter((s) => s.alive)
    expect(alive.length).toBeGreaterThanOrEqual(2)
    // The handle is a digest: no cookie value is listed.
    for (const s of listed.sessions) expect(s.id).toMatch(/^[0-9a-f]{16}$/)
    const expired = await admin('sessions', { expire: alive[0]!.id })
    expect(expired.status).toBe(200)
    const after = emulator.inspect.sessions(dev.appleId)
    expect(after.find((s) => s.id === alive[0]!.id)?.alive).toBe(false)
    expect(after.filter((s) => s.alive)).toHaveLength(alive.length - 1)
    expect((await admin('sessions', { expire: alive[0]!.id })).status).toBe(404)
    for (const c of clients) await c.close()
    await emulator.inspect.setAccountOptions(dev.appleId, { twoFactor: 'trusted-device' })
  })
})
