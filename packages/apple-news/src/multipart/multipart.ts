import { randomUUID } from 'node:crypto'
import { concatBodies, type OwnedBody, utf8Encode } from '@sigwire/core'
import { appleNewsError } from '../errors.js'

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  /** The `name` parameter. */
  readonly name: string
  /** The `filename` parameter; omitted when undefined. */
  readonly filename?: string | undefined
  /** The part's `Content-Type`. */
  readonly contentType: string
  /** The part's bytes (in memory or streamed from a file). */
  readonly body: OwnedBody
}

/** Options of {@link encodeMultipart}. */
export interface MultipartOptions {
  /** The boundary; default 32 random hex digits. It becomes part of the signed Content-Type. */
  readonly boundary?: string
  /** Write each part's exact byte length as `size=` (§3, optional but checked). Default true. */
  readonly includeSize?: boolean
}

/** A multipart body ready to sign and send. */
export interface EncodedMultipart {
  /** The exact `Content-Type` header value, boundary included (it is signed). */
  readonly contentType: string
  /** The boundary. */
  readonly boundary: string
  /** The body: in memory when every part is, else streamed part by part in constant memory. */
  readonly body: OwnedBody
}

const BOUNDARY = /^[0-9A-Za-z'()+_,./:=?-]{1,70}$/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const CRLF = utf8Encode('\r\n')

/**
 * Builds a multipart/form-data body byte for byte (§3): for each part `--boundary`, `Content-Type`,
 * `Content-Disposition: form-data; filename=...; name=...; size=...`, a blank line, the bytes, CRLF;
 * then `--boundary--` CRLF. The layout is the one Apple's examples and the apple-news npm package use.
 * The body is an owned body, so the bytes that are signed are the bytes that are sent.
 */
export function encodeMultipart(
  parts: readonly MultipartPart[],
  options: MultipartOptions = {},
): EncodedMultipart {
  const chosen = options.boundary
  if (chosen !== undefined && !BOUNDARY.test(chosen))
    throw appleNewsError(
      'INVALID_ARGUMENT',
      `The multipart boundary ${JSON.stringify(chosen.slice(0, 80))} is not 1-70 characters of letters, digits and '()+_,-./:=?.`,
    )
  let boundary = chosen ?? randomBoundary()
  // A boundary must not occur inside a part. Random 122-bit boundaries essentially never do; check
  // the parts held in memory anyway (file parts are not re-read for this).
  while (collides(parts, boundary)) {
    if (chosen !== undefined)
      throw appleNewsError(
        'INVALID_ARGUMENT',
        `The multipart boundary ${chosen} occurs inside a part; choose another.`,
      )
    boundary = randomBoundary()
  }
  const includeSize = options.includeSize !== false
  const pieces: Array<OwnedBody | Uint8Array> = []
  for (const part of parts) {
    const disposition = [
      'form-data',
      ...(part.filename === undefined ? [] : [`filename=${parameterValue(part.filename, 'filename')}`]),
      `name=${parameterValue(part.name, 'name')}`,
      ...(includeSize ? [`size=${part.body.byteLength}`] : []),
    ].join('; ')
    if (/[\r\n\0]/.test(part.contentType))
      throw appleNewsError('INVALID_ARGUMENT', `The content type of part ${part.name} contains a line break.`)
    pieces.push(
      utf8Encode(
        `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Disposition: ${disposition}\r\n\r\n`,
      ),
      part.body,
      CRLF,
    )
  }
  pieces.push(utf8Encode(`--${boundary}--\r\n`))
  return { contentType: `multipart/form-data; boundary=${boundary}`, boundary, body: concatBodies(pieces) }
}

/**
 * A version-4 UUID without its dashes: 32 hex digits, 122 of their bits random. Node hands UUIDs out of
 * a cached batch of random bytes, where `randomBytes(16)` asks OpenSSL each time (with a `getpid()`
 * system call for its fork check): 0.6 µs against 4-5 µs per article on the benchmark machine.
 */
function randomBoundary(): string {
  return randomUUID().replaceAll('-', '')
}

function collides(parts: readonly MultipartPart[], boundary: string): boolean {
  const needle = Buffer.from(`--${boundary}`)
  return parts.some((part) => {
    const bytes = part.body.inMemoryBytes()
    return (
      bytes !== undefined && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle)
    )
  })
}

/** A parameter value: bare when it is an HTTP token (as Apple's examples), else a quoted string. */
function parameterValue(value: string, what: string): string {
  if (value === '' || /[\r\n\0]/.test(value))
    throw appleNewsError(
      'INVALID_ARGUMENT',
      `The ${what} ${JSON.stringify(value)} cannot be put in a part header.`,
    )
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}
