import type { Redactor } from '@sigwire/core'
import { CookieJar, cookieCompare, type SerializedCookieJar } from 'tough-cookie'
import { WEBAUTH_TOKEN_COOKIE } from '../constants.js'

/** Paths remembered by {@link SessionCookies.header} before it starts again. */
const HEADER_CACHE_LIMIT = 256

/**
 * The session's cookies in a tough-cookie jar (RFC 6265 domain, path, expiry and deletion rules),
 * with every cookie value registered as a secret so it never reaches logs or errors. Which hosts may
 * receive them is decided by the caller through the host policy before {@link SessionCookies.header}.
 */
export class SessionCookies {
  #jar: CookieJar
  readonly #redactor: Redactor
  /**
   * `Cookie` headers by URL without its query (which cookies apply depends on the scheme, host and
   * path, RFC 6265 §5.4), each good until the first of its cookies expires; any change to the jar
   * empties it. A Drive folder or a Photos library calls the same few paths thousands of times, and
   * tough-cookie's matching, sorting and expiry checks ran again for every request.
   */
  readonly #headers = new Map<string, { readonly value: string | undefined; readonly until: number }>()
  /** Counts the jar's changes: a lookup that a change overtook is not remembered. */
  #changes = 0

  constructor(redactor: Redactor, serialized?: SerializedCookieJar) {
    this.#redactor = redactor
    this.#jar = serialized ? CookieJar.deserializeSync(serialized) : new CookieJar()
    for (const cookie of this.#jar.serializeSync()?.cookies ?? [])
      this.#redactor.addSecret(String(cookie.value ?? ''))
  }

  /** The `Cookie` header for `url`, or undefined when no cookie applies. */
  async header(url: string): Promise<string | undefined> {
    const query = url.indexOf('?')
    const key = query === -1 ? url : url.slice(0, query)
    const known = this.#headers.get(key)
    if (known !== undefined && Date.now() < known.until) return known.value
    const changes = this.#changes
    const cookies = await this.#jar.getCookies(url)
    let until = Number.POSITIVE_INFINITY
    for (const cookie of cookies) until = Math.min(until, cookie.expiryTime() ?? Number.POSITIVE_INFINITY)
    // getCookieString's own order and join (tough-cookie `CookieJar.getCookieString`).
    const value =
      cookies.length === 0
        ? undefined
        : cookies
            .sort(cookieCompare)
            .map((c) => c.cookieString())
            .join('; ')
    if (changes !== this.#changes) return value
    if (this.#headers.size >= HEADER_CACHE_LIMIT) this.#headers.clear()
    this.#headers.set(key, { value, until })
    return value
  }

  /** Stores the `Set-Cookie` headers of a response from `url`. */
  async store(url: string, setCookie: string | readonly string[] | undefined): Promise<void> {
    if (setCookie === undefined) return
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const value = /^[^=]*=([^;]*)/.exec(line)?.[1]
      if (value) this.#redactor.addSecret(value)
      await this.#jar.setCookie(line, url, { ignoreError: true })
      this.#changed()
    }
  }

  /** True when the jar holds an unexpired `X-APPLE-WEBAUTH-TOKEN` for `url`. */
  async hasWebAuthToken(url: string): Promise<boolean> {
    const cookies = await this.#jar.getCookies(url)
    return cookies.some((c) => c.key === WEBAUTH_TOKEN_COOKIE && c.value !== '')
  }

  /** The value of the cookie `name` that applies to `url` (quotes kept), or undefined. */
  async value(url: string, name: string): Promise<string | undefined> {
    const cookies = await this.#jar.getCookies(url)
    return cookies.find((c) => c.key === name)?.value
  }

  /** Removes every cookie. */
  clear(): void {
    this.#jar = new CookieJar()
    this.#changed()
  }

  #changed(): void {
    this.#changes++
    this.#headers.clear()
  }

  /** How many times the jar changed since it was made (a save that finds the same count can be skipped). */
  get changes(): number {
    return this.#changes
  }

  /** The jar as JSON (for the session store). */
  serialize(): SerializedCookieJar {
    return this.#jar.serializeSync() as SerializedCookieJar
  }
}
