import { describe, expect, it } from 'vitest'
import { bootArgsOf } from '../src/auth/boot-args.js'
import type { ICloudEmulator } from '../src/emulator/index.js'
import { ownOriginRole } from '../src/emulator/own-origins.js'
import { findingsAfter, type Replayer } from './replay-kit.js'
import { pyicloudSession, replayEmulators } from './replay-session.js'

// The two-factor step of the latest pyicloud (timlaing/pyicloud at bd836af, 2026-06-30), replayed
// request by request with its headers and bodies (docs/protocols/icloud.md §21): pointed at the
// emulator the natural way, its home endpoint is the emulator, so its `Origin` is the emulator's own
// origin; and under the strict profile it sends FD client info and auth attributes on verify/* and
// 2sv/trust, and one scnt twice. Line numbers are of `pyicloud/base.py` at that commit.

const PASSWORD = 'latest-pyicloud-password'
const APPLE_ID = 'latest.pyicloud@example.com'
const open = replayEmulators()
const start = (profile: 'default' | 'strict' = 'default') =>
  open({ profile, accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: true }] })

interface Run {
  /** The statuses of the two-factor calls, in order, as `METHOD path status`. */
  readonly calls: string[]
  /** The body of the first refused two-factor call, if any. */
  readonly refused?: { serviceErrors: Array<{ code: string; message: string }> }
  /** `hsaTrustedBrowser` of the last accountLogin. */
  readonly trusted: boolean
}

/**
 * pyicloud's sign-in and two-factor step. `home` is its `_home_endpoint` (l. 216-223), which its
 * session sends as `Origin` and `Referer` (l. 287-292) and as `X-Apple-OAuth-Redirect-URI` (l. 715);
 * `Referer` of idmsa calls is `_idmsa_endpoint` (l. 713).
 */
async function pyicloud(e: ICloudEmulator, r: Replayer, home: string, route: 'sms' | 'device'): Promise<Run> {
  const py = pyicloudSession(e, r, { home, referer: new URL(e.authUrl).origin })
  const { auth, harvest } = py
  const calls: string[] = []
  let refused: Run['refused']
  const mfa = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const a = harvest(await r.send(method, `${e.authUrl}${path}`, headers, body))
    calls.push(`${method} ${path} ${a.status}`)
    if (a.status >= 400 && !refused) refused = a.json()
    return a
  }
  const accountLogin = async () => (await py.accountLogin()).json<{ hsaTrustedBrowser?: boolean }>()

  // _srp_authentication (l. 543-636), then _get_mfa_auth_options (l. 805-829): the HTML page with boot_args.
  const page = await py.signIn(APPLE_ID, PASSWORD)
  const boot = bootArgsOf(page.text) as {
    direct: {
      twoSV: {
        phoneNumberVerification: { trustedPhoneNumber: { id: number; nonFTEU?: boolean; pushMode: string } }
      }
    }
  }
  const phone = boot.direct.twoSV.phoneNumberVerification.trustedPhoneNumber
  // TrustedPhoneNumber.as_phone_number_payload (l. 153-159): id, and nonFTEU when a boolean.
  const phoneNumber = {
    id: phone.id,
    ...(typeof phone.nonFTEU === 'boolean' ? { nonFTEU: phone.nonFTEU } : {}),
  }
  // _request_2fa_code (l. 831-865): one header set (one scnt) for the push and the SMS; failures swallowed.
  const once = auth({ accept: 'application/json' })
  await mfa('GET', '/verify/trusteddevice', once)
  await mfa('PUT', '/verify/phone', once, { phoneNumber, mode: 'sms' })
  // _authenticate (l. 533-541): accountLogin with the unverified token, then 2FA required.
  expect((await accountLogin()).hsaTrustedBrowser).toBe(false)
  if (route === 'sms') {
    // request_2fa_code → _request_sms_2fa_code (l. 909-930), then _validate_sms_code (l. 1217-1236).
    await mfa('PUT', '/verify/phone', auth({ accept: 'application/json' }), { phoneNumber, mode: 'sms' })
    const code = e.accounts.lastCode(APPLE_ID, 'phone') ?? ''
    await mfa('POST', '/verify/phone/securitycode', auth({ accept: 'application/json, plain/text' }), {
      phoneNumber,
      securityCode: { code },
      mode: phone.pushMode,
    })
  } else {
    // use_existing_trusted_device_code (l. 875), then _validate_trusted_device_code (l. 1206-1215).
    const code = e.accounts.deviceCode(APPLE_ID)
    await mfa('POST', '/verify/trusteddevice/securitycode', auth({ accept: 'application/json' }), {
      securityCode: { code },
    })
  }
  // trust_session (l. 1238-1254): 2sv/trust with the plain auth headers, then accountLogin.
  await mfa('GET', '/2sv/trust', auth())
  return {
    calls,
    ...(refused ? { refused } : {}),
    trusted: (await accountLogin()).hsaTrustedBrowser === true,
  }
}

