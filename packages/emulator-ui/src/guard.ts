import { timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

/** Why the UI refused a request (the refusal answers 403 with this code). */
export type UiRefusal = 'NOT_LOOPBACK' | 'BAD_HOST' | 'BAD_ORIGIN' | 'CROSS_SITE' | 'BAD_TOKEN'

/** The parts of a request the UI's guard looks at. */
export interface GuardedRequest {
  /** The peer's address (`socket.remoteAddress`). */
  readonly remoteAddress: string | undefined
  /** The `Host` header. */
  readonly host: string | undefined
  /** The `Origin` header. */
  readonly origin: string | undefined
  /** The `Sec-Fetch-Site` header. */
  readonly fetchSite: string | undefined
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(v4) === 4) return v4.startsWith('127.')
  return address === '::1'
}

/** The host names the UI answers to: a page reached under any other name is a DNS rebinding attempt. */
export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
}

/**
 * Checks that a request comes from this machine, names the UI by a loopback host (DNS rebinding
 * makes a foreign name resolve to 127.0.0.1, but the browser still sends that name in `Host`), and,
 * when the browser says where it comes from (`Origin`, `Sec-Fetch-Site`), comes from the UI's own
 * pages. Returns the refusal, or undefined when the request may proceed.
 * See https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site for the header's values.
 */
export function refuseRequest(request: GuardedRequest, port: number): UiRefusal | undefined {
  if (!isLoopbackAddress(request.remoteAddress)) return 'NOT_LOOPBACK'
  const hosts = allowedHosts(port)
  if (request.host === undefined || !hosts.includes(request.host.toLowerCase())) return 'BAD_HOST'
  if (request.origin !== undefined && !hosts.some((h) => request.origin!.toLowerCase() === `http://${h}`))
    return 'BAD_ORIGIN'
  if (request.fetchSite !== undefined && request.fetchSite !== 'same-origin' && request.fetchSite !== 'none')
    return 'CROSS_SITE'
  return undefined
}

/** Compares a presented token with the UI's in constant time. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(token)
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}
