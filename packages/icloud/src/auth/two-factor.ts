import { emptyBody, jsonBody } from '@sigwire/core'
import { SERVICE_ERRORS } from '../constants.js'
import { ICloudError } from '../errors.js'
import { type SessionResponse, serviceErrorCode, throttledError } from '../session/http.js'
import type { BridgeSettings } from './bridge/bridge-session.js'
import { completeWithBridge } from './bridge/complete-bridge.js'
import type { AuthContext } from './context.js'
import { idmsaHeaders } from './headers.js'
import { completeSecurityKey, type SecurityKeyHandler } from './security-key.js'
import { parseTwoFactorOptions, type TwoFactorOptions } from './two-factor-options.js'

/** A way to receive a verification code. */
export type TwoFactorOption =
  | {
      /** A push of the code to the account's trusted Apple devices (§4.3). */
      readonly kind: 'device'
    }
  | {
      /** A text message or a phone call to a trusted number (`verify/phone`, §4.3). */
      readonly kind: 'sms' | 'voice'
      /** The trusted number's `id` in Apple's list, sent back as `phoneNumber.id`. */
      readonly phoneId: number
      /** The number as Apple shows it, usually masked (`+1 (•••) •••-••03`), for the user to pick. */
      readonly number: string
    }
  | {
      /** A device of a legacy two-step (2SA) account, from `listDevices` (§4.6). */
      readonly kind: 'two-step-device'
      /** The device's `deviceId` in `listDevices`, sent back to `sendVerificationCode`. */
      readonly deviceId: string
      /** The device type and masked number (`SMS *******03`), for the user to recognise. */
      readonly name: string
    }
  | {
      /** The trusted-device bridge's prompt (iOS 26.4 and later): the user types the code the device shows. */
      readonly kind: 'bridge'
    }

/** What the `twoFactor` callback is given. */
export interface TwoFactorChallenge {
  /** `hsa2` (two-factor authentication) or `2sa` (legacy two-step verification). */
  readonly type: 'hsa2' | '2sa'
  /**
   * `bridge`: Apple uses the trusted-device bridge (iOS 26.4 and later): the device asks the user to
   * allow the sign-in and then shows a code; return that code (it is used for a key exchange with the
   * device, never sent). To get an SMS instead, call `requestCode` with a phone option first.
   * `code`: a code sent by Apple (device push, SMS, call) or generated on a device.
   */
  readonly method: 'code' | 'bridge'
  /** The Apple ID being signed in. */
  readonly appleId: string
  /** Where a code can be sent. */
  readonly options: readonly TwoFactorOption[]
  /** Where a code was already requested automatically, if anywhere. */
  readonly requested: TwoFactorOption | undefined
  /** Number of digits of the code (6). */
  readonly codeLength: number
  /** Requests a code through `option` (a push to trusted devices, an SMS or a call). */
  requestCode(option: TwoFactorOption): Promise<void>
}

/** The callback's answer: the code (as a string: codes may start with 0), and how it was received. */
export type TwoFactorAnswer =
  | string
  | {
      /** The code the user received, as typed (six digits, possibly starting with 0). */
      readonly code: string
      /** Where the code was sent, which decides the validation call (§4.4). */
      readonly option: TwoFactorOption
    }

/**
 * Supplies a verification code when Apple asks for one. A CLI prompts; a server waits for the user.
 * The sign-in waits for the returned promise.
 */
export type TwoFactorHandler = (challenge: TwoFactorChallenge) => Promise<TwoFactorAnswer>

/**
 * How the user wants the code: pushed to the trusted devices, sent by SMS or a call to the default
 * trusted number, or `generated` (the user makes one on a device: Settings, "Get Verification Code";
 * nothing is sent). Default: what Apple's page starts with (the devices when the account has any,
 * else the phone).
 */
export type TwoFactorMethod = 'device' | 'sms' | 'voice' | 'generated'

/** What {@link completeTwoFactor} is given besides the code callback. */
export interface TwoFactorSettings {
  readonly handler: TwoFactorHandler | undefined
  readonly method?: TwoFactorMethod | undefined
  readonly onSecurityKey?: SecurityKeyHandler | undefined
  /** Timeout and TLS of the trusted-device bridge's push websocket. */
  readonly bridge?: BridgeSettings | undefined
}

/** Default wait for each answer of the bridge's push websocket (pyicloud `WEBSOCKET_TIMEOUT_SECONDS`). */
export const BRIDGE_TIMEOUT_MS = 30_000

