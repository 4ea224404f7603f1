import { COOKIELESS_HOST_SUFFIXES, DEFAULT_ALLOWED_HOST_SUFFIXES, TELEMETRY_HOSTS } from '../constants.js'
import { ICloudError } from '../errors.js'

/** Options of {@link HostPolicy}. */
export interface HostPolicyOptions {
  /**
   * Extra hosts that may receive cookies and tokens (for example an emulator's), exact matches only, no
   * wildcards. `host:port` allows that one port; a bare `host` allows the scheme's default port and the
   * ports of the client's own endpoints on that host (see {@link HostPolicyOptions.endpoints}), never
   * any other port.
   */
  allowHosts?: readonly string[]
  /** Allow plain http to loopback addresses (emulators). Default false. */
  allowInsecureLoopback?: boolean
  /**
   * The client's own endpoint URLs (idmsa, setup): a bare `allowHosts` entry also allows their ports.
   * They must pass the policy themselves.
   */
  endpoints?: readonly string[]
}

/** What a URL may carry, once it passed {@link HostPolicy.check}. */
export interface HostVerdict {
  /** The parsed URL. */
  readonly url: URL
  /** Whether session cookies may be attached (the host is not one that carries its own token). */
  readonly cookies: boolean
  /** The URL's origin with its port always written out (`https://setup.icloud.com:443`). */
  readonly origin: string
}

/**
 * The cookie and token allowlist (docs/protocols/icloud.md §1.2-§1.3). iCloud cookies are set on
 * `.icloud.com`, so a plain RFC 6265 jar would hand the session cookie to any `*.icloud.com` host (and,
 * cookies ignoring ports, to any port of it), telemetry included, and the service host list arrives
 * inside a server response. Every URL the client calls passes through here first: the telemetry host is
 * refused, non-https is refused (loopback only when allowed), and an origin outside the allowlist is
 * refused rather than "fixed". Apple hosts are allowed on the default port only; extra hosts on the
 * ports described in {@link HostPolicyOptions.allowHosts}.
 */
export class HostPolicy {
  readonly #extraOrigins: ReadonlySet<string>
  readonly #extraHosts: ReadonlySet<string>
  readonly #insecureLoopback: boolean
  readonly #endpointPorts = new Map<string, Set<string>>()

  constructor(options: HostPolicyOptions = {}) {
    const origins = new Set<string>()
    const hosts = new Set<string>()
    for (const entry of options.allowHosts ?? []) {
      const parsed = parseHostEntry(entry)
      if (parsed.port === undefined) hosts.add(parsed.host)
      else origins.add(`${parsed.host}:${parsed.port}`)
    }
    this.#extraOrigins = origins
    this.#extraHosts = hosts
    this.#insecureLoopback = options.allowInsecureLoopback ?? false
    for (const endpoint of options.endpoints ?? []) {
      if (!URL.canParse(endpoint)) continue
      const url = new URL(endpoint)
      const host = hostOf(url)
      const ports = this.#endpointPorts.get(host) ?? new Set()
      ports.add(portOf(url))
      this.#endpointPorts.set(host, ports)
    }
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
    const host = hostOf(parsed)
    const port = portOf(parsed)
    if (TELEMETRY_HOSTS.some((t) => host === t || host.endsWith(`.${t}`)))
      throw new ICloudError({
        code: 'TELEMETRY_BLOCKED',
        message: `Refusing to contact ${host} for ${purpose}: it is iCloud.com's statistics endpoint, which sigwire never calls.`,
        details: { host },
      })
    const defaultPort = port === defaultPortOf(parsed.protocol)
    const extra =
      this.#extraOrigins.has(`${host}:${port}`) ||
      (this.#extraHosts.has(host) && (defaultPort || this.#endpointPorts.get(host)?.has(port) === true))
    const cookieless = COOKIELESS_HOST_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
    const suffix = DEFAULT_ALLOWED_HOST_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
    if (!extra && !((suffix || cookieless) && defaultPort)) {
      const known = extra || suffix || cookieless || this.#extraHosts.has(host)
      throw new ICloudError({
        code: 'HOST_NOT_ALLOWED',
        message: known
          ? `The ${purpose} URL points at port ${port} of ${host}, which is not an allowed origin (only the default port of Apple hosts, and the ports named in allowHosts as host:port); refusing to send the session there.`
          : `The ${purpose} URL points at ${host}, which is not an iCloud or Apple host; refusing to send the session there. If the account document was not tampered with, add the host with the allowHosts option.`,
        details: { host, port, purpose },
      })
    }
    if (parsed.protocol !== 'https:') {
      const loopback = isLoopback(host)
      if (!(parsed.protocol === 'http:' && loopback && this.#insecureLoopback))
        throw new ICloudError({
          code: 'INSECURE_URL',
          message: `The ${purpose} URL uses ${parsed.protocol.replace(':', '')}, not https; refusing to send the session over it${loopback ? ' (set allowInsecureLoopback for a local emulator)' : ''}.`,
          details: { host, protocol: parsed.protocol, purpose },
        })
    }
    return { url: parsed, cookies: !cookieless, origin: originOf(parsed) }
  }
}

/** The origin of `url` with the port written out even when it is the default one. */
export function originOf(url: URL): string {
  return `${url.protocol}//${url.hostname.toLowerCase()}:${portOf(url)}`
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '')
}

function portOf(url: URL): string {
  return url.port === '' ? defaultPortOf(url.protocol) : url.port
}

function defaultPortOf(protocol: string): string {
  return protocol === 'http:' ? '80' : '443'
}

function parseHostEntry(entry: string): { host: string; port: string | undefined } {
  const text = entry.trim().toLowerCase()
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] }
  const withPort = /^([^:]+):(\d+)$/.exec(text)
  if (withPort) return { host: withPort[1]!, port: withPort[2] }
  return { host: text, port: undefined }
}
