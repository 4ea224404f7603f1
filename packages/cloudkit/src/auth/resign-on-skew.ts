import { firstHeader, SkewClock, type Transport, type TransportResponse } from '@sigwire/core'
import { HEADER_DATE, RESIGN_SKEW_MS } from '../constants.js'

/**
 * CloudKit's authentication hook around one server-to-server call (the shape of octokit's auth
 * hooks): a 401 whose `Date` header is further than {@link RESIGN_SKEW_MS} from the date that was
 * signed is clock skew, not a bad key, so the clock is set to the server's and the call is sent once
 * more (signed again with the corrected date). Any other answer is returned as it is. A 401 means
 * CloudKit did not act on the request, so sending it again is safe even for a write.
 */
export async function resignOnSkew(
  transport: Transport,
  send: () => Promise<TransportResponse>,
): Promise<TransportResponse> {
  const response = await send()
  if (response.status !== 401 || !(transport.clock instanceof SkewClock)) return response
  const serverMs = Date.parse(firstHeader(response.headers.date) ?? '')
  const signedMs = Date.parse(response.request.headers[HEADER_DATE] ?? '')
  // The Date header truncates to the second: the server's time lies within [serverMs, serverMs + 1000).
  if (
    !Number.isFinite(serverMs) ||
    !Number.isFinite(signedMs) ||
    Math.abs(serverMs + 500 - signedMs) <= RESIGN_SKEW_MS
  )
    return response
  transport.clock.syncTo(serverMs + 500)
  return send()
}