/**
 * The HSA2 step after a 409 from `signin/complete` (docs/protocols/icloud.md §4, §12), the way the web
 * page does it: load the two-factor page (`GET {auth}` as HTML, its `boot_args`), then either sign the
 * security-key challenge, or send a code only through the channel the user chose (a device push only
 * when the device was chosen), ask the handler, validate the code; then `2sv/trust` for a trust token.
 */
export async function completeTwoFactor(ctx: AuthContext, settings: TwoFactorSettings): Promise<void> {
  const options = await authOptions(ctx)
  if (options.fsaChallenge) {
    await completeSecurityKey(ctx, options.fsaChallenge, options.keyNames, settings.onSecurityKey)
  } else {
    const handler = settings.handler
    const phones = options.phones.map(
      (p) => ({ kind: p.pushMode === 'voice' ? 'voice' : 'sms', phoneId: p.id, number: p.number }) as const,
    )
    const list: TwoFactorOption[] = [
      ...(options.hasTrustedDevices ? [{ kind: 'device' as const }] : []),
      ...phones,
    ]
    if (handler === undefined)
      throw new ICloudError({
        code: 'TWO_FACTOR_REQUIRED',
        message: `Apple asks for a two-factor code for ${ctx.state.appleId}; pass a twoFactor callback that returns the code.`,
      })
    if (options.bridge && (settings.method === undefined || settings.method === 'device')) {
      await completeWithBridge(ctx, options, options.bridge, list, handler, {
        timeoutMs: settings.bridge?.timeoutMs ?? BRIDGE_TIMEOUT_MS,
        tls: settings.bridge?.tls,
      })
      if (ctx.state.trustEligible !== 'false') await trust(ctx)
      return
    }
    let requested: TwoFactorOption | undefined
    const first = chosenOption(settings.method, options, list)
    if (first) {
      await requestCode(ctx, first)
      requested = first
    }
    const answer = await handler({
      type: 'hsa2',
      method: 'code',
      appleId: ctx.state.appleId,
      options: list,
      get requested() {
        return requested
      },
      codeLength: options.codeLength,
      async requestCode(option) {
        await requestCode(ctx, option)
        requested = option
      },
    })
    const { code, option } =
      typeof answer === 'string' ? { code: answer, option: requested ?? { kind: 'device' as const } } : answer
    await validateCode(ctx, code, option)
  }
  // Trust is skipped only when idmsa says the browser cannot be trusted (X-Apple-TwoSV-Trust-Eligible).
  if (ctx.state.trustEligible !== 'false') await trust(ctx)
}

/** Where the first code goes: the user's choice, else where Apple's page starts. */
function chosenOption(
  method: TwoFactorMethod | undefined,
  options: TwoFactorOptions,
  list: readonly TwoFactorOption[],
): TwoFactorOption | undefined {
  if (method === 'generated') return undefined
  const phoneFor = (kind: 'sms' | 'voice'): TwoFactorOption | undefined => {
    const preferred = options.defaultPhone ?? options.phones[0]
    return preferred ? { kind, phoneId: preferred.id, number: preferred.number } : undefined
  }
  if (method === 'sms' || method === 'voice') return phoneFor(method)
  if (method === 'device') return { kind: 'device' }
  const phoneFirst = options.initialRoute === 'auth/verify/phone' || !options.hasTrustedDevices
  if (!phoneFirst) return list[0]
  return phoneFor(options.defaultPhone?.pushMode === 'voice' ? 'voice' : 'sms')
}

