import type { TransportResponse } from '@sigwire/core'
import { AppleNewsError, type AppleNewsErrorCode, type AppleNewsErrorItem } from '../errors.js'

const AUTH_ADVICE: Record<string, string> = {
  WRONG_SIGNATURE:
    'the signature did not match what Apple computed. Check that the secret is the API Key Secret of this key exactly as News Publisher shows it (sigwire decodes it), that the URL, Content-Type and body were not changed after signing (a proxy, a middleware), and run `sigwire doctor` on the request to see which token differs',
  DATE_NOT_RECENT:
    "the signed date is more than 5 minutes from Apple's clock (sigwire re-signed once with the server's time); fix the system clock (NTP)",
  API_KEY_NOT_FOUND:
    'Apple does not know this API key ID; it may have been revoked. Create a new key in News Publisher',
  INVALID_API_KEY_FORMAT: 'the key ID is not a UUID',
  UNAUTHORIZED: 'the request carried no Authorization header (a proxy may have removed it)',
}

/** Turns an error response into an {@link AppleNewsError} that keeps every item of `{"errors":[...]}`. */
export function responseError(response: TransportResponse, what: string): AppleNewsError {
  const errors = parseErrorItems(response.body)
  const codes = errors.map((e) => e.code)
  const first = errors[0]
  const status = response.status
  const listed = codes.length > 0 ? ` (${codes.join(', ')})` : ''
  const detail = first?.message ? `: ${first.message}` : ''
  const base = {
    status,
    errors,
    ...(first ? { serviceCode: first.code } : {}),
    details: { method: response.request.method, attempts: response.attempts },
  }
  let code: AppleNewsErrorCode
  let message: string
  if (status === 401) {
    const advice = AUTH_ADVICE[first?.code ?? ''] ?? 'the Authorization header was not accepted'
    return new AppleNewsError({
      ...base,
      code: 'AUTHENTICATION_FAILED',
      message: `Apple News rejected the authentication of ${what}${listed}: ${advice}.`,
      trace: response.trace,
    })
  }
  if (status === 403) {
    code = 'FORBIDDEN'
    message = `Apple News refused ${what}${listed}: the API key's channel does not own this resource. Use the key of the channel that owns it.`
  } else if (status === 404) {
    code = 'NOT_FOUND'
    message = `Apple News found nothing for ${what}${listed}${detail}.`
  } else if (status === 409 && codes.includes('WRONG_REVISION')) {
    code = 'CONFLICT'
    message = `The article changed since the revision you sent (${what}): read it again and retry the update with its current revision.`
  } else if (status === 429) {
    code = 'THROTTLED'
    message = `Apple News throttled ${what}${listed} after ${response.attempts} attempts; wait and retry, or check the channel's quota.`
  } else if (status >= 500) {
    code = 'SERVICE_ERROR'
    message = `Apple News failed on ${what} with HTTP ${status}${listed} after ${response.attempts} attempts; retry later.`
  } else {
    code = 'REQUEST_REJECTED'
    message = `Apple News rejected ${what} with HTTP ${status}${listed}${detail}${first?.keyPath ? ` at ${JSON.stringify(first.keyPath)}` : ''}.`
  }
  const retryAfter = response.headers['retry-after']
  const seconds =
    typeof retryAfter === 'string' && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined
  return new AppleNewsError({
    ...base,
    code,
    message,
    ...(seconds === undefined ? {} : { retryAfterMs: seconds * 1000 }),
  })
}

function parseErrorItems(body: Uint8Array): AppleNewsErrorItem[] {
  if (body.byteLength === 0) return []
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: unknown }
    if (!Array.isArray(parsed.errors)) return []
    return parsed.errors
      .filter(
        (e): e is Record<string, unknown> =>
          e !== null && typeof e === 'object' && typeof e.code === 'string',
      )
      .map((e) => ({
        code: e.code as string,
        ...(Array.isArray(e.keyPath) ? { keyPath: e.keyPath as Array<string | number> } : {}),
        ...(typeof e.message === 'string' ? { message: e.message } : {}),
        ...('value' in e ? { value: e.value } : {}),
      }))
  } catch {
    return []
  }
}
