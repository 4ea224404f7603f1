import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { ICLOUD_FINDINGS } from '../doctor/findings.js'
import { type ICloudContext, token } from './context.js'
import { answer, iCloudError, requestCookies, requestJson, setCookie } from './http-util.js'
import type { EmulatedAccount, PcsState } from './state.js'

/** Services the account document marks `pcsRequired` (icloudpd cassette `2fa_flow_valid_code.yml`). */
export const PCS_REQUIRED_SERVICES: ReadonlySet<string> = new Set([
  'ckdatabasews',
  'drivews',
  'docws',
  'photos',
  'photosupload',
])

/** The PCS cookie each `pcsRequired` service needs (rclone PR #9448: Drive needs Documents). */
const COOKIE_FOR_SERVICE: Readonly<Record<string, string>> = {
  ckdatabasews: 'Photos',
  photos: 'Photos',
  photosupload: 'Photos',
  drivews: 'Documents',
  docws: 'Documents',
}

/** The cookies `requestPCS` sets per `appName` (icloud-photos-sync checks Photos and Sharing). */
const COOKIES_FOR_APP: Readonly<Record<string, readonly string[]>> = {
  photos: ['Photos', 'Sharing'],
  iclouddrive: ['Documents'],
}

/** How long PCS cookies last, ms (web access consent is for the session). */
const PCS_LIFETIME_MS = 60 * 60_000

const NOT_YET = 'Requested the device to upload cookies.'

type Base = Pick<ICloudContext, 'data' | 'now'>

/**
 * The header check of a `pcsRequired` service for an Advanced Data Protection account: without the
 * service's PCS cookie it answers 423 "Missing PCS cookies from the request" (rclone #8310 and PR
 * #9448, icloud-docker #165), with the doctor's finding.
 */
export function checkPcsCookies(
  base: Base,
  request: EmulatorRequest,
  service: string,
  appleId: string,
): void {
  const kind = COOKIE_FOR_SERVICE[service]
  const account = base.data.accounts.get(appleId)
  if (!kind || !account?.adp) return
  const value = requestCookies(request).get(`X-APPLE-WEBAUTH-PCS-${kind}`)
  const cookie = value ? base.data.pcsCookies.get(value) : undefined
  if (cookie && cookie.appleId === appleId && cookie.kind === kind && cookie.expiresAt > base.now()) return
  throw iCloudError(
    423,
    'PCS_COOKIES_MISSING',
    { success: false, error: 'Missing PCS cookies from the request' },
    {
      explanation: `The account has Advanced Data Protection and the request has no valid X-APPLE-WEBAUTH-PCS-${kind} cookie.`,
      findings: [
        ICLOUD_FINDINGS.finding(
          'pcs-cookies-missing',
          `${service} needs the X-APPLE-WEBAUTH-PCS-${kind} cookie of this Advanced Data Protection account.`,
        ),
      ],
    },
  )
}

/** The account's web access state, approving an automatic request once its delay passed. */
function pcsState(ctx: ICloudContext, account: EmulatedAccount): PcsState {
  const state = ctx.data.pcs.get(account.appleId) ?? { consentedAt: 0, requestedAt: 0, attempts: {} }
  if (
    state.consentedAt === 0 &&
    state.requestedAt !== 0 &&
    ctx.settings.pcsApproval === 'auto' &&
    ctx.now() >= state.requestedAt + ctx.settings.pcsApprovalDelayMs
  ) {
    const approved = { ...state, consentedAt: ctx.now() }
    ctx.tx.put('pcs', account.appleId, approved)
    return approved
  }
  return state
}

/** The `requestWebAccessState` document (foxt/icloud.js issue #4). */
function accessState(account: EmulatedAccount, state: PcsState): Record<string, unknown> {
  const base = { dsid: Number(account.dsid), isWebAccessAllowed: true }
  if (!account.adp) return base
  return {
    ...base,
    isDeviceConsentedForPCS: state.consentedAt !== 0,
    isICDRSDisabled: true,
    deviceConsentForPCSExpiry: state.consentedAt === 0 ? 0 : state.consentedAt + PCS_LIFETIME_MS,
  }
}

/**
 * The Advanced Data Protection calls on the setup host (docs/protocols/icloud.md §5.5, §13):
 * `requestWebAccessState`, `enableDeviceConsentForPCS` (asks the trusted devices), and `requestPCS`
 * (answers "not yet" `pcsCookieAttempts` times per app, then sets the PCS cookies). Undefined for
 * other paths.
 */
export function handlePcs(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (request.method !== 'POST') return undefined
  if (path === '/requestWebAccessState') return answer(200, accessState(account, pcsState(ctx, account)))
  if (path === '/enableDeviceConsentForPCS') {
    const state = pcsState(ctx, account)
    const asked = account.adp && state.consentedAt === 0
    const next = asked ? { ...state, requestedAt: ctx.now() } : state
    if (asked) ctx.tx.put('pcs', account.appleId, next)
    return answer(200, { isDeviceConsentNotificationSent: asked === true, ...accessState(account, next) })
  }
  if (path !== '/requestPCS') return undefined
  const body = requestJson<{ appName?: unknown; derivedFromUserAction?: unknown }>(request)
  const app = typeof body?.appName === 'string' ? body.appName : ''
  const kinds = Object.hasOwn(COOKIES_FOR_APP, app) ? COOKIES_FOR_APP[app]! : undefined
  if (!kinds)
    return answer(200, {
      isWebAccessAllowed: true,
      status: 'failure',
      message: `Unknown appName ${JSON.stringify(app)}.`,
    })
  const state = pcsState(ctx, account)
  if (account.adp && state.consentedAt === 0) {
    // rclone and icloud-photos-sync call requestPCS alone and wait for the device: by default it asks
    // the devices as enableDeviceConsentForPCS does; the strict profile wants the consent first.
    const strict = ctx.settings.profile === 'strict'
    if (!strict && state.requestedAt === 0)
      ctx.tx.put('pcs', account.appleId, { ...state, requestedAt: ctx.now() })
    return {
      ...answer(200, {
        isWebAccessAllowed: true,
        status: 'failure',
        message: strict ? 'Device consent for web access is required.' : NOT_YET,
      }),
      findings: [
        ICLOUD_FINDINGS.finding(
          'pcs-consent-required',
          'requestPCS was called before web access was approved.',
          {
            severity: strict ? 'error' : 'note',
          },
        ),
      ],
    }
  }
  const attempts = state.attempts[app] ?? 0
  if (account.adp && attempts < ctx.settings.pcsCookieAttempts) {
    ctx.tx.put('pcs', account.appleId, { ...state, attempts: { ...state.attempts, [app]: attempts + 1 } })
    return answer(200, { isWebAccessAllowed: true, status: 'failure', message: NOT_YET })
  }
  const expiresAt = ctx.now() + PCS_LIFETIME_MS
  const cookies = kinds.map((kind) => {
    const value = token(24)
    ctx.tx.put('pcsCookies', value, { appleId: account.appleId, kind, expiresAt })
    return setCookie(`X-APPLE-WEBAUTH-PCS-${kind}`, value, expiresAt, ctx)
  })
  return answer(
    200,
    { isWebAccessAllowed: true, status: 'success', message: 'PCS cookies are set.' },
    { 'set-cookie': cookies },
  )
}
