import { type BytesToken, bytesToken, textToken } from '@sigwire/core'

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

/** The message as tokens and as the bytes they render to. */
export interface CloudKitMessage {
  readonly tokens: BytesToken[]
  /** The UTF-8 bytes of the whole message; `renderTokens(tokens)` gives the same bytes. */
  readonly bytes: Uint8Array
}

const SEPARATOR: BytesToken = Object.freeze(textToken(TOKEN.separator, ':'))

/**
 * THE CloudKit string-to-sign: `date ":" body-hash ":" request-target` (DOC `SettingUpWebServices`;
 * docs/protocols/cloudkit.md §2.1). The colons inside the date are harmless: the server rebuilds the
 * message from the headers, it never splits it. This is the only place the message is assembled;
 * the signer, the verifier, the doctor and traces all use it.
 *
 * The message is encoded once and each token is a view into it, which keeps signing within a few
 * percent of bare `crypto.sign` (`pnpm bench --only=signing-cloudkit`).
 */
export function cloudKitMessage(parts: StringToSignParts): CloudKitMessage {
  const bytes = Buffer.from(`${parts.date}:${parts.bodyHash}:${parts.target}`, 'utf8')
  const dateEnd = Buffer.byteLength(parts.date, 'utf8')
  const hashEnd = dateEnd + 1 + Buffer.byteLength(parts.bodyHash, 'utf8')
  return {
    tokens: [
      bytesToken(TOKEN.date, bytes.subarray(0, dateEnd)),
      SEPARATOR,
      bytesToken(TOKEN.bodyHash, bytes.subarray(dateEnd + 1, hashEnd)),
      SEPARATOR,
      bytesToken(TOKEN.target, bytes.subarray(hashEnd + 1)),
    ],
    bytes,
  }
}

/** The token list of {@link cloudKitMessage}. */
export function cloudKitStringToSign(parts: StringToSignParts): BytesToken[] {
  return cloudKitMessage(parts).tokens
}
