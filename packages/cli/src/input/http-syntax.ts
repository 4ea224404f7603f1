import { cliError } from '../output/errors.js'

/** RFC 9110 §9.1: a method is a token (§5.6.2: tchar = "!" / "#" / ... / DIGIT / ALPHA). */
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** `method` when it is an HTTP method token; `INVALID_METHOD` naming `where` otherwise. */
export function checkMethod(method: string, where: string): string {
  if (!METHOD.test(method))
    throw cliError(
      'INVALID_METHOD',
      `${where} ${JSON.stringify(method.slice(0, 40))} is not an HTTP method: a method is one word such as GET, POST or DELETE, without spaces.`,
    )
  return method
}

/**
 * Refuses a URL whose authority carries `user:password@` (RFC 3986 §3.2.1 deprecates a password there).
 * No service sigwire knows reads it, and curl would turn it into a Basic Authorization header; the
 * message does not repeat the URL, which holds the password.
 */
export function refuseUrlCredentials(url: string, where: string): void {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1]
  if (authority?.includes('@'))
    throw cliError(
      'INVALID_URL',
      `${where} has a user name or password before the host (user:password@host): remove it; sigwire signs and sends credentials only as headers.`,
    )
}
