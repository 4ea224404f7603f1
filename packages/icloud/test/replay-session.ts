import { randomUUID } from 'node:crypto'
import { WIDGET_KEY } from '@sigwire/icloud'
import { afterEach, expect } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { type Answer, Replayer, srpProof, srpStart } from './replay-kit.js'

// What the replay tests share: an emulator with a Replayer per test, and the latest pyicloud's
// (timlaing/pyicloud at bd836af) session headers and SRP sign-in, line numbers of `pyicloud/base.py`.

/** The User-Agent pyicloud sends (its `_HEADERS`). */
export const PYICLOUD_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3.1 Safari/605.1.15'

/**
 * Registers an `afterEach` that closes what the returned `start` opened: each call starts an iCloud
 * emulator with a {@link Replayer} on it.
 */
export function replayEmulators(): (
  options?: Parameters<typeof startICloudEmulator>[0],
) => Promise<{ e: ICloudEmulator; r: Replayer }> {
  const open: Array<{ e: ICloudEmulator; r: Replayer }> = []
  afterEach(async () => {
    for (const { e, r } of open.splice(0).reverse()) {
      await r.close()
      await e.close()
    }
  })
  return async (options = {}) => {
    const e = await startICloudEmulator(options)
    const started = { e, r: new Replayer(e) }
    open.push(started)
    return started
  }
}

/**
 * pyicloud 1.0.0's password sign-in, `POST {setup}/login` (the emulator's `legacyAuth`): expects 200
 * and returns the account document.
 */
export async function legacySetupLogin<Doc>(
  e: ICloudEmulator,
  r: Replayer,
  account: { readonly appleId: string; readonly password: string },
): Promise<Doc> {
  const login = await r.send(
    'POST',
    `${e.setupUrl}/login`,
    { 'content-type': 'application/json' },
    { apple_id: account.appleId, password: account.password, extended_login: true },
  )
  expect(login.status).toBe(200)
  return login.json<Doc>()
}

/** pyicloud's session against an emulator: its headers, the answers' headers it keeps, and its calls. */
export interface PyicloudSession {
  /** `uuid1` in pyicloud (l. 282): never `auth-` prefixed. */
  readonly clientId: string
  /** The session headers (l. 287-292). */
  readonly session: Record<string, string>
  /** What PyiCloudSession kept of the answers' headers (const.py HEADER_DATA), by its names. */
  readonly data: Record<string, string>
  /** Keeps the headers of an answer, refused ones too, and gives it back. */
  harvest(answer: Answer): Answer
  /** `_get_auth_headers` (l. 706-731) over `_AUTH_HEADERS_JSON` (l. 80-101), with `over` on top. */
  auth(over?: Record<string, string>): Record<string, string>
  /** `POST accountLogin` with the session token and the trust token kept so far. */
  accountLogin(): Promise<Answer>
  /**
   * `_srp_authentication` (l. 543-636): the authorize/signin page load with the session headers only,
   * `signin/init`, `signin/complete` (answered 409: two-factor needed), then the HTML page of
   * `_get_mfa_auth_options` (l. 805-829) whose text carries boot_args.
   */
  signIn(appleId: string, password: string): Promise<Answer>
}

/**
 * A pyicloud session. `home` is its `_home_endpoint` (l. 216-223), sent as `Origin`, `Referer` and
 * `X-Apple-OAuth-Redirect-URI` (l. 715); `referer` is the `Referer` of idmsa calls (l. 713).
 */
export function pyicloudSession(
  e: ICloudEmulator,
  r: Replayer,
  { home, referer }: { home: string; referer: string },
): PyicloudSession {
  const clientId = randomUUID().toLowerCase()
  const session = { 'user-agent': PYICLOUD_UA, accept: '*/*', origin: home, referer: `${home}/` }
  const data: Record<string, string> = {}
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
    'x-apple-fd-client-info': JSON.stringify({ U: PYICLOUD_UA, L: 'en-US', Z: 'GMT+00:00', V: '1.1', F: '' }),
    referer,
    'x-apple-frame-id': clientId,
    ...(data.scnt ? { scnt: data.scnt } : {}),
    ...(data.session_id ? { 'x-apple-id-session-id': data.session_id } : {}),
    ...(data.auth_attributes ? { 'x-apple-auth-attributes': data.auth_attributes } : {}),
    ...over,
  })
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
    )
  const signIn = async (appleId: string, password: string) => {
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
        accountName: appleId,
        protocols: ['s2k', 's2k_fo'],
      }),
    )
    expect(init.status).toBe(200)
    const proof = await srpProof(init, appleId, password, srp)
    const complete = harvest(
      await r.send('POST', `${e.authUrl}/signin/complete?isRememberMeEnabled=true`, auth(), {
        accountName: appleId,
        ...proof,
        rememberMe: true,
        trustTokens: [],
      }),
    )
    expect(complete.status).toBe(409)
    const page = harvest(await r.send('GET', e.authUrl, auth({ accept: 'text/html' })))
    expect(page.status).toBe(200)
    return page
  }
  return { clientId, session, data, harvest, auth, accountLogin, signIn }
}
