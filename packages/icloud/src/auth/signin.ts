import { fromBase64, jsonBody, type TokenTrace, toBase64 } from '@sigwire/core'
import { SERVICE_ERRORS } from '../constants.js'
import { ICloudError } from '../errors.js'
import { type SessionResponse, serviceErrorCode, throttledError } from '../session/http.js'
import { createSrpClient } from '../srp/client.js'
import { derivePasswordKey, SRP_PROTOCOLS, type SrpProtocol } from '../srp/password.js'
import type { ProofEncoding } from '../srp/tokens.js'
import type { AuthContext } from './context.js'
import { idmsaHeaders } from './headers.js'

/** How `signin/complete` ended. */
export type SignInOutcome =
  | { readonly kind: 'trusted'; readonly trace: readonly TokenTrace[] }
  | { readonly kind: 'two-factor'; readonly authType: string; readonly trace: readonly TokenTrace[] }
  | { readonly kind: 'repaired'; readonly trace: readonly TokenTrace[] }

interface InitResponse {
  iteration: number
  salt: string
  protocol: SrpProtocol
  b: string
  c: string
}

/**
 * The SRP sign-in on idmsa (docs/protocols/icloud.md §3.1): `signin/init` with A, then `signin/complete`
 * with M1 and M2 (and the saved trust token). 200 = trusted, 409 = two-factor, 412 = repair.
 */
export async function srpSignIn(
  ctx: AuthContext,
  password: string,
  options: { encoding?: ProofEncoding; a?: Uint8Array } = {},
): Promise<SignInOutcome> {
  const accountName = ctx.state.appleId
  const client = createSrpClient({
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.a ? { a: options.a } : {}),
  })
  const init = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/signin/init`,
    purpose: 'signin/init',
    headers: idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'signin'),
    body: jsonBody({ a: toBase64(client.A), accountName, protocols: SRP_PROTOCOLS }),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (init.status !== 200) throw signInError(init, 'signin/init', [])
  const challenge = init.json<InitResponse>()
  if (
    !challenge ||
    typeof challenge.salt !== 'string' ||
    typeof challenge.b !== 'string' ||
    typeof challenge.c !== 'string'
  )
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      status: init.status,
      message:
        'signin/init answered without salt, b and c; the sign-in service changed or a proxy altered the answer.',
    })
  const salt = fromBase64(challenge.salt, 'signin/init salt')
  const passwordKey = await derivePasswordKey(password, salt, challenge.iteration, challenge.protocol)
  const proof = client.computeProof({
    accountName,
    passwordKey,
    salt,
    B: fromBase64(challenge.b, 'signin/init b'),
  })

  const complete = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/signin/complete`,
    query: { isRememberMeEnabled: 'true' },
    purpose: 'signin/complete',
    headers: idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'signin'),
    body: jsonBody({
      accountName,
      c: challenge.c,
      m1: toBase64(proof.m1),
      m2: toBase64(proof.m2),
      rememberMe: true,
      trustTokens: ctx.state.trustToken ? [ctx.state.trustToken] : [],
    }),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (complete.status === 200) return { kind: 'trusted', trace: proof.trace }
  if (complete.status === 409) {
    const authType = complete.json<{ authType?: string }>()?.authType ?? 'hsa2'
    return { kind: 'two-factor', authType, trace: proof.trace }
  }
  if (complete.status === 412) {
    // Non-2FA accounts must acknowledge the "repair" step (icloudpd cassette auth_non_2fa.yml).
    const repair = await ctx.http.call({
      method: 'POST',
      url: `${ctx.endpoints.authUrl}/repair/complete`,
      purpose: 'repair/complete',
      headers: idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'signin'),
      body: jsonBody({}),
      harvest: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    if (repair.status >= 200 && repair.status < 300) return { kind: 'repaired', trace: proof.trace }
    throw signInError(repair, 'repair/complete', proof.trace)
  }
  throw signInError(complete, 'signin/complete', proof.trace)
}

/** The typed error for a failed IDMSA sign-in response. */
export function signInError(
  response: SessionResponse,
  step: string,
  trace: readonly TokenTrace[],
): ICloudError {
  if (response.status === 503 || response.status === 429) return throttledError(response, step)
  const serviceCode = serviceErrorCode(response.json())
  if (
    (response.status === 401 || response.status === 403) &&
    (serviceCode === undefined || (SERVICE_ERRORS.wrongPassword as readonly string[]).includes(serviceCode))
  )
    return new ICloudError({
      code: 'AUTHENTICATION_FAILED',
      status: response.status,
      ...(serviceCode === undefined ? {} : { serviceCode }),
      trace,
      message: `Apple rejected the Apple ID or password at ${step} (HTTP ${response.status}${serviceCode ? `, ${serviceCode}` : ''}). Check both; use the account password, not an app-specific password. Do not retry automatically: repeated failures lock the account.`,
    })
  return new ICloudError({
    code: 'SIGNIN_FAILED',
    status: response.status,
    ...(serviceCode === undefined ? {} : { serviceCode }),
    trace,
    message: `The sign-in step ${step} failed with HTTP ${response.status}${serviceCode ? ` (${serviceCode})` : ''}.`,
  })
}
