import type { IncomingMessage } from 'node:http'
import type { ReceivedRequest } from '@sigwire/core'
import { kitError } from './errors.js'

/**
 * Deepest JSON nesting an emulator parses. Jackson, the JSON parser of most Java services, refuses
 * documents nested deeper than 1000 levels by default (`StreamReadConstraints.DEFAULT_MAX_DEPTH`,
 * jackson-core 2.15), so no request a real service accepts is refused here.
 */
export const MAX_JSON_DEPTH = 1000

/** The `content-length` of a request, or undefined (chunked, or absent). */
export function declaredLength(req: Pick<ReceivedRequest, 'headers'>): number | undefined {
  const text = req.headers['content-length']
  if (typeof text !== 'string' || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

/** True when the request may have a body (a length above zero, or chunked). */
export function mayHaveBody(req: Pick<ReceivedRequest, 'headers'>): boolean {
  const length = declaredLength(req)
  return length === undefined ? req.headers['transfer-encoding'] !== undefined : length > 0
}

/**
 * Reads a body of at most `limit` bytes. A declared length above the limit fails before a byte is
 * read; a chunked body fails as soon as it passes the limit. Fails with `BODY_TOO_LARGE`.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(req)
  if (declared !== undefined && declared > limit) throw tooLarge(limit)
  if (declared === 0 || (declared === undefined && req.headers['transfer-encoding'] === undefined))
    return new Uint8Array(0)
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of chunksOf(req)) {
    total += chunk.byteLength
    if (total > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
}

/**
 * The body of a refused request, kept only when it fits in `keep` bytes (so the doctor can search a
 * signature over it); a larger body is not read at all. Returns undefined when it was not kept.
 */
export async function readSmallBody(req: IncomingMessage, keep: number): Promise<Uint8Array | undefined> {
  const declared = declaredLength(req)
  if (declared !== undefined && declared > keep) return undefined
  try {
    return await readBody(req, keep)
  } catch {
    return undefined
  }
}

/** Wraps a request stream so that reading past `limit` bytes fails with `BODY_TOO_LARGE`. */
export async function* limitedStream(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  const declared = declaredLength(req)
  if (declared !== undefined && declared > limit) throw tooLarge(limit)
  let total = 0
  for await (const chunk of chunksOf(req)) {
    total += chunk.byteLength
    if (total > limit) throw tooLarge(limit)
    yield chunk
  }
}

/**
 * The request's chunks. Stopping early leaves the request open (not destroyed), so the answer can
 * still be written; the kit then closes the connection instead of draining the rest.
 */
function chunksOf(req: IncomingMessage): AsyncIterable<Buffer> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>
}

function tooLarge(limit: number) {
  return kitError('BODY_TOO_LARGE', `The body is larger than the ${limit} bytes this endpoint accepts.`, {
    details: { limit },
  })
}

/**
 * Parses a UTF-8 JSON body, refusing invalid UTF-8, invalid JSON and nesting deeper than
 * {@link MAX_JSON_DEPTH} with `MALFORMED_REQUEST` (the emulator's renderer answers the service's 400).
 * Objects keep `__proto__` as an own key (JSON.parse never sets a prototype).
 */
export function parseJsonBody(body: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body)
  } catch {
    throw kitError('MALFORMED_REQUEST', 'The body is not UTF-8.')
  }
  const depth = jsonDepth(text)
  if (depth > maxDepth)
    throw kitError(
      'MALFORMED_REQUEST',
      `The JSON body is nested ${depth} levels deep; at most ${maxDepth} are accepted.`,
    )
  try {
    return JSON.parse(text)
  } catch {
    throw kitError('MALFORMED_REQUEST', 'The body is not valid JSON.')
  }
}

/** The deepest nesting of `[` and `{` outside strings (the text need not be valid JSON). */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > deepest) deepest = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}
