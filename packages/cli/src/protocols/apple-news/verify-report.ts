import { parseAppleNewsSecret } from '@sigwire/apple-news'
import {
  type AppleNewsVerifyResult,
  diagnoseAppleNewsRequest,
  parseAppleNewsAuthorization,
  verifyAppleNewsRequest,
} from '@sigwire/apple-news/doctor'
import { formatIsoSeconds, type ReceivedRequest, receivedHeader, traceTokens } from '@sigwire/core'
import { type VerifyReport, verifyReport } from '../../output/render.js'

/** What `verify` knows about the request and the secret that should have signed it. */
export interface AppleNewsCheck {
  readonly request: ReceivedRequest
  readonly secret: string
  readonly publicOrigin: string
  readonly now: Date
  readonly windowSeconds: number
}

/**
 * The `verify apple-news` report: the verifier's verdict, and for a wrong signature the token the
 * doctor names (an HMAC cannot say which input changed; the doctor's searches can), else the two
 * signatures side by side.
 */
export function appleNewsVerifyReport(
  check: AppleNewsCheck,
  keyId?: string,
  onProgress?: (fraction: number) => void,
): VerifyReport {
  const secret = parseAppleNewsSecret(check.secret)
  const lookup = (id: string) =>
    keyId === undefined || id.toLowerCase() === keyId.toLowerCase() ? secret : undefined
  const options = { publicOrigin: check.publicOrigin, now: check.now, windowSeconds: check.windowSeconds }
  const result = verifyAppleNewsRequest(check.request, { ...options, secret: lookup })
  if (result.ok || result.reason !== 'WRONG_SIGNATURE' || result.stringToSign === undefined)
    return verifyReport(result, fallbackSides(result, check.now))
  const diagnosis = diagnoseAppleNewsRequest({
    ...options,
    request: check.request,
    secret: check.secret,
    ...(onProgress ? { onProgress } : {}),
  })
  const finding = diagnosis.findings.find((f) => f.severity === 'error')
  const message = finding?.message ?? result.message
  const diff = diagnosis.firstDifference
  if (diff)
    return {
      ok: false,
      reason: result.reason,
      message,
      failedToken: { label: diff.label, expected: diff.expected.text, actual: diff.actual.text },
    }
  if (finding?.token !== undefined)
    return {
      ok: false,
      reason: result.reason,
      message,
      failedToken: {
        label: finding.token,
        expected:
          traceTokens(result.stringToSign.tokens()).find((t) => t.label === finding.token)?.text ?? '',
        actual: '',
      },
    }
  const provided = parseAppleNewsAuthorization(receivedHeader(check.request, 'authorization'))
  return {
    ok: false,
    reason: result.reason,
    message,
    failedToken: {
      label: 'signature',
      expected: result.stringToSign.signature(secret.key) as string,
      actual: provided.ok ? (provided.params.signature ?? '') : '',
    },
  }
}

/** For failures before the signature check: the value that failed (a date: next to the server's time). */
function fallbackSides(result: AppleNewsVerifyResult, now: Date): { expected: string; actual: string } {
  if (result.ok) return { expected: '', actual: '' }
  if (result.token === 'date') return { expected: formatIsoSeconds(now), actual: result.date ?? '' }
  return { expected: '', actual: result.token === 'key' ? (result.keyId ?? '') : '' }
}
