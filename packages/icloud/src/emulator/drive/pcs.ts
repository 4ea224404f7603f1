import { randomBytes } from 'node:crypto'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestCookies, requestJson, setCookie } from '../http-util.js'
import { webSession } from '../setup.js'
import { driveFailure } from './failure.js'

/** The PCS cookie Drive needs on an Advanced Data Protection account (rclone session.go, §5.5). */
export const PCS_DOCUMENTS_COOKIE = 'X-APPLE-WEBAUTH-PCS-Documents'

/** Where an ADP account's PCS flow stands (kept in the `meta` table). */
interface PcsState {
  consent: 'none' | 'asked' | 'given'
  /** `requestPCS` calls since consent was given (the first one answers "not yet"). */
  requests: number
}

/**
 * The setup calls of the PCS flow (docs/protocols/icloud.md §5.5): `requestWebAccessState`,
 * `enableDeviceConsentForPCS` and `requestPCS`. For an ADP account the emulated device approves the
 * consent by the next state query, and `requestPCS` first answers "Cookies not available yet on
 * server." and then succeeds with the PCS cookies (DECISION, §12.8: both waits of real clients run).
 */
export function handlePcsSetup(ctx: ICloudContext, request: EmulatorRequest, path: string): Reply {
  const alive = webSession(ctx, request)
  if (!alive) throw iCloudFailure(421, { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' })
  const appleId = alive.session.appleId
  const dsid = Number(ctx.data.accounts.get(appleId)?.dsid ?? 0)
  const adp = ctx.drive.adp(appleId)
  const key = `pcs:${appleId}`
  const state: PcsState = ctx.drive.state.meta<PcsState>(key) ?? { consent: 'none', requests: 0 }
  const save = (next: PcsState) => ctx.tx.put('meta', key, next)
  const access = (consented: boolean) =>
    adp
      ? {
          dsid,
          isWebAccessAllowed: true,
          isDeviceConsentedForPCS: consented,
          isICDRSDisabled: true,
          deviceConsentForPCSExpiry: 0,
        }
      : { dsid, isWebAccessAllowed: true }
  switch (path) {
    case '/requestWebAccessState':
      if (state.consent === 'asked') save({ consent: 'given', requests: 0 })
      return answer(200, access(state.consent === 'given'))
    case '/enableDeviceConsentForPCS':
      if (adp && state.consent === 'none') save({ consent: 'asked', requests: 0 })
      return answer(200, { isDeviceConsentNotificationSent: adp, ...access(state.consent === 'given') })
    case '/requestPCS': {
      const appName = requestJson<{ appName?: unknown }>(request)?.appName
      if (adp && state.consent !== 'given')
        return answer(200, { status: 'failure', message: 'Requested the device to upload cookies.' })
      if (adp && state.requests === 0) {
        save({ ...state, requests: 1 })
        return answer(200, { status: 'failure', message: 'Cookies not available yet on server.' })
      }
      const names =
        appName === 'photos' ? ['X-APPLE-WEBAUTH-PCS-Photos', 'X-APPLE-WEBAUTH-PCS-Sharing'] : [PCS_DOCUMENTS_COOKIE]
      const cookies = names.map((name) => {
        const value = randomBytes(24).toString('base64url')
        ctx.tx.put('meta', `pcsCookie:${value}`, appleId)
        return setCookie(name, `"${value}"`, alive.session.expiresAt, ctx.secure)
      })
      return answer(200, { status: 'success', message: 'Cookies attached.' }, { 'set-cookie': cookies })
    }
    default:
      throw iCloudFailure(404, { success: false, error: `No setup endpoint ${request.method} ${path}` })
  }
}

/** Refuses a Drive call of an ADP account without its PCS cookie: 423 (rclone/rclone#8310). */
export function checkPcs(ctx: ICloudContext, request: EmulatorRequest, appleId: string): void {
  if (!ctx.drive.adp(appleId)) return
  const value = requestCookies(request).get(PCS_DOCUMENTS_COOKIE)
  if (value !== undefined && ctx.drive.state.meta<string>(`pcsCookie:${value}`) === appleId) return
  throw driveFailure(423, '423', 'Missing PCS cookies from the request', { auth: true })
}
