import { mkdtemp, rm } from 'node:fs/promises'
import type * as Https from 'node:https'
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

// icloudjs 1.4.0 from npm (foxt/icloud.js), unmodified, against the emulator. Its URLs are fixed
// (https://idmsa.apple.com, https://setup.icloud.com), so the test maps every HTTPS connection of this
// process to the emulator's TLS port, the way /etc/hosts and a port forward would; the client does not
// know. icloudjs signs in with the retired password sign-in (POST /appleauth/auth/signin), so the
// emulator runs with legacyAuth; the two-factor calls carry the idmsa Origin, a note by default (§12).

type ICloudService = {
  status: string
  authenticate(): Promise<void>
  provideMfaCode(code: string): Promise<void>
  awaitReady: Promise<unknown>
  accountInfo: { dsInfo: { fullName: string; dsid: string } }
  pcsEnabled: boolean
  pcsAccess: boolean
  getStorageUsage(): Promise<{ storageUsageInfo: { totalStorageInBytes: number } }>
  getService(name: 'calendar'): {
    calendars(): Promise<Array<{ title: string }>>
    events(from?: Date, to?: Date): Promise<Array<{ guid: string; pGuid: string; title: string }>>
    eventDetails(pGuid: string, guid: string): Promise<{ title: string }>
  }
  requestServiceAccess(app: string): Promise<boolean>
}
const require = createRequire(import.meta.url)
const ICloud = (require('icloudjs') as { default: new (options: Record<string, unknown>) => ICloudService })
  .default

const PASSWORD = 'icloudjs-password-1'
let emulator: ICloudEmulator
let dir: string
// The CommonJS module object: its globalAgent can be replaced (an ES namespace cannot be written to).
const https = require('node:https') as typeof Https
const agents = https as { globalAgent: Https.Agent }
const saved = agents.globalAgent

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {})
  dir = await mkdtemp(join(tmpdir(), 'sigwire-icloudjs-'))
  emulator = await startICloudEmulator({
    tls: true,
    legacyAuth: true,
    pcsApprovalDelayMs: 0,
    pcsCookieAttempts: 0,
    accounts: [
      { appleId: 'js@example.com', password: PASSWORD, twoFactor: true },
      { appleId: 'js-adp@example.com', password: PASSWORD, twoFactor: true, advancedDataProtection: true },
    ],
  })
  const port = Number(new URL(emulator.url).port)
  const ca = emulator.certificate!
  class ToEmulator extends https.Agent {
    override createConnection(_options: unknown, callback?: (error: Error | null, socket: Socket) => void) {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
      if (callback) socket.once('secureConnect', () => callback(null, socket))
      return socket
    }
  }
  agents.globalAgent = new ToEmulator({ keepAlive: false })
})

afterAll(async () => {
  agents.globalAgent = saved
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

async function signIn(appleId: string, dataDirectory: string): Promise<ICloudService> {
  const icloud = new ICloud({ username: appleId, password: PASSWORD, trustDevice: true, dataDirectory })
  await icloud.authenticate()
  if (icloud.status === 'MfaRequested') await icloud.provideMfaCode(emulator.accounts.deviceCode(appleId))
  await icloud.awaitReady
  return icloud
}

describe('icloudjs 1.4.0, unmodified', () => {
  it('signs in with a device code it never asked for, trusts, reads storage and calendars, then signs in trusted', async () => {
    const data = join(dir, 'js')
    const icloud = await signIn('js@example.com', data)
    expect(icloud.status).toBe('Ready')
    expect(icloud.accountInfo.dsInfo.fullName).toBe('Js Appleseed')
    expect((await icloud.getStorageUsage()).storageUsageInfo.totalStorageInBytes).toBeGreaterThan(0)
    const calendar = icloud.getService('calendar')
    expect((await calendar.calendars()).map((c) => c.title)).toEqual(['Home'])
    const events = await calendar.events(
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 7 * 86_400_000),
    )
    expect(events.map((e) => e.title)).toEqual(['Review sigwire release'])
    expect((await calendar.eventDetails(events[0]!.pGuid, events[0]!.guid)).title).toBe(
      'Review sigwire release',
    )
    expect(icloud.pcsEnabled).toBe(false)

    // The trust token it saved skips the code next time.
    const again = new ICloud({
      username: 'js@example.com',
      password: PASSWORD,
      trustDevice: true,
      dataDirectory: data,
    })
    await again.authenticate()
    expect(again.status).not.toBe('MfaRequested')
    await again.awaitReady
    expect(again.status).toBe('Ready')
    const verify = emulator.log.entries().filter((e) => e.target.includes('/verify/'))
    expect(verify.map((e) => e.status)).toEqual([204])
    expect(verify[0]!.findings?.map((f) => f.code)).toEqual(
      expect.arrayContaining(['session-id-is-session-token', 'mfa-origin']),
    )
  })

  it('gets web access approved for an Advanced Data Protection account, then the PCS cookies', {
    timeout: 30_000,
  }, async () => {
    const icloud = await signIn('js-adp@example.com', join(dir, 'adp'))
    expect(icloud.pcsEnabled).toBe(true)
    expect(icloud.pcsAccess).toBe(false)
    expect(await icloud.requestServiceAccess('iclouddrive')).toBe(true)
    expect(icloud.pcsAccess).toBe(true)
    const requests = emulator.log.entries().map((e) => e.target.replace(/\?.*$/, ''))
    expect(requests.filter((t) => t.endsWith('/enableDeviceConsentForPCS'))).toHaveLength(1)
    expect(requests.filter((t) => t.endsWith('/requestPCS')).length).toBeGreaterThan(0)
  })
})
