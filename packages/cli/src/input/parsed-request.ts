import type { ReceivedRequest } from '@sigwire/core'

/** A request read from a file or command line, as the server would receive it. */
export interface ParsedRequest extends ReceivedRequest {
  /** `scheme://host[:port]` when the input says (absolute URL, Host header, HAR, curl). */
  readonly origin: string | undefined
  /** Things the parser had to assume, shown to the user (never secrets). */
  readonly warnings: readonly string[]
}

/** Splits an absolute URL into origin and the raw request-target, without re-encoding anything. */
export function splitAbsoluteUrl(url: string): { origin: string; target: string } | undefined {
  const match = /^(https?:\/\/[^/?#\s]+)([^#\s]*)/i.exec(url)
  if (!match) return undefined
  const target = match[2] ?? ''
  return { origin: match[1]!, target: target === '' ? '/' : target.startsWith('?') ? `/${target}` : target }
}

/** Adds a header to a lower-case header record, turning repeats into arrays. */
export function addHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const key = name.toLowerCase()
  const existing = headers[key]
  if (existing === undefined) headers[key] = value
  else headers[key] = Array.isArray(existing) ? [...existing, value] : [existing, value]
}
