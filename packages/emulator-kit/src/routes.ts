import type { IncomingMessage } from 'node:http'
import type { ReceivedRequest } from '@sigwire/core'
import type { Reply } from './reply.js'
import type { Transaction } from './store.js'

/** A request as an emulator received it, with the parsed URL for routing. */
export interface EmulatorRequest extends ReceivedRequest {
  /** The request parsed against the server's own origin (for routing only; verify over `target`). */
  readonly url: URL
  /** Local epoch ms when the request arrived, including any injected clock offset. */
  readonly receivedAt: number
}

/** A request matched to a route: its decoded path parameters, what `auth` returned, and its transaction. */
export interface RouteRequest<A = unknown> extends EmulatorRequest {
  /** Path parameters, percent-decoded (a null-prototype object: any name is safe to read). */
  readonly params: Readonly<Record<string, string>>
  /** What the route's `auth.headers` (then `auth.body`) returned. */
  readonly auth: A
  /** Writes of this request: committed (durably, with a state directory) before the reply is sent. */
  readonly tx: Transaction
  /** The route's label, `METHOD /path/:pattern`. */
  readonly route: string
  /**
   * The body as a stream, for routes with `maxBodyBytes: { stream: n }`: reading past `n` bytes fails
   * with `BODY_TOO_LARGE`, and a client that aborts makes the iteration throw (clean up in `finally`).
   */
  readonly stream: AsyncIterable<Buffer>
  /** The raw incoming message (for streaming routes that need it, e.g. to resume a refused upload). */
  readonly incoming: IncomingMessage
}

/**
 * Authentication of a route, in two phases. `headers` runs before a byte of the body is read and
 * refuses (throws an `EmulatorError` with `kind: 'auth'`) whatever the headers alone can refuse: an
 * unknown key, a missing token, a stale date. `body` runs after the body is read, for signatures
 * that cover it. Each returns what the handler sees as `request.auth`.
 */
export interface RouteAuth<A> {
  /** Checks what the headers, target and path parameters can prove; runs before the body is read. */
  headers(request: EmulatorRequest & { readonly params: Readonly<Record<string, string>> }): A | Promise<A>
  /** Checks what needs the body (a signature over it); `request.auth` is what `headers` returned. */
  body?(request: RouteRequest<A>): A | Promise<A>
}

/** One entry of an emulator's route table. */
export interface Route<A = unknown> {
  /** HTTP method, or a list of methods served by the same handler. */
  readonly method: string | readonly string[]
  /**
   * Path pattern: literal segments, `:name` for one non-empty segment, `*name` (last) for one or more
   * segments joined with `/`. Parameters are percent-decoded; bad encoding answers `MALFORMED_REQUEST`.
   */
  readonly path: string
  /** Authentication, or `none` for routes anyone may call (sign-in starts, unsigned uploads). */
  readonly auth: RouteAuth<A> | 'none'
  /**
   * Largest body in bytes, read into `request.body` before `handle` runs; or `{ stream: n }` for
   * uploads the handler reads as a stream (`request.stream`, at most n bytes).
   */
  readonly maxBodyBytes:
    | number
    | {
        /** Most bytes the handler may read from `request.stream` before it fails with `BODY_TOO_LARGE`. */
        readonly stream: number
      }
  /** Answers the request: a reply, or throw an `EmulatorError`. */
  handle(request: RouteRequest<A>): Reply | Promise<Reply>
}

/** A route with its pattern compiled. */
export interface CompiledRoute {
  readonly route: Route<unknown>
  readonly methods: ReadonlySet<string>
  readonly label: string
  readonly segments: readonly Segment[]
}

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest'; readonly name: string }

/** Compiles a route table (checks each pattern once, at start). */
export function compileRoutes(routes: readonly Route<unknown>[]): CompiledRoute[] {
  return routes.map((route) => {
    const methods = new Set(typeof route.method === 'string' ? [route.method] : route.method)
    if (!route.path.startsWith('/')) throw new Error(`Route path ${route.path} must start with "/".`)
    const segments: Segment[] = route.path
      .slice(1)
      .split('/')
      .map((part, index, all) => {
        if (part.startsWith(':')) return { kind: 'param', name: part.slice(1) }
        if (part.startsWith('*')) {
          if (index !== all.length - 1) throw new Error(`In ${route.path}, ${part} must be the last segment.`)
          return { kind: 'rest', name: part.slice(1) }
        }
        return { kind: 'literal', text: part }
      })
    return {
      route,
      methods,
      label: `${[...methods].join('|')} ${route.path}`,
      segments,
    }
  })
}

/** The outcome of matching a path. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly compiled: CompiledRoute; readonly params: Record<string, string> }
  | { readonly kind: 'method'; readonly allow: readonly string[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }

/**
 * Finds the route for `method` and the raw (still percent-encoded) `path`. Matching compares raw
 * literal segments; parameters are decoded after a match.
 */
export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): RouteMatch {
  const parts = path.slice(1).split('/')
  const allow = new Set<string>()
  for (const compiled of routes) {
    const raw = matchSegments(compiled.segments, parts)
    if (raw === undefined) continue
    if (!compiled.methods.has(method)) {
      for (const m of compiled.methods) allow.add(m)
      continue
    }
    const params: Record<string, string> = Object.create(null)
    for (const [name, value] of raw) {
      const decoded = safeDecode(value)
      if (decoded === undefined) return { kind: 'malformed' }
      params[name] = decoded
    }
    return { kind: 'found', compiled, params }
  }
  return allow.size > 0 ? { kind: 'method', allow: [...allow] } : { kind: 'none' }
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = []
  for (const [i, segment] of segments.entries()) {
    if (segment.kind === 'rest') {
      const rest = parts.slice(i)
      // One or more segments; a trailing slash (an empty last segment) is kept.
      if (rest.length === 0 || rest.slice(0, -1).some((p) => p === '') || rest.join('') === '')
        return undefined
      out.push([segment.name, rest.join('/')])
      return out
    }
    const part = parts[i]
    if (part === undefined) return undefined
    if (segment.kind === 'literal') {
      if (part !== segment.text) return undefined
    } else {
      if (part === '') return undefined
      out.push([segment.name, part])
    }
  }
  return parts.length === segments.length ? out : undefined
}

/** Percent-decodes URL text (no `+` rule); undefined when the encoding is malformed. */
export function safeDecode(text: string): string | undefined {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
