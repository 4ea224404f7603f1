import { randomUUID } from 'node:crypto'
import type { SerializedCookieJar } from 'tough-cookie'
import type { ICloudEndpoints } from '../constants.js'

/** One entry of the account document's `webservices` map (docs/protocols/icloud.md §5.1). */
export interface WebService {
  /** Base URL, e.g. `https://p61-contactsws.icloud.com:443`. */
  readonly url: string
  /** `active` when usable. */
  readonly status?: string
  /** True for services that need Advanced Data Protection (PCS) cookies. */
  readonly pcsRequired?: boolean
  /** Upload base, for the services that have one. */
  readonly uploadUrl?: string
}

/** Which hosts the account lives on. */
export type ICloudRegion = 'global' | 'cn'

/**
 * Everything a session needs to continue without signing in again (docs/protocols/icloud.md §6.2). It
 * never holds the password, the SRP secret `a`, K, or a grant code.
 */
export interface SessionState {
  /** Format version of this object. */
  version: 1
  /** The Apple ID, trimmed and lower-cased (the SRP account name). */
  appleId: string
  /** Region of the hosts. */
  region: ICloudRegion
  /** A UUID made once and kept (the `clientId` query parameter). */
  clientId: string
  /** `X-Apple-Session-Token`: the `dsWebAuthToken` of `accountLogin`. */
  sessionToken?: string
  /** `X-Apple-TwoSV-Trust-Token`: skips two-factor while the trust lasts. */
  trustToken?: string
  /** IDMSA conversation headers. */
  scnt?: string
  /** `X-Apple-ID-Session-Id` of the last idmsa answer, sent back on the next idmsa calls (§2.3). */
  sessionId?: string
  /** `X-Apple-Auth-Attributes` of the last idmsa answer, sent back on the sign-in calls (§2.3). */
  authAttributes?: string
  /** `X-Apple-ID-Account-Country`, sent as `accountCountryCode`. */
  accountCountry?: string
  /** `X-Apple-TwoSV-Trust-Eligible` of the last idmsa answer (`true` when `2sv/trust` may be called). */
  trustEligible?: string
  /** The account's `dsid`, added to service calls. */
  dsid?: string
  /** The `webservices` map of the last account document. */
  webservices?: Record<string, WebService>
  /** The cookie jar (both `.apple.com` and `.icloud.com` cookies, attributes kept). */
  cookies?: SerializedCookieJar
  /**
   * The hosts the session was last used at (written on every save), so that a tool can continue it
   * without being told the hosts again (an emulator's, or the China mainland ones).
   */
  endpoints?: ICloudEndpoints
  /** The last push token, when one was requested. */
  push?: {
    /** The push token (64 hex characters), the `tok` of the webcourier poll. */
    token: string
    /** The token's lifetime in seconds (`pushTokenTTL`, 43200 by default). */
    ttl: number
    /** The topics registered for the token. */
    topics: string[]
    /** The long-poll URL `getToken` answered (`https://webcourier.push.apple.com/aps`). */
    webCourierUrl: string
  }
  /** When the state was last written (ISO 8601). */
  savedAt?: string
  /**
   * When the session was last obtained by signing in or re-authenticating (ISO 8601): a process of a
   * fleet whose session is older adopts the newer one instead of signing in again.
   */
  authenticatedAt?: string
}

/** A fresh state for `appleId`. */
export function newSessionState(appleId: string, region: ICloudRegion = 'global'): SessionState {
  return { version: 1, appleId: normalizeAppleId(appleId), region, clientId: randomUUID() }
}

/**
 * The account name as hashed into M1 and sent in `accountName`: trimmed and lower-cased, so the same
 * bytes are hashed and sent (rclone 4a00a4dc4; docs/protocols/icloud.md §3.3).
 */
export function normalizeAppleId(appleId: string): string {
  return appleId.trim().toLowerCase()
}
