import { randomUUID } from 'node:crypto'
import { WIDGET_KEY } from '@sigwire/icloud'
import { afterEach, describe, expect, it } from 'vitest'
import { bootArgsOf } from '../src/auth/boot-args.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { ownOriginRole } from '../src/emulator/own-origins.js'
import { type Answer, findingsAfter, Replayer, srpProof, srpStart } from './replay-kit.js'

// The two-factor step of the latest pyicloud (timlaing/pyicloud at bd836af, 2026-06-30), replayed
// request by request with its headers and bodies (docs/protocols/icloud.md §21): pointed at the
// emulator the natural way, its home endpoint is the emulator, so its `Origin` is the emulator's own
// origin; and under the strict profile it sends FD client info and auth attributes on verify/* and
// 2sv/trust, and one scnt twice. Line numbers are of `pyicloud/base.py` at that commit.

const PASSWORD = 'latest-pyicloud-password'
const APPLE_ID = 'latest.pyicloud@example.com'
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3.1 Safari/605.1.15'
let emulator: ICloudEmulator | undefined
let replayer: Replayer | undefined

afterEach(async () => {
  await replayer?.close()
  await emulator?.close()
  replayer = undefined
  emulator = undefined
})

async function start(profile: 'default' | 'strict' = 'default') {
  emulator = await startICloudEmulator({
    profile,
    accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: true }],
  })
  replayer = new Replayer(emulator)
  return { e: emulator, r: replayer }
}

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
  const idmsa = new URL(e.authUrl).origin
  const clientId = randomUUID().toLowerCase() // uuid1 in pyicloud (l. 282): never `auth-` prefixed
  const session = { 'user-agent': UA, accept: '*/*', origin: home, referer: `${home}/` }
  const data: Record<string, string> = {}
  // PyiCloudSession keeps these response headers of every answer, refused ones too (const.py HEADER_DATA).
  const harvest = (a: Answer) => {
    for (const [h, k] of [
      ['x-apple-id-account-country', 'account_country'],
      ['x-apple-id-session-id', 'session_id'],
      ['x-apple-auth-attributes', 'auth_attributes'],
      ['x-apple-session-token', 'session_token'],
      ['x-apple-twosv-trust-token', 'trust_token'],
      ['scnt', 'scnt'],
    ] as const) {
      const v = a.header(h)
      if (v) data[k] = v
    }
    return a
  }
  // _get_auth_headers (l. 706-731) over _AUTH_HEADERS_JSON (l. 80-101), on top of the session headers.
  const auth = (over: Record<string, string> = {}) => ({
    ...session,
    accept: 'application/json, text/javascript',
    'content-type': 'application/json',
    'x-apple-oauth-client-id': WIDGET_KEY,
    'x-apple-oauth-client-type': 'firstPartyAuth',
    'x-apple-oauth-redirect-uri': home,
    'x-apple-oauth-require-grant-code': 'true',
    'x-apple-oauth-response-mode': 'web_message',
    'x-apple-oauth-response-type': 'code',
    'x-apple-oauth-state': clientId,
    'x-apple-widget-key': WIDGET_KEY,
    'x-apple-fd-client-info': JSON.stringify({ U: UA, L: 'en-US', Z: 'GMT+00:00', V: '1.1', F: '' }),
    referer: idmsa,
    'x-apple-frame-id': clientId,
    ...(data.scnt ? { scnt: data.scnt } : {}),
    ...(data.session_id ? { 'x-apple-id-session-id': data.session_id } : {}),
    ...(data.auth_attributes ? { 'x-apple-auth-attributes': data.auth_attributes } : {}),
    ...over,
  })
  const calls: string[] = []
  let refused: Run['refused']
  const mfa = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const a = harvest(await r.send(method, `${e.authUrl}${path}`, headers, body))
    calls.push(`${method} ${path} ${a.status}`)
    if (a.status >= 400 && !refused) refused = a.json()
    return a
  }
  const accountLogin = async () =>
    harvest(
      await r.send(
        'POST',
        `${e.setupUrl}/accountLogin`,
        { ...session, 'content-type': 'application/json' },
        {
          accountCountryCode: data.account_country ?? null,
          dsWebAuthToken: data.session_token,
          extended_login: true,
          trustToken: data.trust_token ?? '',
        },
      ),
    ).json<{ hsaTrustedBrowser?: boolean }>()

  // _srp_authentication (l. 543-636): the page load with the session headers only, init, complete.
  const q = new URLSearchParams({
    frame_id: clientId,
    skVersion: '7',
    iframeid: clientId,
    client_id: WIDGET_KEY,
    response_type: 'code',
    redirect_uri: home,
    response_mode: 'web_message',
    state: clientId,
    authVersion: 'latest',
  })
  expect(harvest(await r.send('GET', `${e.authUrl}/authorize/signin?${q}`, session)).status).toBe(200)
  const { srp, a } = srpStart()
  const init = harvest(
    await r.send('POST', `${e.authUrl}/signin/init`, auth(), {
      a,
      accountName: APPLE_ID,
      protocols: ['s2k', 's2k_fo'],
    }),
  )
  const proof = await srpProof(init, APPLE_ID, PASSWORD, srp)
  const complete = harvest(
    await r.send('POST', `${e.authUrl}/signin/complete?isRememberMeEnabled=true`, auth(), {
      accountName: APPLE_ID,
      ...proof,
      rememberMe: true,
      trustTokens: [],
    }),
  )
  expect(complete.status).toBe(409)
  // _get_mfa_auth_options (l. 805-829): the HTML page with boot_args.
  const page = harvest(await r.send('GET', e.authUrl, auth({ accept: 'text/html' })))
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
      await r.close()
      await e.close()
      replayer = undefined
      emulator = undefined
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
