import { randomUUID } from 'node:crypto'
import { WIDGET_KEY } from '@sigwire/icloud'
import { describe, expect, it } from 'vitest'
import { bootArgsOf } from '../src/auth/boot-args.js'
import type { ICloudEmulator } from '../src/emulator/index.js'
import { type Answer, findingsAfter, type Replayer, srpProof, srpStart } from './replay-kit.js'
import { pyicloudSession, replayEmulators } from './replay-session.js'

// Each maintained client's sign-in, two-factor, trust, accountLogin, storage, contacts, calendar and
// validate requests, headers included, as their sources send them (file and line at the mirrored
// commit; docs/protocols/icloud.md §12 has the contract table). The emulator must accept each one in
// the default profile, and the strict profile names what it refuses.

const PASSWORD = 'replay-password-1'
const APPLE_ID = 'replay@example.com'
const open = replayEmulators()
const start = (options: Parameters<typeof open>[0] = {}) =>
  open({
    accounts: [
      { appleId: APPLE_ID, password: PASSWORD, twoFactor: true },
      {
        appleId: 'adp-replay@example.com',
        password: PASSWORD,
        twoFactor: true,
        advancedDataProtection: true,
      },
    ],
    pcsApprovalDelayMs: 0,
    ...options,
  })

/**
 * timlaing/pyicloud at bd836af (2026-06-30), the SMS route a default run takes: `pyicloud/base.py`
 * `_srp_authentication` (l. 551: the authorize/signin page load with the session headers only),
 * `_get_auth_headers` (l. 706), `_get_mfa_auth_options` (l. 805: `Accept: text/html`),
 * `_request_2fa_code` (l. 831: one header set for the device push and the SMS), `_validate_sms_code`
 * (l. 1217), `trust_session` (l. 1238), `_authenticate_with_token` (l. 638), `_validate_token` (l. 689);
 * `services/account.py` l. 38, `services/contacts.py` l. 28, `services/calendar.py` l. 633 and 738.
 */
