import { SigwireError } from '../errors/sigwire-error.js'

/** Options of {@link checkBaseUrl}. */
export interface BaseUrlOptions {
  /** Named in errors (`baseUrl`). */
  what?: string
  /** Allow `http://` to a host that is not loopback (a plain-text proxy you trust). Default false. */
  allowInsecureHttp?: boolean | undefined
}

/**
 * Checks a client's `baseUrl` and returns it parsed. Refused with `INVALID_ARGUMENT`: anything that
 * is not an absolute http(s) URL; a URL with credentials (`user:pass@`), a query or a fragment (every
 * request appends its own path and query, so they would be silently dropped or mangled); and
 * `http://` to a host other than loopback, unless `allowInsecureHttp` is set: signed requests carry
 * tokens and bodies that must not cross a network in clear text.
 */
export function checkBaseUrl(value: unknown, options: BaseUrlOptions = {}): URL {
  const what = options.what ?? 'baseUrl'
  let url: URL
  try {
    if (typeof value !== 'string') throw new TypeError()
    url = new URL(value)
  } catch {
    throw invalid(
      what,
      `must be an absolute http(s) URL such as https://example.com, not ${describe(value)}.`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(what, `must use https (or http to a local emulator), not ${url.protocol}.`)
  if (url.username !== '' || url.password !== '')
    throw invalid(what, 'must not contain credentials (user:password@); pass credentials to the client.')
  const text = value as string
  if (text.includes('?'))
    throw invalid(what, 'must not contain a query (?...): every request adds its own parameters.')
  if (text.includes('#')) throw invalid(what, 'must not contain a fragment (#...).')
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && options.allowInsecureHttp !== true)
    throw invalid(
      what,
      `uses http:// to ${url.hostname}, which would send credentials in clear text. Use https, or pass allowInsecureHttp: true if this really is what you want.`,
    )
  return url
}

/** True for `localhost`, 127.0.0.0/8 and `[::1]`: hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  )
}

function invalid(what: string, problem: string): SigwireError {
  return new SigwireError({
    code: 'INVALID_ARGUMENT',
    message: `${what} ${problem}`,
    details: { argument: what },
  })
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : typeof value
}
