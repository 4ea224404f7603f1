import { SigwireError } from '@sigwire/core'

/** Where the Redis server is, from a `redis://` or `rediss://` URL. */
export interface StoreAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string
  /** Port; 6379 when the URL names none. */
  readonly port: number
  /** Database number; 0 when the URL names none. */
  readonly db: number
  /** ACL user name, when the URL names one. */
  readonly username?: string
  /** The password (never shown in messages). */
  readonly password?: string
  /** `rediss://`: TLS, with the server's certificate verified against the system's CAs (or `ca`). */
  readonly tls: boolean
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]` or `rediss://...` (TLS). Anything else, a query
 * (no option can turn certificate checks off) or a fragment is refused with `INVALID_URL`; the
 * message never repeats the password.
 */
export function parseStoreUrl(text: string): StoreAddress {
  const shown = text.replace(/\/\/[^@/]*@/, '//***@').slice(0, 120)
  const fail = (why: string) =>
    new SigwireError({
      code: 'INVALID_URL',
      message: `The store URL ${JSON.stringify(shown)} ${why}: use redis://[:password@]host:port/db, or rediss:// for TLS.`,
    })
  if (!URL.canParse(text)) throw fail('is not a URL')
  const url = new URL(text)
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw fail('is not a redis:// or rediss:// URL')
  if (url.search !== '' || url.hash !== '') throw fail('has a query or fragment, which sigwire does not read')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw fail('names no host')
  const port = url.port === '' ? 6379 : Number(url.port)
  const path = url.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,4}$/.test(path)) throw fail('has a path that is not a database number')
  const db = path === '' ? 0 : Number(path)
  const username = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  return {
    host,
    port,
    db,
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    tls: url.protocol === 'rediss:',
  }
}

/** The address as a URL without its password, for messages. */
export function describeAddress(address: StoreAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host
  return `${address.tls ? 'rediss' : 'redis'}://${host}:${address.port}/${address.db}`
}
