import { InputError } from '../output/errors.js'
import { addHeader, type ParsedRequest, splitAbsoluteUrl } from './parsed-request.js'

interface HarEntry {
  request?: {
    method?: string
    url?: string
    headers?: Array<{ name: string; value: string }>
    postData?: { text?: string; encoding?: string; mimeType?: string }
  }
}

/**
 * Reads one request from a HAR 1.2 file (browser devtools "Save all as HAR"). `entry` picks which
 * (default: the first whose URL matches `match`, else the first). Browsers store the URL as they
 * serialized it, so the target is taken from that text without re-encoding.
 */
export function parseHar(text: string, options: { entry?: number; match?: string } = {}): ParsedRequest {
  let har: { log?: { entries?: HarEntry[] } }
  try {
    har = JSON.parse(text)
  } catch {
    throw new InputError('The HAR file is not valid JSON.')
  }
  const entries = har.log?.entries
  if (!Array.isArray(entries) || entries.length === 0)
    throw new InputError('The HAR file has no log.entries.')
  const index =
    options.entry ??
    (options.match
      ? Math.max(
          0,
          entries.findIndex((e) => e.request?.url?.includes(options.match!)),
        )
      : 0)
  const request = entries[index]?.request
  if (!request?.url || !request.method)
    throw new InputError(`HAR entry ${index} has no request method and URL.`)
  const split = splitAbsoluteUrl(request.url)
  if (!split)
    throw new InputError(`HAR entry ${index} has a URL that is not absolute: ${request.url.slice(0, 100)}`)
  const headers: Record<string, string | string[]> = {}
  for (const header of request.headers ?? []) {
    // HTTP/2 pseudo-headers (:authority, :path) are not request headers.
    if (!header.name.startsWith(':')) addHeader(headers, header.name, header.value)
  }
  const post = request.postData
  const body =
    post?.text === undefined
      ? new Uint8Array()
      : new Uint8Array(Buffer.from(post.text, post.encoding === 'base64' ? 'base64' : 'utf8'))
  const warnings = entries.length > 1 ? [`used HAR entry ${index} of ${entries.length}`] : []
  return {
    method: request.method.toUpperCase(),
    target: split.target,
    origin: split.origin,
    headers,
    body,
    warnings,
  }
}
