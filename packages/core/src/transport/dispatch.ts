import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { TrackedUpload } from '../progress/upload-progress.js'
import type { HttpRequest } from './http-request.js'

/**
 * undici's dispatch options for the signed `request`: the target exactly as signed, the headers plus
 * `Content-Length` when there is a body and `User-Agent` when the request has none, and the body's
 * bytes (in memory, streamed from its chunks, or through the upload-progress tracker).
 */
export function dispatchOptions(
  request: HttpRequest,
  upload: TrackedUpload | undefined,
  userAgent: string,
): Dispatcher.DispatchOptions {
  const body = request.body
  const hasBody = body.byteLength > 0 || !BODYLESS.has(request.method)
  const addAgent = request.headers['user-agent'] === undefined
  // undici only reads `headers`: one copy when something is added, none otherwise.
  const headers =
    hasBody || addAgent
      ? {
          ...request.headers,
          ...(addAgent ? { 'user-agent': userAgent } : undefined),
          ...(hasBody ? { 'content-length': String(body.byteLength) } : undefined),
        }
      : request.headers
  return {
    origin: request.origin,
    path: request.target,
    method: request.method,
    headers,
    body: !hasBody
      ? null
      : upload && body.byteLength > 0
        ? // undici accepts (async) iterable bodies (Dispatcher.md, `body`); its types omit them.
          (upload.chunks as unknown as Readable)
        : (body.inMemoryBytes() ?? (body.chunks() as unknown as Readable)),
  }
}

const BODYLESS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS'])
