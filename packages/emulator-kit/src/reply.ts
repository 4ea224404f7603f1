import { createReadStream } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'

/** Headers of a reply (`set-cookie` may be a list). */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[]>>

/** What a reply carries: JSON, text or bytes with their type, a file streamed from disk, or nothing. */
export type ReplyBody =
  | { readonly json: unknown }
  | { readonly text: string; readonly type: string }
  | { readonly bytes: Uint8Array; readonly type: string }
  | {
      readonly file: string
      readonly size: number
      readonly type: string
      /** Where in the file the `size` bytes start (a range of it). Default 0. */
      readonly offset?: number
    }

/** The one answer shape every route handler and error renderer returns; the kit writes it. */
export interface Reply {
  readonly status: number
  readonly body?: ReplyBody
  readonly headers?: ReplyHeaders
}

/** Builds a {@link Reply}. `reply(200, { json: value })`, `reply(204)`, `reply(302, undefined, { location })`. */
export function reply(status: number, body?: ReplyBody, headers?: ReplyHeaders): Reply {
  return { status, ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) }
}

/**
 * Writes a reply. JSON is sent as `application/json; charset=utf-8` unless the reply names its own
 * `content-type`; `defaults` (such as `date`) are overridden by the reply's headers.
 */
export async function writeReply(
  res: ServerResponse,
  answer: Reply,
  defaults: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (res.destroyed || res.writableEnded) return
  const headers: Record<string, string | readonly string[]> = { ...defaults }
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value
  const body = answer.body
  if (body === undefined) {
    headers['content-length'] ??= '0'
    res.writeHead(answer.status, headers as Record<string, string | string[]>).end()
    return
  }
  if ('file' in body) {
    headers['content-type'] ??= body.type
    headers['content-length'] = String(body.size)
    res.writeHead(answer.status, headers as Record<string, string | string[]>)
    const start = body.offset ?? 0
    if (body.size === 0) {
      res.end()
      return
    }
    await pipeline(createReadStream(body.file, { start, end: start + body.size - 1 }), res)
    return
  }
  let bytes: Uint8Array | string
  if ('json' in body) {
    bytes = JSON.stringify(body.json) ?? 'null'
    headers['content-type'] ??= 'application/json; charset=utf-8'
  } else if ('text' in body) {
    bytes = body.text
    headers['content-type'] ??= body.type
  } else {
    bytes = body.bytes
    headers['content-type'] ??= body.type
  }
  headers['content-length'] = String(typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength)
  res.writeHead(answer.status, headers as Record<string, string | string[]>).end(bytes)
}
