import type { ServerResponse } from 'node:http'
import { receivedHeader } from '@sigwire/core'
import type { EmulatorRequest } from '@sigwire/emulator-kit'

/** Cookies of a request by name (quotes around values removed). */
export function requestCookies(request: EmulatorRequest): Map<string, string> {
  const out = new Map<string, string>()
  const header = request.headers.cookie
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '')
  for (const part of String(text).split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    out.set(
      part.slice(0, eq).trim(),
      part
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, ''),
    )
  }
  return out
}

/** The JSON body of a request, or undefined. */
export function requestJson<T = Record<string, unknown>>(request: EmulatorRequest): T | undefined {
  const text = Buffer.from(request.body).toString('utf8').trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}

/** One header of a request. */
export function header(request: EmulatorRequest, name: string): string | undefined {
  return receivedHeader(request, name)
}

/** Writes a JSON answer with extra headers (Set-Cookie may be a list). */
export function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): undefined {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }),
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
  return undefined
}

/** A `Set-Cookie` line. Over plain http the cookie has no `Domain` and no `Secure` (docs/protocols/icloud.md §10). */
export function setCookie(name: string, value: string, expiresAt: number, secure: boolean): string {
  return `${name}=${value}; Path=/; Expires=${new Date(expiresAt).toUTCString()}; HttpOnly${secure ? '; Secure' : ''}`
}

/** Apple's error body shape with `serviceErrors`. */
export function serviceErrors(code: string, message: string): Record<string, unknown> {
  return { serviceErrors: [{ code, message, suppressDismissal: false }], hasError: true }
}
