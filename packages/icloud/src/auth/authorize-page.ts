import { WIDGET_KEY } from '../constants.js'
import { ICloudError } from '../errors.js'
import { throttledError } from '../session/http.js'
import type { AuthContext } from './context.js'

/**
 * Loads the sign-in page, `GET {auth}/authorize/signin` with the OAuth parameters in the query, as the
 * web app's iframe does before `signin/init` (docs/protocols/icloud.md §3.1, §12; timlaing/pyicloud
 * `_srp_authentication`, rclone `SignIn`). It opens the idmsa conversation: `scnt`,
 * `X-Apple-ID-Session-Id`, `X-Apple-Auth-Attributes` and the `aasp` cookie, which the sign-in then
 * continues. A page load carries no widget-key or OAuth headers.
 */
export async function loadAuthorizePage(ctx: AuthContext): Promise<void> {
  const response = await ctx.http.call({
    method: 'GET',
    url: `${ctx.endpoints.authUrl}/authorize/signin`,
    purpose: 'authorize/signin',
    query: {
      frame_id: ctx.oauthState,
      skVersion: '7',
      iframeid: ctx.oauthState,
      client_id: WIDGET_KEY,
      response_type: 'code',
      redirect_uri: ctx.endpoints.homeUrl,
      response_mode: 'web_message',
      state: ctx.oauthState,
      authVersion: 'latest',
    },
    headers: {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      referer: `${ctx.endpoints.homeUrl}/`,
    },
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (response.status === 200) return
  if (response.status === 503 || response.status === 429) throw throttledError(response, 'authorize/signin')
  throw new ICloudError({
    code: 'SIGNIN_FAILED',
    status: response.status,
    message: `The sign-in page (authorize/signin) answered HTTP ${response.status}; the sign-in cannot start.`,
  })
}