const twoFactorFindings = (e: ICloudEmulator) =>
  findingsAfter(e.log.entries()).filter((l) => /\/(verify|2sv)\//.test(l.request))

describe('the latest pyicloud two-factor step, replayed', () => {
  it("is accepted with its home endpoint at the emulator (Origin: the emulator's own origin)", async () => {
    for (const route of ['sms', 'device'] as const) {
      const { e, r } = await start()
      const run = await pyicloud(e, r, e.url, route)
      expect(run.refused).toBeUndefined()
      expect(run.trusted).toBe(true)
      for (const l of twoFactorFindings(e)) expect(l.findings).not.toContain('error:mfa-origin')
    }
  })

  it('is accepted by the strict profile except the reused scnt, whose 401 says why, and pyicloud goes on', async () => {
    const { e, r } = await start('strict')
    const run = await pyicloud(e, r, 'https://www.icloud.com', 'sms')
    expect(run.calls).toEqual([
      'GET /verify/trusteddevice 200',
      'PUT /verify/phone 401',
      'PUT /verify/phone 200',
      'POST /verify/phone/securitycode 200',
      'GET /2sv/trust 204',
    ])
    expect(run.trusted).toBe(true)
    expect(run.refused?.serviceErrors).toEqual([
      {
        code: '-20209',
        message: expect.stringMatching(
          /^sigwire emulator refused \(scnt-not-latest, strict profile\): \/verify\/phone carried an earlier scnt.*Fix: Send the scnt of the last idmsa answer/,
        ),
        suppressDismissal: false,
      },
    ])
    // FD client info and auth attributes stay notes: Apple validates codes sent with them (§21).
    const log = twoFactorFindings(e)
    expect(log[0]!.findings).toEqual(['note:mfa-fd-client-info', 'note:mfa-auth-attributes'])
    expect(log[1]).toMatchObject({ status: 401, findings: expect.arrayContaining(['error:scnt-not-latest']) })
  })

  it('still refuses a third-party Origin, and the 401 names the check', async () => {
    const { e, r } = await start()
    const run = await pyicloud(e, r, 'https://www.example.com', 'device')
    expect(run.trusted).toBe(false)
    expect(run.refused?.serviceErrors[0]?.message).toMatch(
      /^sigwire emulator refused \(mfa-origin\): \/verify\/trusteddevice was sent with Origin https:\/\/www\.example\.com/,
    )
  })
})

describe('ownOriginRole', () => {
  it("classes the emulator's own origins", () => {
    const own = 'http://127.0.0.1:4000'
    expect(ownOriginRole('http://127.0.0.1:4000', own, undefined)).toBe('web')
    expect(ownOriginRole('http://localhost:4000', own, undefined)).toBe('web')
    expect(ownOriginRole('http://127.0.0.1:4001', own, undefined)).toBeUndefined()
    expect(ownOriginRole('https://127.0.0.1:4000', own, undefined)).toBeUndefined()
    expect(ownOriginRole('https://www.icloud.com', own, undefined)).toBeUndefined()
    expect(ownOriginRole('null', own, undefined)).toBeUndefined()
    const named = 'https://setup.sigwire.test:4000'
    expect(ownOriginRole('https://www.sigwire.test', named, 'sigwire.test')).toBe('web')
    expect(ownOriginRole('https://idmsa.sigwire.test:4000', named, 'sigwire.test')).toBe('idmsa')
    expect(ownOriginRole('https://sigwire.test.evil.example', named, 'sigwire.test')).toBeUndefined()
  })
})
