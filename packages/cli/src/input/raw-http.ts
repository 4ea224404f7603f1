import { InputError } from '../output/errors.js'
import { addHeader, type ParsedRequest, splitAbsoluteUrl } from './parsed-request.js'

/**
 * Parses a raw HTTP/1.1 request: request line (origin-form target or absolute URL), headers, blank
 * line, body. Hand-written files often use LF instead of CRLF, and editors add a final newline: both are
 * accepted, and a `Content-Length` header decides where the body ends.
 */
export function parseRawHttpRequest(bytes: Uint8Array): ParsedRequest {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  let headEnd: number
  let bodyStart: number
  if (crlf !== -1 && (lf === -1 || crlf < lf)) {
    headEnd = crlf
    bodyStart = crlf + 4
  } else if (lf !== -1) {
    headEnd = lf
    bodyStart = lf + 2
  } else {
    headEnd = buffer.length
    bodyStart = buffer.length
  }
  const lines = buffer.subarray(0, headEnd).toString('utf8').split(/\r?\n/)
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift()
  const requestLine = lines.shift()
  // The target runs to the HTTP version: a published failing example may carry spaces in it.
  const match = requestLine ? /^([A-Za-z]+)\s+(.+?)(?:\s+HTTP\/\d(?:\.\d)?)?\s*$/.exec(requestLine) : null
  if (!match) {
    throw new InputError(
      `The request file does not start with a request line like "POST /path?query HTTP/1.1" (found ${JSON.stringify((requestLine ?? '').slice(0, 80))}).`,
    )
  }
  const warnings: string[] = []
  const headers: Record<string, string | string[]> = {}
  for (const line of lines) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0)
      throw new InputError(
        `Malformed header line ${JSON.stringify(line.slice(0, 80))}: expected "Name: value".`,
      )
    addHeader(headers, line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  let body = buffer.subarray(bodyStart)
  const length = headers['content-length']
  if (typeof length === 'string' && /^\d+$/.test(length)) {
    const declared = Number(length)
    if (body.length < declared) {
      throw new InputError(
        `The body has ${body.length} bytes but Content-Length says ${declared}; the file is truncated.`,
      )
    }
    if (body.length > declared) {
      warnings.push(
        `ignored ${body.length - declared} byte(s) after the ${declared}-byte body (Content-Length)`,
      )
      body = body.subarray(0, declared)
    }
  } else if (body.length > 0 && (body.at(-1) === 0x0a || body.at(-1) === 0x0d)) {
    warnings.push(
      'the body ends with a line break and there is no Content-Length; it is treated as part of the body',
    )
  }
  const rawTarget = match[2]!
  if (/\s/.test(rawTarget))
    warnings.push('the request-target contains spaces; a real client must percent-encode them')
  const absolute = splitAbsoluteUrl(rawTarget)
  const host = headers.host
  const origin = absolute?.origin ?? (typeof host === 'string' ? `https://${host}` : undefined)
  if (!absolute && typeof host === 'string') warnings.push(`assumed https://${host} from the Host header`)
  return {
    method: match[1]!.toUpperCase(),
    target: absolute?.target ?? rawTarget,
    headers,
    body: new Uint8Array(body),
    origin,
    warnings,
  }
}
