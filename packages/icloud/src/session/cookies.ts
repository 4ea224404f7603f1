import type { Redactor } from '@sigwire/core'
import { CookieJar, type SerializedCookieJar } from 'tough-cookie'
import { WEBAUTH_TOKEN_COOKIE } from '../constants.js'

/**
 * The session's cookies in a tough-cookie jar (RFC 6265 domain, path, expiry and deletion rules),
 * with every cookie value registered as a secret so it never reaches logs or errors. Which hosts may
 * receive them is decided by the caller through the host policy before {@link SessionCookies.header}.
 */
export class SessionCookies {
  #jar: CookieJar
  readonly #redactor: Redactor

  constructor(redactor: Redactor, serialized?: SerializedCookieJar) {
    this.#redactor = redactor
    this.#jar = serialized ? CookieJar.deserializeSync(serialized) : new CookieJar()
    for (const cookie of this.#jar.serializeSync()?.cookies ?? [])
      this.#redactor.addSecret(String(cookie.value ?? ''))
  }

  /** The `Cookie` header for `url`, or undefined when no cookie applies. */
  async header(url: string): Promise<string | undefined> {
    const text = await this.#jar.getCookieString(url)
    return text === '' ? undefined : text
  }

  /** Stores the `Set-Cookie` headers of a response from `url`. */
  async store(url: string, setCookie: string | readonly string[] | undefined): Promise<void> {
    if (setCookie === undefined) return
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const value = /^[^=]*=([^;]*)/.exec(line)?.[1]
      if (value) this.#redactor.addSecret(value)
      await this.#jar.setCookie(line, url, { ignoreError: true })
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
  }

  /** The jar as JSON (for the session store). */
  serialize(): SerializedCookieJar {
    return this.#jar.serializeSync() as SerializedCookieJar
  }
}
