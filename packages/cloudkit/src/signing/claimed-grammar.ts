import type { ClaimedStringGrammar } from '@sigwire/core/doctor'
import { TOKEN } from './string-to-sign.js'

const DATE = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}`

/**
 * How a client's CloudKit string-to-sign is split (for the doctor and the verifier's token diff). The
 * message is not simply split on `:`: dates carry colons and a URL may carry a scheme and a port, so
 * dates are recognised by their ISO 8601 shape, and a target (a path, or a URL with its host) runs
 * until a `:` followed by a date or by a last field that looks like a hash. This reads the correct
 * layout and the published mistakes (`METHOD:path:date:hash`, a full URL as the third field).
 */
export const CLOUDKIT_GRAMMAR: ClaimedStringGrammar = {
  separators: [':'],
  shapes: [
    { label: TOKEN.date, pattern: new RegExp(`${DATE}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?(?=:|$)`) },
    { label: TOKEN.method, pattern: /(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)(?=:|$)/i },
    // SHA-256 as base64, hex, base64 of the hex text, base64url.
    {
      label: TOKEN.bodyHash,
      pattern: /(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64}|[A-Za-z0-9+/]{86}==|[A-Za-z0-9_-]{43})(?=:|$)/,
    },
    {
      label: TOKEN.target,
      pattern: new RegExp(
        `(?:[a-z][a-z0-9+.-]*://|/|[a-z0-9-]+(?:\\.[a-z0-9-]+)+/)(?:(?!:(?:${DATE}|[A-Za-z0-9+/=_-]{20,}$))[\\s\\S])*`,
        'i',
      ),
    },
  ],
}