async function authOptions(ctx: AuthContext): Promise<TwoFactorOptions> {
  // The page load the web client makes: HTML with the options in its boot_args (pyicloud asks the same
  // way; a JSON Accept may get a reduced answer, pyicloud `_get_mfa_auth_options`).
  const response = await ctx.http.call({
    method: 'GET',
    url: ctx.endpoints.authUrl,
    purpose: 'two-factor options',
    headers: {
      ...idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'signin'),
      accept: 'text/html',
      'content-type': undefined,
    },
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  // openHAB #21176: this call may answer 409 while carrying the options.
  if (response.status !== 200 && response.status !== 409) throw mfaError(response, 'two-factor options')
  const json = response.json<Record<string, unknown>>()
  return parseTwoFactorOptions(json ?? Buffer.from(response.body).toString('utf8'))
}

/** Asks Apple to send a code through `option` (docs/protocols/icloud.md §4.3). */
export async function requestCode(ctx: AuthContext, option: TwoFactorOption): Promise<void> {
  const headers = idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'mfa')
  const base = { headers, harvest: true, ...(ctx.signal ? { signal: ctx.signal } : {}) }
  if (option.kind === 'device') {
    // iOS 26.4+: the 409 no longer pushes a code by itself; ask for it (rclone RequestPushNotification).
    const push = await ctx.http.call({
      ...base,
      method: 'PUT',
      url: `${ctx.endpoints.authUrl}/verify/trusteddevice/securitycode`,
      purpose: 'verify/trusteddevice/securitycode',
      body: emptyBody,
    })
    if (push.status < 300) return
    const fallback = await ctx.http.call({
      ...base,
      method: 'GET',
      url: `${ctx.endpoints.authUrl}/verify/trusteddevice`,
      purpose: 'verify/trusteddevice',
      headers: { ...headers, 'content-type': undefined },
    })
    if (fallback.status < 300) return
    throw mfaError(fallback, 'requesting a code on a trusted device')
  }
  if (option.kind === 'two-step-device')
    throw new ICloudError({ code: 'INVALID_ARGUMENT', message: 'Two-step devices belong to the 2SA flow.' })
  if (option.kind === 'bridge')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message:
        'The trusted-device bridge is started by the sign-in itself; pick a phone to get an SMS instead.',
    })
  const response = await ctx.http.call({
    ...base,
    method: 'PUT',
    url: `${ctx.endpoints.authUrl}/verify/phone`,
    purpose: 'verify/phone',
    body: jsonBody({ phoneNumber: { id: option.phoneId }, mode: option.kind }),
  })
  // A 409 may come back although the code was sent (openHAB #21176).
  if (response.status < 300 || response.status === 409) return
  if (response.status === 412 || response.status === 400)
    throw new ICloudError({
      code: 'INVALID_PHONE',
      status: response.status,
      message: `Phone id ${option.phoneId} is not one of the account's trusted numbers; pick one of challenge.options.`,
    })
  throw mfaError(response, 'verify/phone')
}

/** Checks `code` with Apple, on the device or phone endpoint `option` names (§4.4). */
export async function validateCode(ctx: AuthContext, code: string, option: TwoFactorOption): Promise<void> {
  if (typeof code !== 'string' || !/^\d{4,8}$/.test(code.trim()))
    throw new ICloudError({
      code: 'WRONG_CODE',
      message:
        'The verification code must be a string of digits (keep leading zeros: pass "012345", not 12345).',
    })
  const headers = idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'mfa')
  const phone = option.kind === 'sms' || option.kind === 'voice'
  const response = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/${phone ? 'verify/phone/securitycode' : 'verify/trusteddevice/securitycode'}`,
    purpose: 'verifying the code',
    headers,
    body: jsonBody(
      phone
        ? { phoneNumber: { id: option.phoneId }, securityCode: { code: code.trim() }, mode: option.kind }
        : { securityCode: { code: code.trim() } },
    ),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (response.status === 200 || response.status === 204) return
  // Since mid-2026 a correct code may answer 409 with a new session token (rclone 731f2a6c2).
  if (response.status === 409 && response.header('x-apple-session-token')) return
  const serviceCode = serviceErrorCode(response.json())
  if (serviceCode === SERVICE_ERRORS.wrongCode || response.status === 400 || response.status === 401)
    throw new ICloudError({
      code: 'WRONG_CODE',
      status: response.status,
      ...(serviceCode === undefined ? {} : { serviceCode }),
      message: 'Apple rejected the verification code. Request a new code and enter it within a few minutes.',
    })
  throw mfaError(response, 'verifying the code')
}

async function trust(ctx: AuthContext): Promise<void> {
  const response = await ctx.http.call({
    method: 'GET',
    url: `${ctx.endpoints.authUrl}/2sv/trust`,
    purpose: '2sv/trust',
    headers: { ...idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'mfa'), 'content-type': undefined },
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (response.status >= 300) throw mfaError(response, '2sv/trust')
}

function mfaError(response: SessionResponse, step: string): ICloudError {
  if (response.status === 503 || response.status === 429) return throttledError(response, step)
  const serviceCode = serviceErrorCode(response.json())
  return new ICloudError({
    code: 'TWO_FACTOR_FAILED',
    status: response.status,
    ...(serviceCode === undefined ? {} : { serviceCode }),
    message: `Two-factor step "${step}" failed with HTTP ${response.status}${serviceCode ? ` (${serviceCode})` : ''}.`,
  })
}
