import { appleNewsTokens, parseAppleNewsSecret } from '@sigwire/apple-news'
import {
  type AppleNewsVerifyResult,
  type DiagnoseAppleNewsInput,
  diagnoseAppleNewsRequest,
  parseAppleNewsAuthorization,
  verifyAppleNewsRequest,
} from '@sigwire/apple-news/doctor'
import {
  type Diagnosis,
  formatIsoSeconds,
  hmacSha256,
  type ReceivedRequest,
  receivedHeader,
  renderTokens,
  type Token,
  toBase64,
  traceTokens,
} from '@sigwire/core'
import { type VerifyReport, verifyReport } from '../../output/render.js'
import { appleNewsOneByteEdit } from './one-byte.js'

/** The token each finding of `diagnoseAppleNewsRequest` is about; the others are about the key. */
const TOKEN_OF_FINDING: Readonly<Record<string, string>> = {
  'method-not-signed-as-sent': 'method',
  'url-missing-scheme': 'url',
  'query-not-signed': 'url',
  'url-not-signed-as-sent': 'url',
  'date-not-signed-verbatim': 'date',
  'content-type-not-signed': 'content-type',
  'signed-body-differs': 'body',
}

/** What `verify` and `doctor` know about the request and the secret that should have signed it. */
export interface AppleNewsCheck {
  readonly request: ReceivedRequest
  readonly secret: string
  readonly publicOrigin: string
  readonly now: Date
  readonly windowSeconds: number
}

/**
 * Verifies as Apple does; when the signature does not match, names the token that differs. An HMAC
 * cannot say which input changed, so the doctor's candidate search (known mistakes) runs first, then
 * a search over one-byte edits of the string; failing both, the signatures themselves are shown.
 * `onProgress` hears how far the one-byte search is (it takes seconds on long strings).
 */
export async function verifyAndExplain(
  check: AppleNewsCheck,
  keyId?: string,
  onProgress?: (fraction: number) => void,
): Promise<VerifyReport> {
  const secret = parseAppleNewsSecret(check.secret)
  const lookup = (id: string) =>
    keyId === undefined || id.toLowerCase() === keyId.toLowerCase() ? secret : undefined
  const options = { publicOrigin: check.publicOrigin, now: check.now, windowSeconds: check.windowSeconds }
  const result = await verifyAppleNewsRequest(check.request, lookup, options)
  if (result.ok || result.reason !== 'WRONG_SIGNATURE' || result.tokens === undefined)
    return verifyReport(result, fallbackSides(result, check.now))
  const tokens = result.tokens
  const provided = parseAppleNewsAuthorization(receivedHeader(check.request, 'authorization'))
  const signature = provided.ok ? (provided.params.signature ?? '') : ''
  const signatures = { expected: toBase64(hmacSha256(secret.key, renderTokens(tokens))), actual: signature }

  const finding = diagnoseAppleNewsRequest({
    ...options,
    request: check.request,
    secret: check.secret,
  }).findings.find((f) => f.severity === 'error')
  const label = finding === undefined ? undefined : TOKEN_OF_FINDING[finding.code]
  if (finding && label)
    // The candidate that matched is described in the message; the token as received is what was expected.
    return {
      ok: false,
      reason: result.reason,
      message: finding.message,
      failedToken: { label, expected: tokenText(tokens, label), actual: '' },
    }
  if (finding?.code === 'secret-mismatch') {
    const edited = appleNewsOneByteEdit(tokens, secret, signature, onProgress)
    if (edited) {
      const named = await verifyAppleNewsRequest(check.request, lookup, { ...options, clientTokens: edited })
      return verifyReport(named)
    }
  }
  return {
    ok: false,
    reason: result.reason,
    message: finding?.message ?? result.message,
    failedToken: { label: 'signature', ...signatures },
  }
}

/**
 * `diagnoseAppleNewsRequest`, and when it finds no known mistake behind the signature, the one-byte
 * search: a found string is handed back to the doctor as the client's string, so it names the token
 * with its own finding and fix. `onProgress` hears how far the one-byte search is.
 */
export function diagnoseAndExplain(
  input: DiagnoseAppleNewsInput & { publicOrigin: string },
  onProgress?: (fraction: number) => void,
): Diagnosis {
  const diagnosis = diagnoseAppleNewsRequest(input)
  if (input.secret === undefined || input.signedString !== undefined) return diagnosis
  if (!diagnosis.findings.some((f) => f.code === 'secret-mismatch')) return diagnosis
  const parsed = parseAppleNewsAuthorization(receivedHeader(input.request, 'authorization'))
  if (!parsed.ok) return diagnosis
  const request = input.request
  const expected = appleNewsTokens({
    method: request.method,
    url: input.publicOrigin + request.target,
    date: parsed.params.date ?? '',
    contentType: receivedHeader(request, 'content-type'),
    body: request.body,
  })
  const edited = appleNewsOneByteEdit(expected, input.secret, parsed.params.signature ?? '', onProgress)
  return edited ? diagnoseAppleNewsRequest({ ...input, signedString: renderTokens(edited) }) : diagnosis
}

function tokenText(tokens: readonly Token[], label: string): string {
  return traceTokens(tokens).find((t) => t.label === label)?.text ?? ''
}

/** For failures before the signature check: the value that failed (a date: next to the server's time). */
function fallbackSides(result: AppleNewsVerifyResult, now: Date): { expected: string; actual: string } {
  if (result.ok) return { expected: '', actual: '' }
  if (result.token === 'date') return { expected: formatIsoSeconds(now), actual: result.date ?? '' }
  return { expected: '', actual: result.token === 'key' ? (result.keyId ?? '') : '' }
}
