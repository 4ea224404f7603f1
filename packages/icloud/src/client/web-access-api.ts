import type { CallOptions } from '@sigwire/core'
import type { WebAccessApprovalHandler, WebAccessState } from '../auth/web-access.js'

/**
 * Advanced Data Protection (docs/protocols/icloud.md §5.5, §13): whether web access is approved, the
 * approval on a trusted device, and the PCS cookies the `pcsRequired` services need. The client does
 * all of it by itself when a service answers 423; these calls are for doing it ahead of time.
 */
export interface WebAccessApi {
  /** `requestWebAccessState`: Advanced Data Protection on or off, and whether web access is approved. */
  state(options?: CallOptions): Promise<WebAccessState>
  /**
   * Asks the trusted devices to approve web access (`enableDeviceConsentForPCS`), tells the callback,
   * and waits until a device approved. Returns at once when no approval is needed.
   */
  approve(
    options?: CallOptions & {
      /** Told when the devices were asked; default the client's `onWebAccessApproval`. */
      onWebAccessApproval?: WebAccessApprovalHandler
      /** Between two checks, ms; default the client's `webAccessTiming.intervalMs`. `timeoutMs`: how long to wait. */
      intervalMs?: number
    },
  ): Promise<WebAccessState>
  /** `requestPCS` until Apple sets the PCS cookies of `app` (they are saved with the session). */
  requestCookies(
    app: 'photos' | 'iclouddrive',
    options?: CallOptions & {
      /** Between two checks, ms; default the client's `webAccessTiming.intervalMs`. `timeoutMs`: how long to wait. */
      intervalMs?: number
    },
  ): Promise<void>
}
