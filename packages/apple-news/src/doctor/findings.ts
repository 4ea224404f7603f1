import { type Finding, findingCatalog } from '@sigwire/core/doctor'

/**
 * The stable finding codes of `diagnoseAppleNewsRequest`. The first ten name the mistakes of
 * docs/protocols/apple-news.md §5; the last three cover what those cannot: a method signed in another
 * form, an Authorization header that does not parse, and a signature no known mistake explains.
 */
export const APPLE_NEWS_FINDING_CODES = [
  'secret-not-base64-decoded',
  'url-missing-scheme',
  'query-not-signed',
  'url-not-signed-as-sent',
  'content-type-not-signed',
  'signed-body-differs',
  'date-not-signed-verbatim',
  'date-offset-form',
  'clock-skew',
  'key-not-uuid',
  'method-not-signed-as-sent',
  'authorization-malformed',
  'secret-mismatch',
] as const

/** One of {@link APPLE_NEWS_FINDING_CODES}. */
export type AppleNewsFindingCode = (typeof APPLE_NEWS_FINDING_CODES)[number]

/** An Apple News finding. */
export type AppleNewsFinding = Finding<AppleNewsFindingCode>

const FIXES: Record<AppleNewsFindingCode, string> = {
  'secret-not-base64-decoded':
    'Key the HMAC with the base64-decoded secret bytes (Buffer.from(secret, "base64")), not the secret text; with openssl use -mac HMAC -macopt hexkey:<hex of the decoded bytes>.',
  'url-missing-scheme':
    'Sign the full URL including "https://": method + "https://news-api.apple.com/..." + date.',
  'query-not-signed': 'Sign the URL with its query string ("?pageSize=2&...") exactly as it is sent.',
  'url-not-signed-as-sent':
    'Sign the exact URL the request is sent to: same scheme and host (no port), same path, same query in the same order and encoding.',
  'content-type-not-signed':
    'For a request with a body, sign the exact Content-Type header value that is sent (boundary and parameters included), and nothing for GET/DELETE; set the header yourself after choosing the boundary, never let a library change it after signing.',
  'signed-body-differs':
    'Sign the body bytes exactly as sent: serialize JSON or build the multipart body once and send those same bytes.',
  'date-not-signed-verbatim':
    'Put the same date string in the Authorization header that you signed; format it once and reuse it.',
  'date-offset-form':
    'Apple documents the form 2026-03-14T15:09:26Z; an offset such as +00:00 is accepted when signed as sent, but "Z" is the safe choice.',
  'clock-skew':
    "Synchronise the client's clock (NTP); Apple rejects dates more than 5 minutes away (DATE_NOT_RECENT).",
  'key-not-uuid':
    'Use the API Key ID shown in News Publisher (a UUID) as key=, not the channel ID or the secret.',
  'method-not-signed-as-sent': 'Sign the HTTP method in capitals exactly as sent: GET, POST, DELETE.',
  'authorization-malformed':
    'Send "Authorization: HHMAC; key=<key id>; signature=<base64 signature>; date=<date>" with the full 44-character signature.',
  'secret-mismatch':
    'Re-copy the API Key Secret of this key from News Publisher; check that the key ID and the secret belong to the same key.',
}

/** The string-to-sign token each finding is about; the others are about the key or the header. */
const TOKENS: Partial<Record<AppleNewsFindingCode, string>> = {
  'method-not-signed-as-sent': 'method',
  'url-missing-scheme': 'url',
  'query-not-signed': 'url',
  'url-not-signed-as-sent': 'url',
  'date-not-signed-verbatim': 'date',
  'date-offset-form': 'date',
  'clock-skew': 'date',
  'content-type-not-signed': 'content-type',
  'signed-body-differs': 'body',
}

/** The Apple News doctor's findings: codes, standard fixes and the tokens they are about. */
export const APPLE_NEWS_FINDINGS = findingCatalog(
  APPLE_NEWS_FINDING_CODES,
  Object.fromEntries(
    APPLE_NEWS_FINDING_CODES.map((code) => [
      code,
      TOKENS[code] === undefined ? { fix: FIXES[code] } : { fix: FIXES[code], token: TOKENS[code] },
    ]),
  ) as Record<AppleNewsFindingCode, { fix: string; token?: string }>,
)

/** Builds a finding with its standard fix and token. */
export function finding(
  code: AppleNewsFindingCode,
  message: string,
  severity: 'error' | 'note' = 'error',
): AppleNewsFinding {
  return APPLE_NEWS_FINDINGS.finding(code, message, { severity })
}
