import { firstHeader, SkewClock, type Transport, type TransportResponse } from '@sigwire/core'
import { DATE_WINDOW_SECONDS } from '../constants.js'
import { parseAppleNewsAuthorization } from '../signing/authorization.js'

/**
 * Apple News's authentication hook around one call (the shape of octokit's auth hooks): a 401 whose
 * `Date` header is more than the protocol's 5-minute window from the date that was signed
 * (`DATE_NOT_RECENT`, §1.3) is clock skew, not a bad key, so the clock is set to Apple's and the call
 * is sent once more, signed again. Any other answer is returned as it is. A 401 means Apple did not
 * act on the request, so sending it again is safe even for a create.
 */
export async function resignOnSkew(
  transport: Transport,
  send: () => Promise<TransportResponse>,
): Promise<TransportResponse> {
  const response = await send()
  if (response.status !== 401 || !(transport.clock instanceof SkewClock)) return response
  const serverMs = Date.parse(firstHeader(response.headers.date) ?? '')
  const parsed = parseAppleNewsAuthorization(response.request.headers.authorization)
  const signedMs = Date.parse(parsed.ok ? (parsed.params.date ?? '') : '')
  // The Date header truncates to the second: Apple's time lies within [serverMs, serverMs + 1000).
  if (
    !Number.isFinite(serverMs) ||
    !Number.isFinite(signedMs) ||
    Math.abs(serverMs + 500 - signedMs) <= DATE_WINDOW_SECONDS * 1000
  )
    return response
  transport.clock.syncTo(serverMs + 500)
  return send()
}
