import type { ICloudEndpoints } from '../constants.js'
import type { HostPolicy } from './host-policy.js'
import type { WebService } from './state.js'

/**
 * The exact origins (scheme, host, port) that may receive the session cookies: the client's own idmsa
 * and setup endpoints, and the `url` and `uploadUrl` of each service of the last verified account
 * document that passes the host policy (docs/protocols/icloud.md §1.2). Anything else, another port of
 * the same host included, gets no cookie.
 */
export function cookieOrigins(
  policy: HostPolicy,
  endpoints: Pick<ICloudEndpoints, 'authUrl' | 'setupUrl'>,
  webservices: Readonly<Record<string, WebService>> | undefined,
): Set<string> {
  const origins = new Set<string>()
  const add = (url: string | undefined, purpose: string) => {
    if (url === undefined) return
    try {
      origins.add(policy.check(url, purpose).origin)
    } catch {
      // A refused URL never receives anything; calls to it fail with the policy's error.
    }
  }
  add(endpoints.authUrl, 'idmsa')
  add(endpoints.setupUrl, 'setup')
  for (const [name, service] of Object.entries(webservices ?? {})) {
    add(service.url, name)
    add(service.uploadUrl, name)
  }
  return origins
}
