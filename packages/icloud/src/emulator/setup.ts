import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../session/state.js'
import { type ICloudContext, token } from './context.js'
import { storageUsage } from './data.js'
import { handleEraseToken } from './findmy/erase-token.js'
import { answer, iCloudFailure, requestCookies, requestJson, setCookie } from './http-util.js'
import { passwordMatches } from './idmsa.js'
import { handlePcs, PCS_REQUIRED_SERVICES } from './pcs.js'
import type { EmulatedAccount, WebSession } from './state.js'

/** Services listed in the account document, each pointing back at the emulator (`/ws/<name>`). */
export const SERVICE_NAMES = [
  'account',
  'contacts',
  'calendar',
  'push',
  'keyvalue',
  'findme',
  'reminders',
  'ckdatabasews',
  'drivews',
  'docws',
  'uploadimagews',
  'sharedstreams',
  'premiummailsettings',
]

/** The web session a request's `X-APPLE-WEBAUTH-TOKEN` cookie names, if it is alive. */
export function webSession(
  ctx: ICloudContext,
  request: EmulatorRequest,
): { id: string; session: WebSession } | undefined {
  const value = requestCookies(request).get('X-APPLE-WEBAUTH-TOKEN')
  const id = value?.match(/t=([^~:]+)/)?.[1]
  if (!id) return undefined
  const session = ctx.data.webSessions.get(id)
  if (!session || session.expiresAt <= ctx.now()) return undefined
  return { id, session }
}

/** The account document of `accountLogin` and `validate` (docs/protocols/icloud.md §5.1). */
export function accountDocument(
  ctx: ICloudContext,
  account: EmulatedAccount,
  session: WebSession,
  cn: boolean,
): Record<string, unknown> {
  const base = `${ctx.origin}${cn ? '/cn' : ''}/ws`
  const webservices: Record<string, unknown> = {}
  for (const name of SERVICE_NAMES)
    webservices[name] = {
      url: `${base}/${name}`,
      status: 'active',
      ...(PCS_REQUIRED_SERVICES.has(name) ? { pcsRequired: true } : {}),
    }
  for (const [name, url] of Object.entries(ctx.settings.tamperWebservices))
    webservices[name] = { url, status: 'active' }
  const hsa2 = account.secondFactor === 'hsa2'
  return {
    dsInfo: {
      dsid: account.dsid,
      appleId: account.appleId,
      primaryEmail: account.appleId,
      fullName: `${account.firstName} ${account.lastName}`,
      firstName: account.firstName,
      lastName: account.lastName,
      hsaVersion: hsa2 ? 2 : account.secondFactor === '2sa' ? 1 : 0,
      hsaEnabled: account.secondFactor !== 'none',
      countryCode: cn ? 'CHN' : 'USA',
      locale: 'en_US',
      languageCode: 'en-us',
      isWebAccessAllowed: true,
      appleIdAliases: [],
      statusCode: 2,
    },
    webservices,
    hsaTrustedBrowser: !session.challengeRequired,
    hsaChallengeRequired: session.challengeRequired,
    isExtendedLogin: true,
    pcsEnabled: true,
    termsUpdateNeeded: false,
    version: 2,
    appsOrder: ['mail', 'contacts', 'calendar', 'photos', 'iclouddrive', 'notes', 'reminders', 'find'],
    requestInfo: { country: cn ? 'CN' : 'US', timeZone: 'GMT+1', region: cn ? 'CN' : 'US' },
    configBag: { urls: { accountLogin: `${ctx.origin}/setup/ws/1/accountLogin` } },
  }
}

function sessionCookies(
  ctx: ICloudContext,
  id: string,
  account: EmulatedAccount,
  session: WebSession,
): string[] {
  return [
    setCookie('X-APPLE-WEBAUTH-TOKEN', `"v=2:t=${id}~~"`, session.expiresAt, ctx),
    setCookie('X-APPLE-WEBAUTH-USER', `"v=1:s=1:d=${account.dsid}"`, ctx.now() + 30 * 86_400_000, ctx),
    setCookie('X-APPLE-WEBAUTH-VALIDATE', `"v=1:t=${token(12)}"`, session.expiresAt, ctx),
    setCookie('X-APPLE-DS-WEB-SESSION-TOKEN', `"${token(24)}"`, session.expiresAt, ctx),
  ]
}

/** Opens a web session and answers with the account document and its cookies. */
export function openSession(
  ctx: ICloudContext,
  account: EmulatedAccount,
  options: { challengeRequired: boolean; clientId?: string; cn: boolean; extraCookies?: string[] },
): Reply {
  const id = token(32)
  const session: WebSession = {
    appleId: account.appleId,
    expiresAt: ctx.now() + ctx.settings.sessionLifetimeMs,
    challengeRequired: options.challengeRequired,
    ...(options.clientId ? { clientId: options.clientId } : {}),
  }
  ctx.tx.put('webSessions', id, session)
  return answer(200, accountDocument(ctx, account, session, options.cn), {
    'set-cookie': [...sessionCookies(ctx, id, account, session), ...(options.extraCookies ?? [])],
  })
}

