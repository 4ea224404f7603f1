/** Loopback names a client may use for the emulator's address. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * How the emulator classes an `Origin` that names the emulator itself (docs/protocols/icloud.md §21):
 * the emulator stands in for both `https://www.icloud.com` and `https://idmsa.apple.com`, so a client
 * pointed at it the natural way (its home endpoint set to the emulator, e.g. pyicloud's
 * `_home_endpoint`, which becomes its `Origin`) sends the emulator's origin where it would send
 * `https://www.icloud.com` to Apple. With a host name, `idmsa.<hostName>` plays idmsa and every other
 * name under it plays the web origin, on any port (a proxy may sit in front); without one, a loopback
 * name with the emulator's port plays the web origin. Anything else is not the emulator's.
 *
 * @param origin - The request's `Origin` header.
 * @param own - The emulator's origin (`http://127.0.0.1:port`, or `https://setup.<hostName>:port`).
 * @param hostName - The emulator's host name setting, when it has one.
 */
export function ownOriginRole(
  origin: string | undefined,
  own: string,
  hostName: string | undefined,
): 'web' | 'idmsa' | undefined {
  if (!origin) return undefined
  let url: URL
  let server: URL
  try {
    url = new URL(origin)
    server = new URL(own)
  } catch {
    return undefined
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined
  if (hostName) {
    const name = url.hostname.toLowerCase()
    const domain = hostName.toLowerCase()
    if (name === `idmsa.${domain}`) return 'idmsa'
    return name === domain || name.endsWith(`.${domain}`) ? 'web' : undefined
  }
  return LOOPBACK.has(url.hostname) && url.port === server.port && url.protocol === server.protocol
    ? 'web'
    : undefined
}