async function pyicloud(
  e: ICloudEmulator,
  r: Replayer,
  route: 'sms' | 'device',
): Promise<{ contacts: number; me: string; calendars: string[]; event: string; resumed: number }> {
  const py = pyicloudSession(e, r, { home: 'https://www.icloud.com', referer: 'https://idmsa.apple.com' })
  const { clientId, session, harvest, auth, accountLogin } = py
  const page = await py.signIn(APPLE_ID, PASSWORD)
  const boot = bootArgsOf(page.text) as {
    direct: {
      twoSV: { bridgeInitiateData: { phoneNumberVerification: { trustedPhoneNumber: { id: number } } } }
    }
  }
  const phone = boot.direct.twoSV.bridgeInitiateData.phoneNumberVerification.trustedPhoneNumber
  // One header set (one scnt) for both requests, as _request_2fa_code builds it.
  const h2 = auth({ accept: 'application/json' })
  expect(harvest(await r.send('GET', `${e.authUrl}/verify/trusteddevice`, h2)).status).toBeLessThan(300)
  expect(
    harvest(
      await r.send('PUT', `${e.authUrl}/verify/phone`, h2, { phoneNumber: { id: phone.id }, mode: 'sms' }),
    ).status,
  ).toBe(200)
  const untrusted = harvest(await accountLogin())
  expect(untrusted.json().hsaTrustedBrowser).toBe(false)
  if (route === 'sms') {
    const code = e.accounts.lastCode(APPLE_ID, 'phone')!
    const ok = harvest(
      await r.send(
        'POST',
        `${e.authUrl}/verify/phone/securitycode`,
        auth({ accept: 'application/json, plain/text' }),
        {
          phoneNumber: { id: phone.id },
          securityCode: { code },
          mode: 'sms',
        },
      ),
    )
    expect(ok.status).toBe(200)
  } else {
    const code = e.accounts.deviceCode(APPLE_ID)
    const ok = harvest(
      await r.send(
        'POST',
        `${e.authUrl}/verify/trusteddevice/securitycode`,
        auth({ accept: 'application/json' }),
        {
          securityCode: { code },
        },
      ),
    )
    expect(ok.status).toBe(204)
  }
  expect(harvest(await r.send('GET', `${e.authUrl}/2sv/trust`, auth())).status).toBe(204)
  const doc = harvest(await accountLogin()).json<{
    hsaTrustedBrowser: boolean
    dsInfo: { dsid: string }
    webservices: Record<string, { url: string }>
  }>()
  expect(doc.hsaTrustedBrowser).toBe(true)
  const params = new URLSearchParams({
    clientBuildNumber: '2534Project66',
    clientMasteringNumber: '2534B22',
    clientId,
    dsid: doc.dsInfo.dsid,
  })
  const ws = doc.webservices
  const storage = await r.send('POST', `${ws.account!.url}/setup/ws/1/storageUsageInfo?${params}`, session)
  expect(
    storage.json<{ storageUsageInfo: { totalStorageInBytes: number } }>().storageUsageInfo
      .totalStorageInBytes,
  ).toBeGreaterThan(0)
  const contactParams = new URLSearchParams({
    ...Object.fromEntries(params),
    locale: 'en_US',
    order: 'last,first',
    includePhoneNumbers: 'True',
    includePhotos: 'True',
  })
  const startup = (await r.send('GET', `${ws.contacts!.url}/co/startup?${contactParams}`, session)).json<{
    prefToken: string
    syncToken: string
  }>()
  const next = new URLSearchParams({
    ...Object.fromEntries(contactParams),
    prefToken: startup.prefToken,
    syncToken: startup.syncToken,
    limit: '0',
    offset: '0',
  })
  const contacts = (await r.send('GET', `${ws.contacts!.url}/co/contacts?${next}`, session)).json<{
    contacts: unknown[]
  }>()
  const me = (await r.send('GET', `${ws.contacts!.url}/co/mecard?${params}`, session)).json<{
    contacts: Array<{ firstName: string }>
  }>()
  const calParams = new URLSearchParams({
    ...Object.fromEntries(params),
    lang: 'en-us',
    usertz: 'Europe/Paris',
    startDate: '2026-12-01',
    endDate: '2026-12-31',
  })
  const calendars = (
    await r.send('GET', `${ws.calendar!.url}/ca/allcollections?${calParams}`, session)
  ).json<{
    Collection: Array<{ title: string }>
  }>()
  const events = (await r.send('GET', `${ws.calendar!.url}/ca/events?${calParams}`, session)).json<{
    Event: Array<{ pGuid: string; guid: string }>
  }>()
  const first = events.Event[0]!
  const detail = (
    await r.send(
      'GET',
      `${ws.calendar!.url}/ca/eventdetail/${first.pGuid}/${first.guid}?${new URLSearchParams({ ...Object.fromEntries(params), lang: 'en-us', usertz: 'Europe/Paris' })}`,
      session,
    )
  ).json<{ Event: Array<{ title: string }> }>()
  const validate = await r.send('POST', `${e.setupUrl}/validate`, session, 'null')
  return {
    contacts: contacts.contacts.length,
    me: me.contacts[0]!.firstName,
    calendars: calendars.Collection.map((c) => c.title),
    event: detail.Event[0]!.title,
    resumed: validate.status,
  }
}

/**
 * steilerDev/icloud-photos-sync at c6dc1dd (2025-10-26): `app/src/lib/resources/network-manager.ts`
 * l. 59-73 (default and idmsa headers; the idmsa Origin), l. 84 (cookies only when their Domain occurs in
 * the URL), l. 108 (scnt from every idmsa answer), `applySigninResponse` (the session token becomes
 * X-Apple-ID-Session-Id, so signin/complete goes without one); `app/src/lib/icloud/icloud.ts` l. 89
 * (`authenticate`), 186 (`getSRPLogin`), 220 (`getTrustedPhoneNumbers`), 239 (`resendMFA`), 274
 * (`submitMFA`), 314 (`getTokens`), 341 (`setupAccount`), 378 (`acquirePCSCookies`);
 * `app/src/lib/icloud/mfa/mfa-method.ts` l. 143 and 210 (202 for a device resend, 200 for phones, 204
 * for a device code).
 */
