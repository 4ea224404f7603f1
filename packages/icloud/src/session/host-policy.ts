import { COOKIELESS_HOST_SUFFIXES, DEFAULT_ALLOWED_HOST_SUFFIXES, TELEMETRY_HOSTS } from '../constants.js'
import { ICloudError } from '../errors.js'

/** Options of {@link HostPolicy}. */
export interface HostPolicyOptions {
  /**
   * Extra hosts that may receive cookies and tokens, as `host` or `host:port` (for example the
   * emulator's `127.0.0.1`). Exact matches only; no wildcards.
   */
  allowHosts?: readonly string[]
  /** Allow plain http to loopback addresses (emulators). Default false. */
  allowInsecureLoopback?: boolean
}

/** What a URL may carry, once it passed {@link HostPolicy.check}. */
export interface HostVerdict {
  /** The parsed URL. */
  readonly url: URL
  /** Whether session cookies may be attached. */
  readonly cookies: boolean
}

/**
 * The cookie and token allowlist (docs/protocols/icloud.md §1.2-§1.3). iCloud cookies are set on
 * `.icloud.com`, so a plain RFC 6265 jar would hand the session cookie to any `*.icloud.com` host,
 * telemetry included, and the service host list arrives inside a server response. Every URL the
 * client calls passes through here first: the telemetry host is refused, non-https is refused (loopback
 * only when allowed), and a host outside the allowlist is refused rather than "fixed".
 */
export class HostPolicy {
  readonly #extra: ReadonlySet<string>
  readonly #insecureLoopback: boolean

  constructor(options: HostPolicyOptions = {}) {
    this.#extra = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()))
    this.#insecureLoopback = options.allowInsecureLoopback ?? false
  }

  /** Checks `url` for a request of `purpose` (named in errors). Throws a typed error when refused. */
  check(url: string | URL, purpose: string): HostVerdict {
    let parsed: URL
    try {
      parsed = new URL(String(url))
    } catch {
      throw new ICloudError({
        code: 'HOST_NOT_ALLOWED',
        message: `The ${purpose} URL is not a valid absolute URL; refusing to send the session to it.`,
      })
    }
    const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '')
    if (TELEMETRY_HOSTS.some((t) => host === t || host.endsWith(`.${t}`)))
      throw new ICloudError({
        code: 'TELEMETRY_BLOCKED',
        message: `Refusing to contact ${host} for ${purpose}: it is iCloud.com's statistics endpoint, which sigwire never calls.`,
        details: { host },
      })
    const extra = this.#extra.has(host) || this.#extra.has(parsed.host.toLowerCase())
    const cookieless = COOKIELESS_HOST_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
    const suffix = DEFAULT_ALLOWED_HOST_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
    if (!extra && !suffix && !cookieless)
      throw new ICloudError({
        code: 'HOST_NOT_ALLOWED',
        message: `The ${purpose} URL points at ${host}, which is not an iCloud or Apple host; refusing to send the session there. If the account document was not tampered with, add the host with the allowHosts option.`,
        details: { host, purpose },
      })
    if (parsed.protocol !== 'https:') {
      const loopback = isLoopback(host)
      if (!(parsed.protocol === 'http:' && loopback && this.#insecureLoopback))
        throw new ICloudError({
          code: 'INSECURE_URL',
          message: `The ${purpose} URL uses ${parsed.protocol.replace(':', '')}, not https; refusing to send the session over it${loopback ? ' (set allowInsecureLoopback for a local emulator)' : ''}.`,
          details: { host, protocol: parsed.protocol, purpose },
        })
    }
    return { url: parsed, cookies: !cookieless }
  }
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
