import { setTimeout as sleep } from 'node:timers/promises'
import { ICloudError } from '../errors.js'
import { serviceErrorCode, throttledError } from '../session/http.js'
import type { AuthContext } from './context.js'
import { setupCall } from './setup.js'

/** Web access of an account (`requestWebAccessState`, docs/protocols/icloud.md §5.5, §13). */
export interface WebAccessState {
  /** Whether iCloud data may be reached from the web at all. */
  readonly webAccessAllowed: boolean
  /** True for an Advanced Data Protection account (the answer carries `isDeviceConsentedForPCS`). */
  readonly advancedDataProtection: boolean
  /** Whether a trusted device approved web access (always true without Advanced Data Protection). */
  readonly consented: boolean
  /** Until when the approval holds, when Apple says. */
  readonly consentExpiresAt: Date | undefined
}

/** What the `onWebAccessApproval` callback is told: the trusted devices were asked to approve. */
export interface WebAccessApproval {
  /** The Apple ID. */
  readonly appleId: string
  /** When the client stops waiting for the approval. */
  readonly deadline: Date
}

/**
 * Told when an Advanced Data Protection account needs the user to approve web access on a trusted
 * device (a prompt, like the two-factor code); the client then waits for the approval.
 */
export type WebAccessApprovalHandler = (approval: WebAccessApproval) => void | Promise<void>

/** How long to wait for an approval and for the PCS cookies, and how often to ask. */
export interface WebAccessTiming {
  /** Between two checks, ms. Default 5000 (pyicloud's and icloud.js's pace). */
  readonly intervalMs?: number
  /** Give up after this long, ms. Default 300 000. */
  readonly timeoutMs?: number
}

/** The app name `requestPCS` takes for each `pcsRequired` service (rclone PR #9448). */
export function pcsAppFor(service: string): 'photos' | 'iclouddrive' {
  return service === 'drivews' || service === 'docws' ? 'iclouddrive' : 'photos'
}

/** `POST {setup}/requestWebAccessState`. */
export async function webAccessState(ctx: AuthContext): Promise<WebAccessState> {
  const response = await setupCall(ctx, 'requestWebAccessState', '')
  if (response.status === 503 || response.status === 429)
    throw throttledError(response, 'requestWebAccessState')
  const body = response.json<Record<string, unknown>>()
  if (response.status !== 200 || !body)
    throw new ICloudError({
      code: 'SERVICE_ERROR',
      status: response.status,
      message: `requestWebAccessState failed with HTTP ${response.status}.`,
    })
  const adp = typeof body.isDeviceConsentedForPCS === 'boolean'
  const expiry = typeof body.deviceConsentForPCSExpiry === 'number' ? body.deviceConsentForPCSExpiry : 0
  return {
    webAccessAllowed: body.isWebAccessAllowed !== false,
    advancedDataProtection: adp,
    consented: adp ? body.isDeviceConsentedForPCS === true : true,
    consentExpiresAt: expiry > 0 ? new Date(expiry) : undefined,
  }
}

/**
 * Gets web access approved for an Advanced Data Protection account (the web app's flow, foxt/icloud.js
 * issue #4): `enableDeviceConsentForPCS` asks the trusted devices, the handler tells the user, and
 * `requestWebAccessState` is asked again until the approval arrives or the time runs out.
 */
export async function approveWebAccess(
  ctx: AuthContext,
  handler: WebAccessApprovalHandler | undefined,
  timing: WebAccessTiming = {},
): Promise<WebAccessState> {
  let state = await webAccessState(ctx)
  if (!state.webAccessAllowed) throw webAccessOff()
  if (state.consented) return state
  if (handler === undefined)
    throw new ICloudError({
      code: 'WEB_ACCESS_REQUIRED',
      message: `${ctx.state.appleId} uses Advanced Data Protection and web access is not approved; pass onWebAccessApproval and approve the request on a trusted device.`,
    })
  const sent = await setupCall(ctx, 'enableDeviceConsentForPCS', '')
  if (
    sent.status !== 200 ||
    sent.json<{ isDeviceConsentNotificationSent?: boolean }>()?.isDeviceConsentNotificationSent !== true
  )
    throw new ICloudError({
      code: 'WEB_ACCESS_REQUIRED',
      status: sent.status,
      message:
        'Apple could not ask the trusted devices to approve web access (enableDeviceConsentForPCS); approve "Access iCloud Data on the Web" on a device and try again.',
    })
  const interval = timing.intervalMs ?? 5000
  const deadline = Date.now() + (timing.timeoutMs ?? 300_000)
  await handler({ appleId: ctx.state.appleId, deadline: new Date(deadline) })
  for (;;) {
    state = await webAccessState(ctx)
    if (state.consented) return state
    if (Date.now() + interval > deadline)
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        message: `Web access was not approved on a trusted device within ${Math.round((timing.timeoutMs ?? 300_000) / 1000)} s; approve the request on your iPhone, iPad or Mac and sign in again.`,
      })
    await sleep(interval, undefined, ctx.signal ? { signal: ctx.signal } : {})
  }
}

/**
 * `POST {setup}/requestPCS` until Apple hands out the PCS cookies of `app` (docs/protocols/icloud.md
 * §5.5): "Requested the device to upload cookies." and "Cookies not available yet on server." mean
 * ask again after a while; the first call says the user asked (`derivedFromUserAction`).
 */
export async function requestPcsCookies(
  ctx: AuthContext,
  app: 'photos' | 'iclouddrive',
  timing: WebAccessTiming = {},
): Promise<void> {
  const interval = timing.intervalMs ?? 5000
  const deadline = Date.now() + (timing.timeoutMs ?? 300_000)
  for (let attempt = 0; ; attempt++) {
    const response = await setupCall(
      ctx,
      'requestPCS',
      JSON.stringify({ appName: app, derivedFromUserAction: attempt === 0 }),
    )
    if (response.status === 503 || response.status === 429) throw throttledError(response, 'requestPCS')
    const body = response.json<{ status?: string; message?: string }>()
    if (response.status === 200 && body?.status === 'success') return
    const waiting =
      response.status === 200 &&
      (body?.message === 'Requested the device to upload cookies.' ||
        body?.message === 'Cookies not available yet on server.')
    if (!waiting || Date.now() + interval > deadline) {
      const serviceCode = serviceErrorCode(body)
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        status: response.status,
        ...(serviceCode === undefined ? {} : { serviceCode }),
        message: `Apple did not hand out the ${app} PCS cookies (${body?.message ?? `HTTP ${response.status}`}); approve web access on a trusted device and try again.`,
      })
    }
    await sleep(interval, undefined, ctx.signal ? { signal: ctx.signal } : {})
  }
}

function webAccessOff(): ICloudError {
  return new ICloudError({
    code: 'WEB_ACCESS_REQUIRED',
    message:
      'Web access to this account\'s iCloud data is turned off: turn on "Access iCloud Data on the Web" in the iCloud settings of a trusted device.',
  })
}
