import type { Finding } from '@sigwire/core'

/**
 * Stable finding codes of the CloudKit doctor (docs/protocols/cloudkit.md §6). Match on them; the messages
 * may improve.
 */
export type CloudKitFindingCode =
  | 'signed-body-differs'
  | 'hash-hex-not-base64'
  | 'host-in-subpath'
  | 'wrong-token-order'
  | 'method-in-message'
  | 'signature-not-der'
  | 'date-has-milliseconds'
  | 'date-not-utc'
  | 'query-not-signed'
  | 'clock-skew'
  | 'wrong-key'
  | 'missing-header'
  | 'environment-invalid'
  | 's2s-on-user-database'

/**
 * The order findings are reported in: mistakes inside the message first, in message order (layout,
 * date, body hash, request-target), then the signature's encoding, then everything outside the
 * message. The shared vectors' `expectedDiagnosis` is the first of these.
 */
export const FINDING_ORDER: readonly CloudKitFindingCode[] = [
  'wrong-token-order',
  'method-in-message',
  'date-has-milliseconds',
  'date-not-utc',
  'hash-hex-not-base64',
  'signed-body-differs',
  'host-in-subpath',
  'query-not-signed',
  'signature-not-der',
  'missing-header',
  'wrong-key',
  'environment-invalid',
  's2s-on-user-database',
  'clock-skew',
]

/** One doctor finding with a CloudKit code. */
export interface CloudKitFinding extends Finding {
  readonly code: CloudKitFindingCode
}

const FIX: Readonly<Record<CloudKitFindingCode, string>> = {
  'signed-body-differs':
    'Hash the exact bytes you send: serialize the body once (JSON.stringify), send that string as UTF-8, and hash the same bytes. Never hash a language-native dump (Ruby inspect, Python repr) or a second serialization.',
  'hash-hex-not-base64':
    'Encode the 32 raw SHA-256 bytes with standard base64 (44 characters ending in "="), not the hex digest and not base64 of the hex text.',
  'host-in-subpath':
    'Sign only the request-target: the path from /database/1/... plus ?query, without https:// and the host.',
  'wrong-token-order':
    'Build the message as exactly three fields: <ISO8601 date>:<base64 body hash>:<request-target>.',
  'method-in-message':
    'Leave the HTTP method out of the message; CloudKit signs date, body hash and target only.',
  'signature-not-der':
    'Send base64 of the DER-encoded ECDSA P-256 signature over SHA-256 (Node crypto.sign("sha256", ...) with dsaEncoding "der", CryptoKit derRepresentation, python-ecdsa sigencode_der with hashfunc=sha256).',
  'date-has-milliseconds':
    'Format the date as YYYY-MM-DDTHH:MM:SSZ without milliseconds (toISOString().slice(0, 19) + "Z"), once, and use that string in the header and the message.',
  'date-not-utc':
    'Express the date in UTC with a literal Z (YYYY-MM-DDTHH:MM:SSZ), and put the identical string in the header and the message.',
  'query-not-signed':
    'Sign the request-target with its query string exactly as sent (path + "?" + raw query).',
  'clock-skew':
    "Synchronize the client's clock (NTP), or sign with the server's time learned from the Date header.",
  'wrong-key':
    'Sign with the private key whose public key is registered in CloudKit Dashboard for this container and environment, and send that key ID.',
  'missing-header':
    'Send all three headers: X-Apple-CloudKit-Request-KeyID, X-Apple-CloudKit-Request-ISO8601Date and X-Apple-CloudKit-Request-SignatureV1.',
  'environment-invalid': 'Use the environment "development" or "production", in lower case.',
  's2s-on-user-database':
    "Server-to-server keys reach only the public database. For private or shared data, use an API token with the user's web auth token (ckAPIToken + ckWebAuthToken).",
}

/** Builds a finding with the catalogue's fix for `code`. */
export function finding(
  code: CloudKitFindingCode,
  message: string,
  severity: 'error' | 'note' = 'error',
): CloudKitFinding {
  return { code, message, fix: FIX[code], severity }
}

/** Sorts findings into {@link FINDING_ORDER}, keeping the first finding of each code. */
export function orderFindings(findings: readonly CloudKitFinding[]): CloudKitFinding[] {
  const byCode = new Map<CloudKitFindingCode, CloudKitFinding>()
  for (const f of findings) if (!byCode.has(f.code)) byCode.set(f.code, f)
  return FINDING_ORDER.flatMap((code) => (byCode.has(code) ? [byCode.get(code)!] : []))
}
