import { type BytesToken, bytesToken, textToken } from '@sigwire/core'

/** Labels of the string-to-sign's tokens, as shown in traces, diffs and verifier results. */
export const TOKEN = {
  /** The `X-Apple-CloudKit-Request-ISO8601Date` value, first in the message. */
  date: 'date',
  /** The `:` between the fields (its label is the colon itself). */
  separator: ':',
  /** The base64 SHA-256 of the body, second in the message. */
  bodyHash: 'body-hash',
  /** The path and query as sent, last in the message. */
  target: 'request-target',
  /** Not part of CloudKit's message: the HTTP method some clients wrongly add (the doctor's layouts). */
  method: 'method',
} as const

/** A field of the message. */
export type CloudKitField = 'date' | 'body-hash' | 'request-target' | 'method'

/** The fields CloudKit signs, in order: `date:body-hash:request-target`. */
export const CLOUDKIT_LAYOUT: readonly CloudKitField[] = [TOKEN.date, TOKEN.bodyHash, TOKEN.target]

/** The three values a CloudKit server-to-server signature covers. */
export interface StringToSignParts {
  /** The `X-Apple-CloudKit-Request-ISO8601Date` header value, verbatim (`2016-01-25T22:15:43Z`). */
  readonly date: string
  /** base64 SHA-256 of the exact body bytes sent (of zero bytes when there is no body). */
  readonly bodyHash: string
  /** The request-target exactly as sent: path plus `?query`, no scheme, no host. */
  readonly target: string
  /** The HTTP method; only a mistaken layout (the doctor's) signs it. */
  readonly method?: string
}

/** The message as tokens and as the bytes they render to. */
export interface CloudKitMessage {
  /** The message as labelled tokens (`date`, `:`, `body-hash`, `:`, `request-target`), for traces, diffs. */
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
 * `layout` exists for the doctor, which rebuilds the message the way a client got it wrong (fields out
 * of order, the method added; §6); signing and verifying always use {@link CLOUDKIT_LAYOUT}. The message
 * is encoded once and each token is a view into it, so signing stays within a few percent of a bare
 * `crypto.sign` (`pnpm bench --only=signing-cloudkit`).
 */
export function cloudKitMessage(
  parts: StringToSignParts,
  layout: readonly CloudKitField[] = CLOUDKIT_LAYOUT,
): CloudKitMessage {
  if (layout === CLOUDKIT_LAYOUT) {
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
  const texts = layout.map((field) => fieldText(parts, field))
  const bytes = Buffer.from(texts.join(':'), 'utf8')
  const tokens: BytesToken[] = []
  let offset = 0
  texts.forEach((text, i) => {
    if (i > 0) {
      tokens.push(SEPARATOR)
      offset += 1
    }
    const end = offset + Buffer.byteLength(text, 'utf8')
    tokens.push(bytesToken(layout[i]!, bytes.subarray(offset, end)))
    offset = end
  })
  return { tokens, bytes }
}

function fieldText(parts: StringToSignParts, field: CloudKitField): string {
  switch (field) {
    case 'date':
      return parts.date
    case 'body-hash':
      return parts.bodyHash
    case 'request-target':
      return parts.target
    case 'method':
      return parts.method ?? ''
  }
}
