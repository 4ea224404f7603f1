import { bytesBody, fileBody, isOwnedBody, jsonBody, type OwnedBody, textBody } from '@sigwire/core'
import { ARTICLE_PART_NAME, METADATA_PART_NAME } from '../constants.js'
import { appleNewsError } from '../errors.js'
import { findBundleReferences, resourceContentType } from './bundle-references.js'
import { type EncodedMultipart, encodeMultipart, type MultipartPart } from './multipart.js'
import { isRemote, type RemoteResourceData } from './remote-resources.js'

/** A file of the article bundle (an image, a font), referenced as `bundle://<filename>`. */
export interface BundleResource {
  /** The filename used in `bundle://<filename>` references. */
  readonly filename: string
  /**
   * The bytes: a `Uint8Array`, an owned body, `{ path }` to stream a file from disk (hashed in one
   * pass, sent in a second, never held in memory), or `{ url }` for a file on the web, downloaded by
   * `articles.create`/`update` or referenced from the document (see {@link RemoteResourceData}).
   */
  readonly data:
    | Uint8Array
    | OwnedBody
    | {
        /** A file to stream; its size is read when the bundle is built: do not change it before the call. */
        readonly path: string
      }
    | RemoteResourceData
  /** Content type; default from the extension (`image/jpeg`, `image/png`, `image/gif`, else `application/octet-stream`). */
  readonly contentType?: string
  /** The part's `name`; default `file0`, `file1`... */
  readonly name?: string
}

/** What goes into a create or update request. */
export interface ArticleBundleInput {
  /**
   * The Apple News Format document: an object (serialized once with `JSON.stringify`) or the exact
   * JSON text of `article.json`. Omit only for a metadata-only update.
   */
  readonly article?: object | string | undefined
  /** Metadata fields; sent wrapped as `{"data": {...}}` (§3). */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /** Bundle resources; every `bundle://` reference in the article must have one. */
  readonly resources?: readonly BundleResource[] | undefined
}

/** Encoding options of {@link buildArticleBundle}. */
export interface ArticleBundleOptions {
  /** The boundary; default 32 random hex digits. */
  readonly boundary?: string
  /** Write `size=` on every part. Default true. */
  readonly includeSize?: boolean
  /**
   * Filename of the metadata part. Apple's documentation requires a filename on every part, while
   * its own examples send `name=metadata` without one; default `metadata.json`, `null` omits it.
   */
  readonly metadataFilename?: string | null
}

/** One part of a built bundle, as sent. */
export interface BundlePartSummary {
  /** The part's `name` in `Content-Disposition` (`article.json`, `metadata`, `file0`...). */
  readonly name: string
  /** The part's `filename` in `Content-Disposition`; undefined for a metadata part sent without one. */
  readonly filename: string | undefined
  /** The part's `Content-Type` header as sent. */
  readonly contentType: string
  /** Bytes of the part's content (headers and boundary lines not counted). */
  readonly size: number
}

/** A built bundle: the multipart body plus what is in it. */
export interface ArticleBundle extends EncodedMultipart {
  /** The parts in order. */
  readonly parts: readonly BundlePartSummary[]
}

/**
 * Builds the multipart body of an article create or update (§3): `article.json`, then `metadata`
 * wrapped as `{"data": ...}`, then each resource, every part with a filename and content type and a
 * correct `size=`. Checks that every `bundle://` reference has a resource (`INVALID_ARGUMENT` otherwise).
 * Resources given as `{ path }` are streamed from disk in constant memory.
 */
export async function buildArticleBundle(
  input: ArticleBundleInput,
  options: ArticleBundleOptions = {},
): Promise<ArticleBundle> {
  return (await buildBundleReadingArticle(input, options)).bundle
}

/**
 * {@link buildArticleBundle}, also answering the article document as read: the text of a string
 * article is parsed here once, and the validator reads the result instead of parsing it again.
 */
export async function buildBundleReadingArticle(
  input: ArticleBundleInput,
  options: ArticleBundleOptions = {},
): Promise<{ readonly bundle: ArticleBundle; readonly document: unknown }> {
  const parts: MultipartPart[] = []
  let document: unknown
  if (input.article !== undefined) {
    let body: OwnedBody
    if (typeof input.article === 'string') {
      try {
        document = JSON.parse(input.article)
      } catch (error) {
        throw appleNewsError(
          'INVALID_ARGUMENT',
          `article.json is not valid JSON: ${(error as Error).message}`,
        )
      }
      body = textBody(input.article)
    } else {
      document = input.article
      body = jsonBody(input.article)
    }
    const resources = new Set((input.resources ?? []).map((r) => r.filename))
    // Metadata may reference the bundle too (thumbnailURL: "bundle://photo.jpg").
    const references = [
      ...findBundleReferences(document),
      ...[...findBundleReferences(input.metadata ?? {})].map(
        ([f, path]) => [f, ['metadata', ...path]] as const,
      ),
    ]
    const missing = references.filter(([filename]) => !resources.has(filename))
    if (missing.length > 0)
      throw appleNewsError(
        'INVALID_ARGUMENT',
        `The article references ${missing.map(([f, path]) => `bundle://${f} (at ${path.join('.')})`).join(', ')} but no resource with that filename was given; add it to resources.`,
        { details: { missing: missing.map(([filename]) => filename) } },
      )
    parts.push({
      name: ARTICLE_PART_NAME,
      filename: ARTICLE_PART_NAME,
      contentType: 'application/json',
      body,
    })
  }
  if (input.metadata !== undefined) {
    const filename = options.metadataFilename === undefined ? 'metadata.json' : options.metadataFilename
    parts.push({
      name: METADATA_PART_NAME,
      filename: filename ?? undefined,
      contentType: 'application/json',
      body: jsonBody({ data: input.metadata }),
    })
  }
  const seen = new Set<string>([ARTICLE_PART_NAME])
  let index = 0
  for (const resource of input.resources ?? []) {
    if (seen.has(resource.filename))
      throw appleNewsError(
        'INVALID_ARGUMENT',
        `Two bundle parts are named ${JSON.stringify(resource.filename)}; every resource needs its own filename.`,
      )
    seen.add(resource.filename)
    parts.push({
      name: resource.name ?? `file${index++}`,
      filename: resource.filename,
      contentType: resource.contentType ?? resourceContentType(resource.filename),
      body: await resourceBody(resource.data),
    })
  }
  if (parts.length === 0)
    throw appleNewsError('INVALID_ARGUMENT', 'Nothing to send: give an article, metadata or both.')
  const encoded = encodeMultipart(parts, {
    ...(options.boundary === undefined ? {} : { boundary: options.boundary }),
    ...(options.includeSize === undefined ? {} : { includeSize: options.includeSize }),
  })
  const bundle: ArticleBundle = {
    ...encoded,
    parts: parts.map((p) => ({
      name: p.name,
      filename: p.filename,
      contentType: p.contentType,
      size: p.body.byteLength,
    })),
  }
  return { bundle, document }
}

async function resourceBody(data: BundleResource['data']): Promise<OwnedBody> {
  if (data instanceof Uint8Array) return bytesBody(data)
  if (isOwnedBody(data)) return data
  if (isRemote(data))
    throw appleNewsError(
      'INVALID_ARGUMENT',
      `A resource given by URL (${data.url}) is downloaded by articles.create and articles.update; to build a bundle yourself, download it first and pass { path }.`,
    )
  return fileBody(data.path)
}