async function icloudPhotosSync(
  e: ICloudEmulator,
  r: Replayer,
  options: { appleId?: string; route: 'device' | 'sms' | 'device-resend' },
): Promise<{ pcsCookies: number }> {
  const appleId = options.appleId ?? APPLE_ID
  const ua =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'
  const defaults = {
    accept: 'application/json',
    'content-type': 'application/json',
    connection: 'keep-alive',
    'accept-encoding': 'gzip, deflate, br',
    'user-agent': ua,
    origin: 'https://www.icloud.com',
  }
  const state: { scnt?: string; sessionId?: string; trustToken?: string; sessionSecret?: string } = {}
  const idmsa = () => ({
    ...defaults,
    origin: 'https://idmsa.apple.com',
    referer: 'https://idmsa.apple.com/',
    'x-apple-widget-key': WIDGET_KEY,
    'x-apple-oauth-client-id': WIDGET_KEY,
    'x-apple-i-fd-client-info': JSON.stringify({ U: ua, L: 'en-US', Z: 'GMT+01:00', V: '1.1', F: '' }),
    'x-apple-oauth-response-type': 'code',
    'x-apple-oauth-response-mode': 'web_message',
    'x-apple-oauth-client-type': 'firstPartyAuth',
    ...(state.scnt ? { scnt: state.scnt } : {}),
    ...(state.sessionId ? { 'x-apple-id-session-id': state.sessionId } : {}),
  })
  const send = async (method: string, url: string, body?: unknown, headers = idmsa()) => {
    const answer = await r.send(method, url, headers, body, 'domain-in-url')
    if (answer.header('scnt')) state.scnt = answer.header('scnt')
    return answer
  }
  const { srp, a } = srpStart()
  const init = await send('POST', `${e.authUrl}/signin/init`, {
    a,
    accountName: appleId,
    protocols: ['s2k', 's2k_fo'],
  })
  expect(init.status).toBe(200)
  const proof = await srpProof(init, appleId, PASSWORD, srp)
  const complete = await send('POST', `${e.authUrl}/signin/complete?isRememberMeEnabled=true`, {
    accountName: appleId,
    trustTokens: [state.trustToken ?? null],
    m1: proof.m1,
    m2: proof.m2,
    c: proof.c,
  })
  expect(complete.status).toBe(409)
  expect(complete.setCookies.some((c) => c.startsWith('aasp='))).toBe(true)
  state.sessionId = complete.header('x-apple-session-token')
  state.sessionSecret = state.sessionId
  const info = await send('GET', e.authUrl)
  const phones = info.json<{ trustedPhoneNumbers: Array<{ id: number }> }>().trustedPhoneNumbers
  expect(phones.length).toBeGreaterThan(0)
  if (options.route === 'sms') {
    const resend = await send('PUT', `${e.authUrl}/verify/phone`, {
      phoneNumber: { id: phones[0]!.id },
      mode: 'sms',
    })
    expect(resend.status).toBe(200)
    expect(
      resend.json<{ trustedPhoneNumber: { numberWithDialCode: string } }>().trustedPhoneNumber
        .numberWithDialCode,
    ).toBeTruthy()
    const code = e.accounts.lastCode(appleId, 'phone')!
    const entered = await send('POST', `${e.authUrl}/verify/phone/securitycode`, {
      securityCode: { code },
      phoneNumber: { id: phones[0]!.id },
      mode: 'sms',
    })
    expect(entered.status).toBe(200)
  } else {
    if (options.route === 'device-resend') {
      const resend = await send('PUT', `${e.authUrl}/verify/trusteddevice`)
      expect(resend.status).toBe(202)
      expect(resend.json<{ trustedDeviceCount: number }>().trustedDeviceCount).toBeGreaterThan(0)
    }
    const code = e.accounts.deviceCode(appleId)
    const entered = await send('POST', `${e.authUrl}/verify/trusteddevice/securitycode`, {
      securityCode: { code },
    })
    expect(entered.status).toBe(204)
  }
  const trust = await send('GET', `${e.authUrl}/2sv/trust`)
  expect(trust.status).toBe(204)
  state.trustToken = trust.header('x-apple-twosv-trust-token')
  state.sessionSecret = trust.header('x-apple-session-token')
  const setup = await r.send(
    'POST',
    `${e.url}/setup/ws/1/accountLogin`,
    defaults,
    { dsWebAuthToken: state.sessionSecret },
    'domain-in-url',
  )
  expect(setup.status).toBe(200)
  expect(setup.setCookies.length).toBeGreaterThan(0)
  const doc = setup.json<{
    dsInfo: { isWebAccessAllowed: boolean }
    webservices: { ckdatabasews: { status: string; pcsRequired?: boolean } }
  }>()
  expect(doc.dsInfo.isWebAccessAllowed).toBe(true)
  expect(doc.webservices.ckdatabasews).toMatchObject({ status: 'active', pcsRequired: true })
  // pcsRequired: acquirePCSCookies until Photos and Sharing come (every 10 s in the client).
  for (let i = 0; i < 5; i++) {
    const pcs = await r.send(
      'POST',
      `${e.url}/setup/ws/1/requestPCS`,
      defaults,
      { appName: 'photos', derivedFromUserAction: true },
      'domain-in-url',
    )
    const body = pcs.json<{ isWebAccessAllowed: boolean; status: string; message: string }>()
    expect(body.isWebAccessAllowed).toBe(true)
    expect(body.message.length).toBeGreaterThan(0)
    if (body.status === 'success')
      return {
        pcsCookies: pcs.setCookies.filter((c) => /^X-APPLE-WEBAUTH-PCS-(Photos|Sharing)=/.test(c)).length,
      }
  }
  throw new Error('requestPCS never succeeded')
}

