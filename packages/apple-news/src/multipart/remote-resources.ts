import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { type CallOptions, callSignal, createRequest, isLoopbackHost, type Transport } from '@sigwire/core'
import { BUNDLE_URL_PREFIX, PART_LIMITS } from '../constants.js'
import { appleNewsError, toAppleNewsError } from '../errors.js'
import { unsupportedImageType } from '../format/image-types.js'
import { partKind } from '../format/validate-article.js'
import type { BundleResource } from './article-bundle.js'

/** A resource whose bytes are at a URL: downloaded into the bundle, or referenced from the document. */
export interface RemoteResourceData {
  /** An `https://` URL (`http://` only to loopback). */
  readonly url: string
  /**
   * `download` (default): the client fetches the bytes and sends them as a bundle part, as
   * apple-news-rb's `add_file_at_url` does; `reference`: the document's `bundle://<filename>` becomes
   * the URL itself and Apple fetches it (the WordPress plugin's "use remote images";
   * docs/protocols/apple-news.md §8).
   */
  readonly remote?: 'download' | 'reference'
}

/** What {@link resolveRemoteResources} gives: the document and resources to build, and what to remove afterwards. */
export interface ResolvedResources {
  readonly article: object | string | undefined
  readonly resources: readonly BundleResource[] | undefined
  /** Removes the downloaded files. */
  cleanup(): Promise<void>
}

/** True for a resource given by URL. */
export function isRemote(data: BundleResource['data']): data is RemoteResourceData {
  return (
    typeof data === 'object' &&
    data !== null &&
    'url' in data &&
    typeof (data as { url: unknown }).url === 'string'
  )
}

function checkUrl(value: string, filename: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw appleNewsError('INVALID_ARGUMENT', `The URL of resource ${filename} is not an absolute URL.`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    throw appleNewsError(
      'INVALID_ARGUMENT',
      `The URL of resource ${filename} must be https:// (http:// only to loopback); Apple fetches only what it can reach securely.`,
    )
  return url
}

/** Replaces every `bundle://<filename>` string of a document with `url`. */
function substitute(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith(BUNDLE_URL_PREFIX))
    return map.get(value.slice(BUNDLE_URL_PREFIX.length)) ?? value
  if (Array.isArray(value)) return value.map((v) => substitute(v, map))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, map)]))
  return value
}

/**
 * Resolves the resources given by URL (docs/protocols/apple-news.md §8). Referenced ones are written
 * into the document in place of their `bundle://` name and leave the bundle. Downloaded ones are
 * streamed to a private temporary file (constant memory), refused when the server answers other than
 * 200, when the image type is one Apple News does not take (SVG...) or when they pass the part limit,
 * and then sent like `{ path }` resources with the server's Content-Type unless one was given.
 */
export async function resolveRemoteResources(
  input: { article?: object | string | undefined; resources?: readonly BundleResource[] | undefined },
  transport: Transport,
  options: CallOptions & { clientSignal?: AbortSignal | undefined } = {},
): Promise<ResolvedResources> {
  const remote = (input.resources ?? []).filter((r) => isRemote(r.data))
  if (remote.length === 0)
    return { article: input.article, resources: input.resources, cleanup: async () => {} }
  let dir: string | undefined
  const cleanup = async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  }
  try {
    const referenced = new Map<string, string>()
    const resources: BundleResource[] = []
    for (const resource of input.resources ?? []) {
      if (!isRemote(resource.data)) {
        resources.push(resource)
        continue
      }
      const url = checkUrl(resource.data.url, resource.filename)
      if (resource.data.remote === 'reference') {
        referenced.set(resource.filename, url.href)
        continue
      }
      dir ??= await mkdtemp(join(tmpdir(), 'sigwire-apple-news-'))
      const path = join(dir, `${resources.length}`)
      const contentType = await download(url, path, resource, transport, options)
      resources.push({ ...resource, data: { path }, contentType: resource.contentType ?? contentType })
    }
    let article = input.article
    if (referenced.size > 0 && article !== undefined) {
      const document = typeof article === 'string' ? (JSON.parse(article) as unknown) : article
      article = substitute(document, referenced) as object
    }
    return { article, resources, cleanup }
  } catch (error) {
    await cleanup()
    throw toAppleNewsError(error)
  }
}

async function download(
  url: URL,
  path: string,
  resource: BundleResource,
  transport: Transport,
  options: CallOptions & { clientSignal?: AbortSignal | undefined },
): Promise<string> {
  const signal = callSignal(options.clientSignal, options.signal)
  const response = await transport.sendStream(createRequest({ method: 'GET', url: url.href }), {
    retrySafe: true,
    ...(signal ? { signal } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  })
  const header = response.headers['content-type']
  const type =
    (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase() ??
    'application/octet-stream'
  const fail = (message: string) => {
    response.body.destroy()
    return appleNewsError('INVALID_ARGUMENT', `Resource ${resource.filename} (${url.href}): ${message}`)
  }
  if (response.status !== 200) throw fail(`the server answered HTTP ${response.status}, not 200.`)
  const contentType = resource.contentType ?? type
  const unsupported = type.startsWith('image/')
    ? unsupportedImageType(resource.filename, contentType)
    : undefined
  if (unsupported)
    throw fail(`${unsupported} images are not supported by Apple News; use JPEG, PNG, GIF or WebP.`)
  const limit = PART_LIMITS[partKind(resource.filename, contentType)]
  const length = Number(
    Array.isArray(response.headers['content-length']) ? undefined : response.headers['content-length'],
  )
  if (Number.isFinite(length) && length > limit)
    throw fail(`${length} bytes is over Apple's limit of ${limit}.`)
  let size = 0
  const counted = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      size += chunk.byteLength
      if (size > limit) throw fail(`it is over Apple's limit of ${limit} bytes.`)
      yield chunk
    }
  }
  await pipeline(response.body, counted, createWriteStream(path, { mode: 0o600 }))
  return contentType
}
