import { cliError } from '../output/errors.js'
import { refuseUrlCredentials } from './http-syntax.js'
import { addHeader, type ParsedRequest, splitAbsoluteUrl } from './parsed-request.js'

/**
 * Parses a raw HTTP/1.1 request: request line (origin-form target or absolute URL), headers, blank
 * line, body. Hand-written files often use LF instead of CRLF, and editors add a final newline: both are
 * accepted, and a `Content-Length` header decides where the body ends. Errors (`INVALID_REQUEST_FILE`)
 * name the line, never its text: a header line may hold a cookie or a token.
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
  let skipped = 0
  while (lines.length > 0 && lines[0]!.trim() === '') {
    lines.shift()
    skipped++
  }
  const requestLine = lines.shift()
  // The target runs to the HTTP version: a published failing example may carry spaces in it.
  const match = requestLine ? /^([A-Za-z]+)\s+(.+?)(?:\s+HTTP\/\d(?:\.\d)?)?\s*$/.exec(requestLine) : null
  if (!match) {
    throw cliError(
      'INVALID_REQUEST_FILE',
      requestLine === undefined
        ? 'The request file is empty: it must start with a request line like "POST /path?query HTTP/1.1".'
        : 'The request file does not start with a request line like "POST /path?query HTTP/1.1" (a method of letters, a space, the target): fix its first line.',
    )
  }
  const warnings: string[] = []
  const headers: Record<string, string | string[]> = {}
  for (const [i, line] of lines.entries()) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0)
      throw cliError(
        'INVALID_REQUEST_FILE',
        `Line ${skipped + i + 2} of the request file is not a header "Name: value" (no name before a colon): fix it, or end the headers with an empty line before the body.`,
      )
    addHeader(headers, line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  let body = buffer.subarray(bodyStart)
  const length = headers['content-length']
  if (typeof length === 'string' && /^\d+$/.test(length)) {
    const declared = Number(length)
    if (body.length < declared) {
      throw cliError(
        'INVALID_REQUEST_FILE',
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
  refuseUrlCredentials(rawTarget, "The request file's target")
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
