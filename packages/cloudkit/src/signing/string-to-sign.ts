import { type BytesToken, textToken } from '@sigwire/core'

/** Labels of the string-to-sign's tokens, as shown in traces, diffs and verifier results. */
export const TOKEN = {
  date: 'date',
  separator: ':',
  bodyHash: 'body-hash',
  target: 'request-target',
} as const

/** The three values a CloudKit server-to-server signature covers. */
export interface StringToSignParts {
  /** The `X-Apple-CloudKit-Request-ISO8601Date` header value, verbatim (`2016-01-25T22:15:43Z`). */
  readonly date: string
  /** base64 SHA-256 of the exact body bytes sent (of zero bytes when there is no body). */
  readonly bodyHash: string
  /** The request-target exactly as sent: path plus `?query`, no scheme, no host. */
  readonly target: string
}

const SEPARATOR: BytesToken = Object.freeze(textToken(TOKEN.separator, ':'))

/**
 * THE CloudKit string-to-sign: `date ":" body-hash ":" request-target` (DOC `SettingUpWebServices`;
 * protocols/cloudkit.md §2.1). The colons inside the date are harmless: the server rebuilds the
 * message from the headers, it never splits it. This is the only place the message is assembled;
 * the signer, the verifier, the doctor and traces all use it.
 */
export function cloudKitStringToSign(parts: StringToSignParts): BytesToken[] {
  return [
    textToken(TOKEN.date, parts.date),
    SEPARATOR,
    textToken(TOKEN.bodyHash, parts.bodyHash),
    SEPARATOR,
    textToken(TOKEN.target, parts.target),
  ]
}
