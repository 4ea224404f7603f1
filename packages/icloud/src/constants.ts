/** Protocol constants in one place. Section numbers refer to `docs/protocols/icloud.md`. */

/** Widget key, also the OAuth client id, of the iCloud.com web app (§2.1; every modern client). */
export const WIDGET_KEY = 'd39ba9916b7251055b22c7f910e2ea796ee65e98b2ddecea8f5dde8d9d1a815d'

/** `clientBuildNumber` / `clientMasteringNumber` query parameters (§2.1, values of timlaing/pyicloud). */
export const CLIENT_BUILD_NUMBER = '2534Project66'
/** See {@link CLIENT_BUILD_NUMBER}. */
export const CLIENT_MASTERING_NUMBER = '2534B22'

/** A current desktop Safari User-Agent (§2.1). */
export const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3.1 Safari/605.1.15'

/** The hosts of one region (§1.1). */
export interface ICloudEndpoints {
  /** IDMSA base, `https://idmsa.apple.com/appleauth/auth`. */
  readonly authUrl: string
  /** Setup base, `https://setup.icloud.com/setup/ws/1`. */
  readonly setupUrl: string
  /** The web app's origin, sent as `Origin`/`Referer` and as the OAuth redirect URI. */
  readonly homeUrl: string
}

/** Global hosts (§1.1). */
export const GLOBAL_ENDPOINTS: ICloudEndpoints = {
  authUrl: 'https://idmsa.apple.com/appleauth/auth',
  setupUrl: 'https://setup.icloud.com/setup/ws/1',
  homeUrl: 'https://www.icloud.com',
}

/**
 * China mainland hosts (§1.1, DECISION): global IDMSA with the `.cn` redirect URI, `.cn` setup and
 * home hosts (newest maintained evidence, timlaing/pyicloud #285). `idmsa.apple.com.cn` can be set
 * through `endpoints.authUrl`.
 */
export const CHINA_ENDPOINTS: ICloudEndpoints = {
  authUrl: 'https://idmsa.apple.com/appleauth/auth',
  setupUrl: 'https://setup.icloud.com.cn/setup/ws/1',
  homeUrl: 'https://www.icloud.com.cn',
}

/** The IDMSA origin, sent as `Origin` and `Referer` on sign-in calls (§2.2). */
export const IDMSA_ORIGIN = 'https://idmsa.apple.com'

/** Host suffixes that may receive cookies and tokens (§1.2). */
export const DEFAULT_ALLOWED_HOST_SUFFIXES: readonly string[] = ['icloud.com', 'icloud.com.cn', 'apple.com']

/**
 * Hosts that get no cookies although they sit under an allowed suffix: they carry their own token
 * (webcourier) or signature (content hosts) (§1.2).
 */
export const COOKIELESS_HOST_SUFFIXES: readonly string[] = [
  'push.apple.com',
  'icloud-content.com',
  'icloud-content.com.cn',
]

/** The web app's statistics host. sigwire never contacts it (§1.3). */
export const TELEMETRY_HOSTS: readonly string[] = ['feedbackws.icloud.com', 'feedbackws.icloud.com.cn']

/** The session cookie every service call needs (§6.1). */
export const WEBAUTH_TOKEN_COOKIE = 'X-APPLE-WEBAUTH-TOKEN'

/** Response headers harvested from every IDMSA response and the state field each one fills (§2.3). */
export const HARVESTED_HEADERS = {
  scnt: 'scnt',
  'x-apple-id-session-id': 'sessionId',
  'x-apple-auth-attributes': 'authAttributes',
  'x-apple-session-token': 'sessionToken',
  'x-apple-twosv-trust-token': 'trustToken',
  'x-apple-id-account-country': 'accountCountry',
  'x-apple-twosv-trust-eligible': 'trustEligible',
} as const

/** Service error codes (§7). */
export const SERVICE_ERRORS = {
  wrongPassword: ['-20101', '-20283'],
  wrongCode: '-21669',
} as const

/** Statuses that mean "sign in again" on a web service call (§6.4). */
export const REAUTH_STATUSES: ReadonlySet<number> = new Set([421, 450])
