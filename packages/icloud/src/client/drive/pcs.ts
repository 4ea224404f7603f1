import { setTimeout as sleep } from 'node:timers/promises'
import { type CallOptions, jsonBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import type { ServiceCaller } from '../service-caller.js'

/** `requestPCS` messages that mean "not yet, ask again" (timlaing pyicloud base.py, §5.5). */
const WAITING = new Set(['Requested the device to upload cookies.', 'Cookies not available yet on server.'])

/**
 * The PCS flow of Advanced Data Protection accounts (docs/protocols/icloud.md §5.5, §15.6): ask
 * whether web access needs consent, ask the user's devices for it, wait until it is given, then ask
 * for the Drive's PCS cookies until the devices have uploaded them. Without ADP
 * (`isICDRSDisabled` not true) there is nothing to do.
 */
export async function requestDriveAccess(
  caller: ServiceCaller,
  options: CallOptions & { pollMs?: number },
): Promise<void> {
  const pollMs = options.pollMs ?? 5000
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000)
  const signal = options.signal
  const post = (path: string, body?: unknown) =>
    caller.call<Raw>('setup', 'POST', path, {
      ...(body === undefined ? {} : { body: jsonBody(body), contentType: 'text/plain' }),
      ...(signal ? { signal } : {}),
    })
  const wait = async (what: string) => {
    if (Date.now() + pollMs > deadline)
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        message: `Advanced Data Protection: ${what} did not happen in time. Approve the request on a trusted device, then call requestAccess() again.`,
      })
    try {
      await sleep(pollMs, undefined, signal ? { signal } : {})
    } catch {
      throw new ICloudError({ code: 'ABORTED', message: 'requestAccess() was aborted.' })
    }
  }
  let state = await post('/requestWebAccessState')
  if (state?.isICDRSDisabled !== true) return
  if (state.isDeviceConsentedForPCS === false) {
    const asked = await post('/enableDeviceConsentForPCS')
    if (asked?.isDeviceConsentNotificationSent !== true)
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        message:
          'Advanced Data Protection: Apple did not send the consent request to your devices. Turn on "Access iCloud Data on the Web" on a trusted device and try again.',
      })
    while (state?.isDeviceConsentedForPCS === false) {
      await wait('the approval on a trusted device')
      state = await post('/requestWebAccessState')
    }
  }
  for (let first = true; ; first = false) {
    const answer = await post('/requestPCS', { appName: 'iclouddrive', derivedFromUserAction: first })
    if (answer?.status === 'success') return
    if (!WAITING.has(String(answer?.message)))
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        message: `Advanced Data Protection: requestPCS answered ${JSON.stringify(String(answer?.message ?? answer?.status)).slice(0, 120)}; approve web access on a trusted device and try again.`,
      })
    await wait('the upload of the Drive keys by your devices')
  }
}
