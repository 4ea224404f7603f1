import { type Finding, findingCatalog } from '@sigwire/core/doctor'
import { TOKEN } from '../signing/string-to-sign.js'

/**
 * The CloudKit doctor's finding codes (docs/protocols/cloudkit.md §6), in the order findings are reported:
 * mistakes inside the message first, in message order (layout, date, body hash, request-target), then
 * the signature's encoding, then everything outside the message. The shared vectors'
 * `expectedDiagnosis` is the first of these. Stable: match on them; the messages may improve.
 */
export const CLOUDKIT_FINDING_CODES = [
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
] as const

/** One of {@link CLOUDKIT_FINDING_CODES}. */
export type CloudKitFindingCode = (typeof CLOUDKIT_FINDING_CODES)[number]

/** One doctor finding with a CloudKit code. */
export type CloudKitFinding = Finding<CloudKitFindingCode>

const CATALOG = findingCatalog(CLOUDKIT_FINDING_CODES, {
  'signed-body-differs': {
    fix: 'Hash the exact bytes you send: serialize the body once (JSON.stringify), send that string as UTF-8, and hash the same bytes. Never hash a language-native dump (Ruby inspect, Python repr) or a second serialization.',
    token: TOKEN.bodyHash,
  },
  'hash-hex-not-base64': {
    fix: 'Encode the 32 raw SHA-256 bytes with standard base64 (44 characters ending in "="), not the hex digest and not base64 of the hex text.',
    token: TOKEN.bodyHash,
  },
  'host-in-subpath': {
    fix: 'Sign only the request-target: the path from /database/1/... plus ?query, without https:// and the host.',
    token: TOKEN.target,
  },
  'wrong-token-order': {
    fix: 'Build the message as exactly three fields: <ISO8601 date>:<base64 body hash>:<request-target>.',
  },
  'method-in-message': {
    fix: 'Leave the HTTP method out of the message; CloudKit signs date, body hash and target only.',
  },
  'signature-not-der': {
    fix: 'Send base64 of the DER-encoded ECDSA P-256 signature over SHA-256 (Node crypto.sign("sha256", ...) with dsaEncoding "der", CryptoKit derRepresentation, python-ecdsa sigencode_der with hashfunc=sha256).',
    token: 'signature',
  },
  'date-has-milliseconds': {
    fix: 'Format the date as YYYY-MM-DDTHH:MM:SSZ without milliseconds (toISOString().slice(0, 19) + "Z"), once, and use that string in the header and the message.',
    token: TOKEN.date,
  },
  'date-not-utc': {
    fix: 'Express the date in UTC with a literal Z (YYYY-MM-DDTHH:MM:SSZ), and put the identical string in the header and the message.',
    token: TOKEN.date,
  },
  'query-not-signed': {
    fix: 'Sign the request-target with its query string exactly as sent (path + "?" + raw query).',
    token: TOKEN.target,
  },
  'clock-skew': {
    fix: "Synchronize the client's clock (NTP), or sign with the server's time learned from the Date header.",
    token: TOKEN.date,
  },
  'wrong-key': {
    fix: 'Sign with the private key whose public key is registered in CloudKit Dashboard for this container and environment, and send that key ID.',
    token: 'key-id',
  },
  'missing-header': {
    fix: 'Send all three headers: X-Apple-CloudKit-Request-KeyID, X-Apple-CloudKit-Request-ISO8601Date and X-Apple-CloudKit-Request-SignatureV1.',
  },
  'environment-invalid': {
    fix: 'Use the environment "development" or "production", in lower case.',
  },
  's2s-on-user-database': {
    fix: "Server-to-server keys reach only the public database. For private or shared data, use an API token with the user's web auth token (ckAPIToken + ckWebAuthToken).",
  },
})

/** Builds a finding with the catalogue's fix (and token) for `code`. */
export function finding(
  code: CloudKitFindingCode,
  message: string,
  severity: 'error' | 'note' = 'error',
): CloudKitFinding {
  return CATALOG.finding(code, message, { severity })
}

/** Findings in report order ({@link CLOUDKIT_FINDING_CODES}), keeping the first finding of each code. */
export function orderFindings(findings: readonly CloudKitFinding[]): CloudKitFinding[] {
  return CATALOG.settle(findings, { oncePerCode: true, byCode: true })
}
