import { emptyBody, type OwnedBody } from '../body/owned-body.js'
import { formatQueryPairs } from '../encoding/percent-encode.js'
import { SigwireError } from '../errors/sigwire-error.js'

/** HTTP methods the clients use. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

/**
 * A request about to be signed and sent. Immutable: `origin` and `target` are the exact strings the
 * transport hands to undici, so the request-target a signer reads is byte for byte the one on the wire.
 */
export interface HttpRequest {
  /** Upper-case method. */
  readonly method: HttpMethod
  /** `scheme://host[:port]`, no trailing slash. */
  readonly origin: string
  /** The request-target: path plus `?query` exactly as sent. */
  readonly target: string
  /** Header names are lower-case. */
  readonly headers: Readonly<Record<string, string>>
  /** The owned body (the empty body for GET). */
  readonly body: OwnedBody
}

/** Input to {@link createRequest}. */
export interface RequestInit {
  /** HTTP method (case-insensitive). */
  method: string
  /** Absolute http(s) URL. It is normalized once (WHATWG URL); the normalized form is signed and sent. */
  url: string | URL
  /** Query pairs appended after any query already in `url`, RFC 3986-encoded (`%20` for spaces). */
  query?:
    | Iterable<readonly [string, string]>
    | Readonly<Record<string, string | number | boolean | undefined>>
  /** Request headers (any case; stored lower-case). */
  headers?: Readonly<Record<string, string | undefined>>
  /** The body. Default: empty. */
  body?: OwnedBody
}

/** Builds an {@link HttpRequest}, validating everything that could make the sent request differ from the signed one. */
export function createRequest(init: RequestInit): HttpRequest {
  const method = init.method.toUpperCase()
  if (!METHODS.has(method)) throw urlError(`Unsupported HTTP method ${JSON.stringify(init.method)}.`)
  const { origin, path, search } = parseUrl(init.url)
  let target = path + search
  const extra = queryPairs(init.query)
  if (extra.length > 0) target += (search ? '&' : '?') + formatQueryPairs(extra)
  return Object.freeze({
    method: method as HttpMethod,
    origin,
    target,
    headers: Object.freeze(normalizeHeaders(init.headers ?? {})),
    body: init.body ?? emptyBody,
  })
}

interface ParsedUrl {
  readonly origin: string
  readonly path: string
  readonly search: string
}

// Clients send to a handful of URLs over and over (one per operation); WHATWG parsing costs a few
// microseconds per call, so normalized forms are kept (a bounded map, cleared when full).
const PARSED = new Map<string, ParsedUrl>()
const PARSED_LIMIT = 512

function parseUrl(input: string | URL): ParsedUrl {
  // A URL object is parsed already: it is read, not serialized and parsed again, and it stays out of
  // the cache (such URLs are often used once, like a download URL checked against a host policy).
  if (input instanceof URL) return partsOf(input)
  const text = String(input)
  const known = PARSED.get(text)
  if (known !== undefined) return known
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw urlError(
      `${JSON.stringify(text.slice(0, 200))} is not an absolute URL; include the scheme and host.`,
    )
  }
  const parsed = partsOf(url)
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear()
  PARSED.set(text, parsed)
  return parsed
}

function partsOf(url: URL): ParsedUrl {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw urlError(`Only http and https URLs can be sent, not ${url.protocol}.`)
  if (url.username || url.password)
    throw urlError(
      'URLs with credentials (user:password@host) are not sent; pass credentials to the client instead.',
    )
  return { origin: url.origin, path: url.pathname, search: url.search }
}

/** A copy of `request` with more headers (later values win). */
export function withHeaders(
  request: HttpRequest,
  headers: Readonly<Record<string, string | undefined>>,
): HttpRequest {
  return Object.freeze({
    ...request,
    headers: Object.freeze({ ...request.headers, ...normalizeHeaders(headers) }),
  })
}

/** A copy of `request` with query pairs appended to the target. */
export function withQuery(request: HttpRequest, pairs: Iterable<readonly [string, string]>): HttpRequest {
  const list = [...pairs]
  if (list.length === 0) return request
  const separator = request.target.includes('?') ? '&' : '?'
  return Object.freeze({ ...request, target: request.target + separator + formatQueryPairs(list) })
}

/** The full URL of `request`: origin plus request-target. */
export function requestUrl(request: HttpRequest): string {
  return request.origin + request.target
}

/** True for methods that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
export function isIdempotent(method: HttpMethod): boolean {
  return IDEMPOTENT.has(method)
}

function queryPairs(query: RequestInit['query']): Array<readonly [string, string]> {
  if (query === undefined) return []
  if (Symbol.iterator in query) return [...(query as Iterable<readonly [string, string]>)]
  const out: Array<readonly [string, string]> = []
  for (const [name, value] of Object.entries(query)) if (value !== undefined) out.push([name, String(value)])
  return out
}

// Header names repeat from call to call (a signer's few names); each valid one is checked once.
const VALID_NAMES = new Set<string>()

function normalizeHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined) continue
    if (!VALID_NAMES.has(name)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        throw urlError(`${JSON.stringify(name)} is not a valid header name.`)
      if (VALID_NAMES.size < PARSED_LIMIT) VALID_NAMES.add(name)
    }
    if (/[\r\n\0]/.test(value)) throw urlError(`The value of header ${name} contains a line break or NUL.`)
    out[name.toLowerCase()] = value
  }
  return out
}

function urlError(message: string): SigwireError {
  return new SigwireError({ code: 'INVALID_URL', message })
}