/**
 * rclone/rclone at 64ab1ac (2026-08-17), `backend/iclouddrive/api/session.go`: `authStart` (l. 276:
 * the page load with any `Accept`), `authFederate` (l. 321), `getSRPAuthHeaders` (l. 479: the idmsa
 * Origin on every idmsa call, two-factor included), `RequestPushNotification` (l. 649),
 * `Validate2FACode` (l. 663), `TrustSession` (l. 824), `AuthWithToken` (l. 515: no cookies),
 * `ValidateSession` (l. 843: the cookies by hand). idmsa calls go without cookies.
 */
async function rclone(e: ICloudEmulator, r: Replayer): Promise<number> {
  const ua =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3.1 Safari/605.1.15'
  const frame = `auth-${randomUUID().toLowerCase()}`
  const s: Record<string, string> = {}
  const extract = (a: Answer) => {
    for (const [h, k] of [
      ['x-apple-id-account-country', 'country'],
      ['x-apple-id-session-id', 'sessionId'],
      ['x-apple-session-token', 'sessionToken'],
      ['x-apple-twosv-trust-token', 'trustToken'],
      ['scnt', 'scnt'],
      ['x-apple-auth-attributes', 'attributes'],
    ] as const) {
      const v = a.header(h)
      if (v) s[k] = v
    }
    return a
  }
  const srpHeaders = () => ({
    accept: 'application/json',
    'content-type': 'application/json',
    'user-agent': ua,
    origin: 'https://idmsa.apple.com',
    referer: 'https://idmsa.apple.com/',
    'x-apple-widget-key': WIDGET_KEY,
    'x-apple-oauth-client-id': WIDGET_KEY,
    'x-apple-oauth-client-type': 'firstPartyAuth',
    'x-apple-oauth-redirect-uri': 'https://www.icloud.com',
    'x-apple-oauth-require-grant-code': 'true',
    'x-apple-oauth-response-mode': 'web_message',
    'x-apple-oauth-response-type': 'code',
    'x-apple-oauth-state': frame,
    'x-apple-frame-id': frame,
    'x-requested-with': 'XMLHttpRequest',
    'x-apple-mandate-security-upgrade': '0',
    'x-apple-i-require-ue': 'true',
    'x-apple-i-fd-client-info': `{"U":"${ua}","L":"en-US","Z":"GMT-05:00","V":"1.1","F":""}`,
    ...(s.attributes ? { 'x-apple-auth-attributes': s.attributes } : {}),
    ...(s.scnt ? { scnt: s.scnt } : {}),
    ...(s.sessionId ? { 'x-apple-id-session-id': s.sessionId } : {}),
  })
  const q = new URLSearchParams({
    frame_id: frame,
    language: 'en_US',
    skVersion: '7',
    iframeId: frame,
    client_id: WIDGET_KEY,
    redirect_uri: 'https://www.icloud.com',
    response_type: 'code',
    response_mode: 'web_message',
    state: frame,
    authVersion: 'latest',
  })
  const idmsa = (method: string, path: string, body?: unknown) =>
    r.send(method, `${e.authUrl}${path}`, srpHeaders(), body, 'none').then(extract)
  expect(
    extract(
      await r.send(
        'GET',
        `${e.authUrl}/authorize/signin?${q}`,
        { accept: '*/*', 'user-agent': ua },
        undefined,
        'none',
      ),
    ).status,
  ).toBe(200)
  expect(
    (await idmsa('POST', '/federate?isRememberMeEnabled=true', { accountName: APPLE_ID, rememberMe: true }))
      .status,
  ).toBe(200)
  const { srp, a } = srpStart()
  const init = await idmsa('POST', '/signin/init', { a, accountName: APPLE_ID, protocols: ['s2k', 's2k_fo'] })
  const proof = await srpProof(init, APPLE_ID, PASSWORD, srp)
  const complete = await idmsa('POST', '/signin/complete?isRememberMeEnabled=true', {
    accountName: APPLE_ID,
    ...proof,
    rememberMe: true,
    trustTokens: [],
  })
  expect(complete.status).toBe(409)
  expect((await idmsa('PUT', '/verify/trusteddevice/securitycode')).status).toBeLessThan(300)
  const code = e.accounts.lastCode(APPLE_ID, 'device')!
  const ok = await idmsa('POST', '/verify/trusteddevice/securitycode', { securityCode: { code } })
  expect([200, 204]).toContain(ok.status)
  expect((await idmsa('GET', '/2sv/trust')).status).toBeLessThan(300)
  const common = {
    'content-type': 'application/json',
    origin: 'https://www.icloud.com',
    referer: 'https://www.icloud.com/',
    'user-agent': ua,
  }
  const login = await r.send(
    'POST',
    `${e.setupUrl}/accountLogin`,
    common,
    {
      accountCountryCode: s.country,
      dsWebAuthToken: s.sessionToken,
      extended_login: true,
      trustToken: s.trustToken,
    },
    'none',
  )
  expect(login.json<{ hsaTrustedBrowser: boolean }>().hsaTrustedBrowser).toBe(true)
  return (await r.send('POST', `${e.setupUrl}/validate`, common, undefined, 'jar')).status
}

