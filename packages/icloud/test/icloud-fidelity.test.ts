import { WIDGET_KEY } from '@sigwire/icloud'
import { Agent } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServiceCaller } from '../src/client/service-caller.js'
import {
  createSoftwareAuthenticator,
  type ICloudEmulator,
  startICloudEmulator,
} from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'
import { Replayer } from './replay-kit.js'

const PASSWORD = 'fidelity-password-1'
const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close()
})

async function emulatorWith(options: Parameters<typeof startICloudEmulator>[0]): Promise<ICloudEmulator> {
  const e = await startICloudEmulator(options)
  running.push(e)
  return e
}

/** Method and path of every request the emulator saw, and the findings of the log. */
function seen(e: ICloudEmulator) {
  return {
    paths: e.log.entries().map((l) => `${l.method} ${l.target.replace(/\?.*$/, '')}`),
    findings: e.log.entries().flatMap((l) => (l.findings ?? []).map((f) => `${f.severity}:${f.code}`)),
  }
}

describe('sigwire client, the way the web client signs in', () => {
  for (const profile of ['default', 'strict'] as const)
    it(`loads the sign-in page first and pushes to the device only when chosen (${profile} profile, no finding)`, async () => {
      const e = await emulatorWith({
        profile,
        accounts: [{ appleId: 'web@example.com', password: PASSWORD }],
      })
      const device = clientFor(e, {
        appleId: 'web@example.com',
        password: PASSWORD,
        twoFactor: readCodeFrom(e),
      })
      running.push(device)
      expect(await device.login()).toMatchObject({ secondFactor: 'hsa2' })
      const first = seen(e)
      expect(first.paths.slice(0, 5)).toEqual([
        'GET /appleauth/auth/authorize/signin',
        'POST /appleauth/auth/signin/init',
        'POST /appleauth/auth/signin/complete',
        'GET /appleauth/auth',
        'PUT /appleauth/auth/verify/trusteddevice/securitycode',
      ])
      expect(first.findings).toEqual([])

      // SMS chosen: no device push at all.
      e.accounts.expireSessions('web@example.com', { sessionTokens: true, trust: true })
      const sms = clientFor(e, {
        appleId: 'web@example.com',
        password: PASSWORD,
        twoFactorMethod: 'sms',
        twoFactor: async () => e.accounts.lastCode('web@example.com', 'phone')!,
      })
      running.push(sms)
      const before = e.log.entries().length
      await sms.signIn()
      const smsPaths = seen(e).paths.slice(before)
      expect(smsPaths).toContain('PUT /appleauth/auth/verify/phone')
      expect(smsPaths).toContain('POST /appleauth/auth/verify/phone/securitycode')
      expect(smsPaths.some((p) => p.includes('/verify/trusteddevice'))).toBe(false)
      expect(seen(e).findings).toEqual([])
    })

  it('takes a code made on the device without sending anything (generated)', async () => {
    const e = await emulatorWith({ accounts: [{ appleId: 'gen@example.com', password: PASSWORD }] })
    const client = clientFor(e, {
      appleId: 'gen@example.com',
      password: PASSWORD,
      twoFactorMethod: 'generated',
      twoFactor: async (challenge) => {
        expect(challenge.requested).toBeUndefined()
        return e.accounts.deviceCode('gen@example.com')
      },
    })
    running.push(client)
    expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
    expect(seen(e).paths.filter((p) => p.startsWith('PUT'))).toEqual([])
  })

  it('reads contacts in pages, calendars and one event, and storage from the account host', async () => {
    const e = await emulatorWith({ accounts: [{ appleId: 'read@example.com', password: PASSWORD }] })
    const client = clientFor(e, {
      appleId: 'read@example.com',
      password: PASSWORD,
      twoFactor: readCodeFrom(e),
    })
    running.push(client)
    await client.login()
    const all = await client.contacts.all({ pageSize: 10 })
    expect(all).toHaveLength(25)
    expect(new Set(all.map((c) => c.contactId)).size).toBe(25)
    const page = await client.contacts.list({ limit: 5, offset: 20 })
    expect(page.map((c) => c.contactId)).toEqual(all.slice(20).map((c) => c.contactId))
    expect((await client.calendar.collections()).map((c) => c.title)).toEqual(['Home'])
    const events = await client.calendar.events({
      from: new Date(),
      to: new Date(Date.now() + 3 * 86_400_000),
    })
    const detail = await client.calendar.eventDetail(events[0]!.pGuid, events[0]!.guid)
    expect(detail?.title).toBe('Review sigwire release')
    await expect(client.calendar.eventDetail('home', '../x')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect((await client.storage.usage()).totalBytes).toBeGreaterThan(0)
    expect(seen(e).paths).toContain('POST /ws/account/setup/ws/1/storageUsageInfo')
  })
})

describe('security keys (FIDO2)', () => {
  it('signs in with a software authenticator, verified with real cryptography; refusals are named', async () => {
    const key = createSoftwareAuthenticator()
    const e = await emulatorWith({
      profile: 'strict',
      accounts: [
        {
          appleId: 'key@example.com',
          password: PASSWORD,
          securityKeys: [
            { credentialId: key.credentialId, publicKeyPem: key.publicKeyPem, name: 'Desk key' },
          ],
        },
      ],
    })
    const login = (assert: Parameters<typeof clientFor>[1]['onSecurityKey']) => {
      const client = clientFor(e, {
        appleId: 'key@example.com',
        password: PASSWORD,
        ...(assert ? { onSecurityKey: assert } : {}),
      })
      running.push(client)
      return client.login()
    }
    await expect(login(undefined)).rejects.toMatchObject({ code: 'SECURITY_KEY_REQUIRED' })
    await expect(
      login(async (challenge) => key.assert(challenge, { origin: 'https://www.icloud.com' })),
    ).rejects.toMatchObject({ code: 'SECURITY_KEY_REJECTED' })
    const other = createSoftwareAuthenticator()
    await expect(login(async (challenge) => other.assert(challenge))).rejects.toMatchObject({
      code: 'SECURITY_KEY_REJECTED',
    })
    let seenChallenge: { keyNames: readonly string[]; rpId: string } | undefined
    const result = await login(async (challenge) => {
      seenChallenge = challenge
      return key.assert(challenge)
    })
    expect(result.secondFactor).toBe('hsa2')
    expect(seenChallenge).toMatchObject({ keyNames: ['Desk key'], rpId: 'apple.com' })
    // An assertion whose counter does not grow (a cloned key) is refused.
    e.accounts.expireSessions('key@example.com', { sessionTokens: true, trust: true })
    await expect(login(async (challenge) => key.assert(challenge, { signCount: 1 }))).rejects.toMatchObject({
      code: 'SECURITY_KEY_REJECTED',
    })
    expect(seen(e).findings).toEqual([
      'error:security-key-origin',
      'error:security-key-unknown-credential',
      'error:security-key-counter',
    ])
  })
})

describe('Advanced Data Protection', () => {
  it('asks the devices at sign-in, waits for the approval, gets the PCS cookies, and recovers from a 423', async () => {
    const e = await emulatorWith({
      pcsApproval: 'manual',
      pcsCookieAttempts: 1,
      accounts: [{ appleId: 'adp@example.com', password: PASSWORD, advancedDataProtection: true }],
    })
    const prompts: string[] = []
    const client = clientFor(e, {
      appleId: 'adp@example.com',
      password: PASSWORD,
      twoFactor: readCodeFrom(e),
      webAccessTiming: { intervalMs: 20, timeoutMs: 5000 },
      onWebAccessApproval: (approval) => {
        prompts.push(approval.appleId)
        // The user approves on the iPhone a moment later.
        setTimeout(() => e.accounts.approveWebAccess('adp@example.com'), 50)
      },
    })
    running.push(client)
    const plain = clientFor(e, { appleId: 'adp@example.com', password: PASSWORD, twoFactor: readCodeFrom(e) })
    running.push(plain)
    await plain.login()
    expect(await plain.webAccess.state()).toMatchObject({ advancedDataProtection: true, consented: false })
    await expect(plain.webAccess.approve()).rejects.toMatchObject({ code: 'WEB_ACCESS_REQUIRED' })

    await client.login()
    expect(prompts).toEqual(['adp@example.com'])
    expect(await client.webAccess.state()).toMatchObject({ consented: true })
    // A pcsRequired service answers 423 without the cookies; the client gets them and sends again.
    const caller = (client.storage as unknown as { caller: ServiceCaller }).caller
    await expect(
      caller.call('ckdatabasews', 'POST', '/database/1/com.apple.photos.cloud/production/private/zones/list'),
    ).resolves.toMatchObject({ zones: expect.any(Array) })
    const paths = seen(e).paths
    const gate = paths.indexOf(
      'POST /ws/ckdatabasews/database/1/com.apple.photos.cloud/production/private/zones/list',
    )
    expect(paths.slice(gate)).toEqual([
      'POST /ws/ckdatabasews/database/1/com.apple.photos.cloud/production/private/zones/list',
      'POST /setup/ws/1/requestWebAccessState',
      'POST /setup/ws/1/requestPCS',
      'POST /setup/ws/1/requestPCS',
      'POST /ws/ckdatabasews/database/1/com.apple.photos.cloud/production/private/zones/list',
    ])
    expect(e.log.entries()[e.log.entries().length - 5]?.findings?.map((f) => f.code)).toEqual([
      'pcs-cookies-missing',
    ])
  })
})

describe('cookies with a Domain', () => {
  it('sets Domain to the host the client used, or to the configured host name', async () => {
    const e = await emulatorWith({
      hostName: 'sigwire.test',
      accounts: [{ appleId: 'dom@example.com', password: PASSWORD }],
    })
    expect(e.authUrl).toMatch(/^http:\/\/idmsa\.sigwire\.test:\d+\/appleauth\/auth$/)
    expect(e.setupUrl).toMatch(/^http:\/\/setup\.sigwire\.test:\d+\/setup\/ws\/1$/)
    // The names are mapped to loopback the way /etc/hosts would map them.
    const dispatcher = new Agent({
      connect: {
        lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
      },
    })
    running.push({ close: () => dispatcher.close() })
    const named = new Replayer(e, { dispatcher })
    running.push(named)
    const page = await named.send('GET', `${e.authUrl}/authorize/signin?client_id=${WIDGET_KEY}`, {
      accept: 'text/html',
    })
    expect(page.status).toBe(200)
    expect(page.setCookies[0]).toMatch(/^aasp=[^;]+; Path=\/; Domain=sigwire\.test;/)

    const plain = await emulatorWith({ accounts: [{ appleId: 'dom@example.com', password: PASSWORD }] })
    const direct = new Replayer(plain)
    running.push(direct)
    const answer = await direct.send('GET', `${plain.authUrl}/authorize/signin?client_id=${WIDGET_KEY}`, {})
    expect(answer.setCookies[0]).toContain('; Domain=127.0.0.1;')
  })
})
