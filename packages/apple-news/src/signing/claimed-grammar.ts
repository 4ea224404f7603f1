import type { ClaimedStringGrammar } from '@sigwire/core/doctor'

/**
 * How a client's HHMAC string-to-sign is split (for the doctor and the verifier's token diff). HHMAC has
 * no separators, so the one token found by its shape is the date: an ISO 8601 date-time that is not a
 * query value (not after "="). The method, URL, Content-Type and body are the text around it, lined up
 * with the tokens that match before and after the difference.
 */
export const APPLE_NEWS_GRAMMAR: ClaimedStringGrammar = {
  order: ['method', 'url', 'date', 'content-type', 'body'],
  shapes: [
    {
      label: 'date',
      pattern: /(?<![=\d])\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/,
    },
  ],
}