describe('maintained clients, replayed against the default profile', () => {
  it('pyicloud (latest): SMS route, trust, storage on the account host, contacts, calendars, validate', async () => {
    const { e, r } = await start()
    expect(await pyicloud(e, r, 'sms')).toEqual({
      contacts: 25,
      me: 'Replay',
      calendars: ['Home'],
      event: 'Review sigwire release',
      resumed: 200,
    })
    const log = findingsAfter(e.log.entries())
    // Accepted with notes: the earlier scnt of the SMS request, FD client info and auth attributes.
    expect(log.find((l) => l.request.endsWith('/verify/phone'))?.findings).toEqual([
      'note:scnt-not-latest',
      'note:mfa-fd-client-info',
      'note:mfa-auth-attributes',
    ])
    expect(log.every((l) => l.status < 400 || l.request.endsWith('/signin/complete'))).toBe(true)
  })

  it('pyicloud (latest): the trusted-device route with a code made on the device', async () => {
    const { e, r } = await start()
    expect((await pyicloud(e, r, 'device')).resumed).toBe(200)
  })

  it('icloud-photos-sync: device code without a request, no session id on complete, PCS cookies', async () => {
    const { e, r } = await start()
    expect(await icloudPhotosSync(e, r, { route: 'device' })).toEqual({ pcsCookies: 2 })
    const log = findingsAfter(e.log.entries())
    expect(log.find((l) => l.request.endsWith('/signin/complete'))?.findings).toContain(
      'note:session-id-missing',
    )
    expect(log.find((l) => l.request.endsWith('/securitycode'))?.findings).toEqual(
      expect.arrayContaining(['note:session-id-is-session-token', 'note:mfa-origin']),
    )
  })

  it('icloud-photos-sync: SMS resend (200) and code (200), the old device resend (202)', async () => {
    const { e, r } = await start()
    await icloudPhotosSync(e, r, { route: 'sms' })
    await icloudPhotosSync(e, r, { route: 'device-resend' })
    const log = findingsAfter(e.log.entries())
    expect(log.find((l) => l.request.endsWith('/verify/trusteddevice'))?.findings).toContain(
      'note:device-resend-legacy',
    )
  })

  it('icloud-photos-sync: an Advanced Data Protection account gets its PCS cookies once a device approves', async () => {
    const { e, r } = await start({ pcsApproval: 'auto', pcsApprovalDelayMs: 0 })
    expect(await icloudPhotosSync(e, r, { appleId: 'adp-replay@example.com', route: 'device' })).toEqual({
      pcsCookies: 2,
    })
  })

  it('rclone: page load, federate, push, device code, trust, accountLogin without cookies, validate', async () => {
    const { e, r } = await start()
    expect(await rclone(e, r)).toBe(200)
    const log = findingsAfter(e.log.entries())
    expect(log.find((l) => l.request.endsWith('/2sv/trust'))?.findings).toEqual(
      expect.arrayContaining(['note:mfa-origin', 'note:aasp-cookie-missing']),
    )
  })
})

describe('maintained clients, replayed against the strict profile', () => {
  it('refuses what the thin evidence forbids, and the request log names why', async () => {
    const { e, r } = await start({ profile: 'strict' })
    await expect(pyicloud(e, r, 'sms')).rejects.toThrow()
    const refused = findingsAfter(e.log.entries()).filter((l) => l.status === 401)
    // FD client info and auth attributes are notes under both profiles (§21): the reused scnt is refused.
    expect(refused[0]).toMatchObject({ request: 'PUT /appleauth/auth/verify/phone' })
    expect(refused[0]!.findings).toEqual([
      'error:scnt-not-latest',
      'note:mfa-fd-client-info',
      'note:mfa-auth-attributes',
    ])
  })

  it('refuses icloud-photos-sync at signin/complete (no session id)', async () => {
    const { e, r } = await start({ profile: 'strict' })
    await expect(icloudPhotosSync(e, r, { route: 'device' })).rejects.toThrow()
    const complete = findingsAfter(e.log.entries()).find((l) => l.request.endsWith('/signin/complete'))
    expect(complete).toMatchObject({ status: 400, findings: ['error:session-id-missing'] })
  })
})
