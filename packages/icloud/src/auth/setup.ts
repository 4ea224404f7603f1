import { jsonBody, textBody } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { serviceErrorCode, throttledError } from '../session/http.js'
import { type AccountInfo, parseAccount } from './account.js'
import type { AuthContext } from './context.js'
import { commonQuery, webHeaders } from './headers.js'

const TEXT = 'text/plain;charset=UTF-8'

/** A POST to the setup host as the web app sends it: the common query, `text/plain` JSON, cookies. */
export function setupCall(
  ctx: AuthContext,
  path: string,
  body: string,
  query: Record<string, string | undefined> = {},
) {
  return ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.setupUrl}/${path}`,
    purpose: `setup ${path}`,
    query: { ...commonQuery(ctx.state), ...query },
    headers: webHeaders(ctx.endpoints, TEXT),
    body: textBody(body),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
}

/** `accountLogin` with the session token from idmsa (docs/protocols/icloud.md §5.1). */
export async function accountLogin(ctx: AuthContext): Promise<AccountInfo> {
  if (!ctx.state.sessionToken)
    throw new ICloudError({
      code: 'ACCOUNT_LOGIN_FAILED',
      message: 'No session token to log in with (idmsa did not issue X-Apple-Session-Token); sign in again.',
    })
  const response = await setupCall(
    ctx,
    'accountLogin',
    JSON.stringify({
      // The web client sends null when idmsa named no country (pyicloud `_authenticate_with_token`).
      accountCountryCode: ctx.state.accountCountry ?? null,
      dsWebAuthToken: ctx.state.sessionToken,
      extended_login: true,
      trustToken: ctx.state.trustToken ?? '',
    }),
  )
  if (response.status === 503 || response.status === 429) throw throttledError(response, 'accountLogin')
  if (response.status !== 200) {
    const domain = response.json<{ domainToUse?: string }>()
    if (domain?.domainToUse) return parseAccount(domain, 'accountLogin')
    const serviceCode = serviceErrorCode(response.json())
    throw new ICloudError({
      code: 'ACCOUNT_LOGIN_FAILED',
      status: response.status,
      ...(serviceCode === undefined ? {} : { serviceCode }),
      message: `accountLogin refused the session token (HTTP ${response.status}${serviceCode ? `, ${serviceCode}` : ''}); sign in again.`,
    })
  }
  return remember(ctx, parseAccount(response.json(), 'accountLogin'))
}

/** `validate` with the saved cookies: the account, or undefined when the session expired (421). */
export async function validateSession(ctx: AuthContext): Promise<AccountInfo | undefined> {
  const response = await setupCall(ctx, 'validate', 'null')
  if (response.status === 503 || response.status === 429) throw throttledError(response, 'validate')
  if (response.status !== 200) return undefined
  try {
    return remember(ctx, parseAccount(response.json(), 'validate'))
  } catch (error) {
    if (error instanceof ICloudError && error.code === 'WRONG_REGION') throw error
    return undefined
  }
}

/** `logout` (`trustBrowser: false` also forgets the browser trust). 421 means already logged out. */
export async function logout(
  ctx: AuthContext,
  options: { trustBrowser: boolean; allBrowsers: boolean },
): Promise<void> {
  const response = await setupCall(ctx, 'logout', JSON.stringify(options))
  if (response.status !== 200 && response.status !== 421)
    throw new ICloudError({
      code: 'SERVICE_ERROR',
      status: response.status,
      message: `logout failed with HTTP ${response.status}.`,
    })
}

/**
 * The legacy plaintext `POST {setup}/login` with `apple_id` and password (pre-2020 web app; dead on
 * Apple's side, still spoken by older deployments and the emulator's legacy mode). Opt-in only.
 */
export async function legacyLogin(ctx: AuthContext, password: string): Promise<AccountInfo> {
  const response = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.setupUrl}/login`,
    purpose: 'setup login (legacy)',
    query: commonQuery(ctx.state),
    headers: webHeaders(ctx.endpoints, 'application/json'),
    body: jsonBody({ apple_id: ctx.state.appleId, password, extended_login: true }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (response.status === 503 || response.status === 429) throw throttledError(response, 'legacy login')
  if (response.status === 401 || response.status === 403)
    throw new ICloudError({
      code: 'AUTHENTICATION_FAILED',
      status: response.status,
      message: 'The legacy login rejected the Apple ID or password.',
    })
  if (response.status !== 200)
    throw new ICloudError({
      code: 'SIGNIN_FAILED',
      status: response.status,
      message: `The legacy login failed with HTTP ${response.status}; Apple retired it, use the SRP sign-in.`,
    })
  return remember(ctx, parseAccount(response.json(), 'legacy login'))
}

function remember(ctx: AuthContext, account: AccountInfo): AccountInfo {
  ctx.state.dsid = account.dsid
  ctx.state.webservices = { ...account.webservices }
  return account
}
