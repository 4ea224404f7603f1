import { receivedHeader } from '@sigwire/core'
import type { Finding } from '@sigwire/core/doctor'
import {
  EmulatorError,
  type EmulatorRequest,
  jsonDepth,
  MAX_JSON_DEPTH,
  type Reply,
  reply,
} from '@sigwire/emulator-kit'

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
  if (text === '' || jsonDepth(text) > MAX_JSON_DEPTH) return undefined
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

/** A JSON answer with extra headers (Set-Cookie may be a list); no body when `body` is undefined. */
export function answer(
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): Reply {
  if (body === undefined) return reply(status, undefined, headers)
  return reply(status, { json: body }, { 'content-type': 'application/json;charset=UTF-8', ...headers })
}

/**
 * An iCloud error as the one error carrier: iCloud's bodies differ by host (`serviceErrors`,
 * `{success, error}`), so the exact body travels in `details.body`.
 */
export function iCloudError(
  status: number,
  code: string,
  body: unknown,
  options: {
    headers?: Record<string, string | string[]>
    auth?: boolean
    explanation?: string
    /** The doctor's findings about the refused request (the request log shows them). */
    findings?: readonly Finding[]
  } = {},
): EmulatorError {
  return new EmulatorError(code, typeof options.explanation === 'string' ? options.explanation : code, {
    status,
    details: { body, ...(options.findings ? { findings: options.findings } : {}) },
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.auth ? { kind: 'auth' } : {}),
  })
}

/**
 * A refusal answered with `body` (whatever shape the host uses), as the one error carrier; its code
 * for the log is the service error code in the body (`-20101`, `INVALID_DEVICE`), else the status.
 */
export function iCloudFailure(
  status: number,
  body: unknown,
  headers?: Record<string, string | string[]>,
  findings?: readonly Finding[],
): EmulatorError {
  const b = (body ?? {}) as {
    serviceErrors?: Array<{ code?: string; message?: string }>
    service_errors?: Array<{ code?: string; message?: string }>
    errorCode?: string
    error?: string
  }
  const item = b.serviceErrors?.[0] ?? b.service_errors?.[0]
  const code = item?.code ?? b.errorCode ?? String(status)
  const message = item?.message ?? b.error ?? `HTTP ${status}`
  // 401, 421 and 450 refuse the caller's credentials (password, conversation, session cookie).
  const auth = status === 401 || status === 421 || status === 450
  return iCloudError(status, code, body, {
    ...(headers ? { headers } : {}),
    ...(findings ? { findings } : {}),
    explanation: message,
    auth,
  })
}

/** Renders an emulator error in iCloud's shape. */
export function renderICloudError(error: EmulatorError): Reply {
  if (Object.hasOwn(error.details, 'body')) return answer(error.status, error.details.body)
  if (error.code === 'MALFORMED_REQUEST') return answer(400, serviceErrors('-20000', error.message))
  return answer(error.status, { success: false, error: error.message })
}

/**
 * A `Set-Cookie` line. Apple always sets `Domain` (`.icloud.com`, `apple.com`), and some clients
 * send no cookie without one (icloud-photos-sync `HeaderJar.isApplicable`); over plain http the
 * cookie has no `Secure` (docs/protocols/icloud.md §10, §12).
 */
export function setCookie(
  name: string,
  value: string,
  expiresAt: number,
  where: { readonly secure: boolean; readonly cookieDomain: string | undefined },
): string {
  const domain = where.cookieDomain ? `; Domain=${where.cookieDomain}` : ''
  return `${name}=${value}; Path=/${domain}; Expires=${new Date(expiresAt).toUTCString()}; HttpOnly${where.secure ? '; Secure' : ''}`
}

/**
 * The `Domain` of the emulator's cookies for `request`: the configured host name, else the host the
 * client addressed when a client keeps such a cookie (an IPv4 address or a dotted name; not
 * `localhost`, which Python's cookie jar refuses as a domain, nor an IPv6 literal).
 */
export function cookieDomain(hostName: string | undefined, request: EmulatorRequest): string | undefined {
  if (hostName) return hostName
  const host = header(request, 'host')?.toLowerCase()
  if (!host || host.startsWith('[')) return undefined
  const name = host.replace(/:\d+$/, '')
  if (name === 'localhost' || !name.includes('.') || !/^[a-z0-9.-]+$/.test(name)) return undefined
  return name
}

/** Apple's error body shape with `serviceErrors`. */
export function serviceErrors(code: string, message: string): Record<string, unknown> {
  return { serviceErrors: [{ code, message, suppressDismissal: false }], hasError: true }
}