/** Answers `/setup/ws/1/...` (and `/cn/setup/ws/1/...` for China accounts). */
export function handleSetup(ctx: ICloudContext, request: EmulatorRequest, path: string, cn: boolean): Reply {
  const method = request.method
  const clientId = request.url.searchParams.get('clientId') ?? undefined
  if (method === 'POST' && path === '/accountLogin') {
    const body = requestJson<{ dsWebAuthToken?: string | null; trustToken?: string }>(request)
    const record = body?.dsWebAuthToken ? ctx.data.sessionTokens.get(body.dsWebAuthToken) : undefined
    if (!record || record.expiresAt <= ctx.now())
      throw iCloudFailure(421, { success: false, error: 'Missing apple_id field' })
    const account = ctx.data.accounts.get(record.appleId)
    if (!account) throw iCloudFailure(421, { success: false, error: 'Missing apple_id field' })
    if ((account.region === 'cn') !== cn)
      return answer(200, { domainToUse: cn ? 'iCloud.com' : 'iCloud.com.cn' })
    const trustCookie = requestCookies(request).get('X-APPLE-WEBAUTH-HSA-TRUST')
    const trusted2sa =
      trustCookie !== undefined && ctx.data.trustTokens.get(trustCookie)?.appleId === account.appleId
    const challengeRequired = !record.verified || (account.secondFactor === '2sa' && !trusted2sa)
    return openSession(ctx, account, { challengeRequired, cn, ...(clientId ? { clientId } : {}) })
  }
  if (method === 'POST' && path === '/login' && ctx.settings.legacyAuth) {
    const body = requestJson<{ apple_id?: string; password?: string }>(request)
    const account = body?.apple_id ? ctx.accounts.get(body.apple_id) : undefined
    if (!account || typeof body?.password !== 'string' || !passwordMatches(account, body.password))
      throw iCloudFailure(401, { success: false, error: 'Invalid email/password combination.' })
    return openSession(ctx, account, { challengeRequired: account.secondFactor !== 'none', cn })
  }
  const alive = webSession(ctx, request)
  if (method === 'POST' && path === '/validate') {
    if (!alive) throw iCloudFailure(421, { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' })
    const account = ctx.data.accounts.get(alive.session.appleId)!
    return answer(200, accountDocument(ctx, account, alive.session, cn))
  }
  if (!alive) throw iCloudFailure(421, { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' })
  const account = ctx.data.accounts.get(alive.session.appleId)!
  if (method === 'POST' && path === '/logout') {
    const body = requestJson<{ trustBrowser?: boolean }>(request)
    ctx.tx.delete('webSessions', alive.id)
    if (body?.trustBrowser === false)
      for (const [t, r] of [...ctx.data.trustTokens.entries()])
        if (r.appleId === account.appleId) ctx.tx.delete('trustTokens', t)
    return answer(
      200,
      { success: true },
      {
        'set-cookie': [setCookie('X-APPLE-WEBAUTH-TOKEN', '', 0, ctx)],
      },
    )
  }
  const erase = handleEraseToken(ctx, request, path, account)
  if (erase) return erase
  if (path === '/storageUsageInfo' && (method === 'GET' || method === 'POST'))
    return answer(200, storageUsage(account, ctx.drive))
  const pcs = handlePcs(ctx, request, path, account)
  if (pcs) return pcs
  if (account.secondFactor === '2sa') return twoStep(ctx, request, path, alive, account)
  throw iCloudFailure(404, { success: false, error: `No setup endpoint ${method} ${path}` })
}

function twoStep(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  alive: { id: string; session: WebSession },
  account: EmulatedAccount,
): Reply {
  const devices = account.trustedPhones.map((p) => ({
    deviceType: 'SMS',
    areaCode: '',
    phoneNumber: p.numberWithDialCode,
    deviceId: String(p.id),
  }))
  if (request.method === 'GET' && path === '/listDevices') return answer(200, { devices })
  if (request.method === 'POST' && path === '/sendVerificationCode') {
    const body = requestJson<{ deviceId?: string }>(request)
    if (!devices.some((d) => d.deviceId === body?.deviceId))
      throw iCloudFailure(400, { success: false, errorCode: 'INVALID_DEVICE' })
    ctx.accounts.issueCode(account.appleId, ctx.tx)
    return answer(200, { success: true })
  }
  if (request.method === 'POST' && path === '/validateVerificationCode') {
    const body = requestJson<{ verificationCode?: unknown; trustBrowser?: boolean }>(request)
    const expected = ctx.accounts.lastCode(account.appleId)
    if (typeof body?.verificationCode !== 'string' || body.verificationCode !== expected)
      throw iCloudFailure(400, {
        success: false,
        errorCode: '-21669',
        error: 'Incorrect verification code.',
        service_errors: [{ code: '-21669' }],
      })
    ctx.tx.put('webSessions', alive.id, { ...alive.session, challengeRequired: false })
    for (const [key, t] of ctx.data.sessionTokens)
      if (t.appleId === account.appleId) ctx.tx.put('sessionTokens', key, { ...t, verified: true })
    const cookies: string[] = []
    if (body.trustBrowser) {
      const trustToken = token(40)
      ctx.tx.put('trustTokens', trustToken, {
        appleId: account.appleId,
        expiresAt: ctx.now() + ctx.settings.trustLifetimeMs,
      })
      cookies.push(
        setCookie('X-APPLE-WEBAUTH-HSA-TRUST', trustToken, ctx.now() + ctx.settings.trustLifetimeMs, ctx),
      )
    }
    return answer(200, { success: true }, cookies.length ? { 'set-cookie': cookies } : {})
  }
  throw iCloudFailure(404, { success: false, error: `No setup endpoint ${request.method} ${path}` })
}

/** The account behind an Apple ID in a request (used by tests through the emulator). */
export function accountFor(ctx: ICloudContext, appleId: string): EmulatedAccount | undefined {
  return ctx.data.accounts.get(normalizeAppleId(appleId))
}
