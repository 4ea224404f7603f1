import { APPLE_NEWS_API_ORIGIN } from '@sigwire/apple-news'
import type { ParsedRequest } from '../../input/parsed-request.js'
import { cliError } from '../../output/errors.js'

const ORIGIN = /^https?:\/\/[^/?#\s]+$/i
const APPLE_HOST = new URL(APPLE_NEWS_API_ORIGIN).hostname

/** The origin a captured request is verified against, and why, when that was a guess. */
export interface ResolvedOrigin {
  readonly origin: string
  readonly warning?: string
}

/**
 * The origin the client should have signed. Apple rebuilds the URL as `https://news-api.apple.com` +
 * the raw request-target, whatever scheme or port the captured request shows (docs/protocols/apple-news.md
 * §1.1, "no port"); any other host is an emulator or a proxy, whose origin is taken as captured.
 * `--public-origin` overrides both, for an emulator reached over plain HTTP or configured with its own
 * `publicOrigin`.
 */
export function resolveAppleNewsOrigin(request: ParsedRequest, publicOrigin?: string): ResolvedOrigin {
  if (publicOrigin !== undefined) {
    const origin = publicOrigin.replace(/\/+$/, '')
    if (!ORIGIN.test(origin))
      throw cliError(
        'INVALID_URL',
        `--public-origin must be a scheme and host without a path, like https://news-api.apple.com or http://127.0.0.1:8080 (got ${JSON.stringify(publicOrigin.slice(0, 80))}).`,
      )
    return { origin }
  }
  if (request.origin === undefined)
    return {
      origin: APPLE_NEWS_API_ORIGIN,
      warning: `the request names no host; verified against ${APPLE_NEWS_API_ORIGIN} (pass --public-origin for an emulator)`,
    }
  const captured = new URL(request.origin)
  if (captured.hostname.toLowerCase() !== APPLE_HOST) return { origin: request.origin }
  return request.origin === APPLE_NEWS_API_ORIGIN
    ? { origin: APPLE_NEWS_API_ORIGIN }
    : {
        origin: APPLE_NEWS_API_ORIGIN,
        warning: `verified against ${APPLE_NEWS_API_ORIGIN}, the URL Apple rebuilds, not ${request.origin}`,
      }
}
