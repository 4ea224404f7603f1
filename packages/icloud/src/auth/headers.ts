import type { ICloudEndpoints } from '../constants.js'
import {
  CLIENT_BUILD_NUMBER,
  CLIENT_MASTERING_NUMBER,
  IDMSA_ORIGIN,
  USER_AGENT,
  WIDGET_KEY,
} from '../constants.js'
import type { SessionState } from '../session/state.js'

/** Which IDMSA header profile a call uses (docs/protocols/icloud.md §2.2). */
export type IdmsaCallKind = 'signin' | 'mfa'

/**
 * Headers of an IDMSA call. Sign-in calls carry the IDMSA Origin, `X-Apple-I-FD-Client-Info` and
 * `X-Apple-Auth-Attributes`. The 2026 rule for `verify/*` and `2sv/trust` (steilerDev PR #1104, after
 * iOS 26.4): Origin/Referer of the iCloud web app, and neither FD client info nor auth attributes.
 */
export function idmsaHeaders(
  state: SessionState,
  endpoints: ICloudEndpoints,
  oauthState: string,
  kind: IdmsaCallKind,
): Record<string, string | undefined> {
  const common: Record<string, string | undefined> = {
    accept: 'application/json, text/javascript',
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-apple-oauth-client-id': WIDGET_KEY,
    'x-apple-oauth-client-type': 'firstPartyAuth',
    'x-apple-oauth-redirect-uri': endpoints.homeUrl,
    'x-apple-oauth-require-grant-code': 'true',
    'x-apple-oauth-response-mode': 'web_message',
    'x-apple-oauth-response-type': 'code',
    'x-apple-oauth-state': oauthState,
    'x-apple-widget-key': WIDGET_KEY,
    'x-apple-frame-id': oauthState,
    'x-requested-with': 'XMLHttpRequest',
    scnt: state.scnt,
    'x-apple-id-session-id': state.sessionId,
  }
  if (kind === 'mfa') return { ...common, origin: endpoints.homeUrl, referer: `${endpoints.homeUrl}/` }
  return {
    ...common,
    origin: IDMSA_ORIGIN,
    referer: `${IDMSA_ORIGIN}/`,
    'x-apple-i-fd-client-info': JSON.stringify({
      U: USER_AGENT,
      L: 'en-US',
      Z: 'GMT+00:00',
      V: '1.1',
      F: '',
    }),
    'x-apple-auth-attributes': state.authAttributes,
  }
}

/** Headers of setup and service calls: the web app's Origin and Referer (docs/protocols/icloud.md §8). */
export function webHeaders(
  endpoints: ICloudEndpoints,
  contentType?: string,
): Record<string, string | undefined> {
  return {
    accept: 'application/json, text/javascript, */*; q=0.01',
    'content-type': contentType,
    'user-agent': USER_AGENT,
    origin: endpoints.homeUrl,
    referer: `${endpoints.homeUrl}/`,
  }
}

/** The common query parameters of setup and service calls (§2.1, §8). `dsid` once signed in. */
export function commonQuery(state: SessionState): Record<string, string | undefined> {
  return {
    clientBuildNumber: CLIENT_BUILD_NUMBER,
    clientMasteringNumber: CLIENT_MASTERING_NUMBER,
    clientId: state.clientId,
    dsid: state.dsid,
  }
}
