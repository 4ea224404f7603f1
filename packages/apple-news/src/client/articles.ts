import { formatIsoSeconds, type ProgressOptions } from '@sigwire/core'
import { toAppleNewsError } from '../errors.js'
import {
  type ArticleBundleInput,
  type ArticleBundleOptions,
  type BundleResource,
  buildBundleReadingArticle,
} from '../multipart/article-bundle.js'
import { resolveRemoteResources } from '../multipart/remote-resources.js'
import { type ApiContext, checkId, data, json, send } from './api.js'
import { type PreviewsApi, previewsApi } from './previews.js'
import { type ArticleWriteOptions, checkBeforeSend } from './send-checks.js'
import type {
  Article,
  ArticleMetadata,
  ArticleSearchPage,
  ArticleSearchParams,
  ArticleUpdateResult,
  CallOptions,
} from './types.js'

/** Input of `articles.create`. */
export interface CreateArticleInput {
  /** The Apple News Format document (object, or its exact JSON text). */
  readonly article: object | string
  /** Metadata (sections, preview, sponsored...). */
  readonly metadata?: ArticleMetadata
  /** Images and fonts referenced as `bundle://<filename>`; `{ path }` streams a file. */
  readonly resources?: readonly BundleResource[]
  /** Channel to publish to (default: the client's channel). */
  readonly channelId?: string
}

/** Input of `articles.update`. */
export interface UpdateArticleInput {
  /** The revision read from the article; a stale one fails with `CONFLICT` (Apple's `WRONG_REVISION`). */
  readonly revision: string
  /** The new document; omit for a metadata-only update. */
  readonly article?: object | string
  /** Metadata fields to change. */
  readonly metadata?: ArticleMetadata
  /** The bundle resources of the new document. */
  readonly resources?: readonly BundleResource[]
}

/** Article calls, and the helpers for preview and duplicate errors. */
export interface ArticlesApi extends PreviewsApi {
  /**
   * `POST /channels/{channelId}/articles` with a multipart bundle built byte for byte. `onProgress`
   * counts the whole multipart body (its `Content-Length` is the total) as it is handed to the socket;
   * a retried attempt starts again from 0. A create is never repeated blindly: a lost answer is
   * `OUTCOME_UNKNOWN`, and the message says to search the channel's articles by title first.
   */
  create(
    input: CreateArticleInput,
    options?: CallOptions & ArticleBundleOptions & ProgressOptions & ArticleWriteOptions,
  ): Promise<Article>
  /** `GET /articles/{articleId}`. */
  read(articleId: string, options?: CallOptions): Promise<Article>
  /**
   * `POST /articles/{articleId}`: metadata carries `revision`; 409 `WRONG_REVISION` becomes
   * `CONFLICT`. `onProgress` as for `create`. A lost answer is `OUTCOME_UNKNOWN`: read the article
   * and compare its revision.
   */
  update(
    articleId: string,
    input: UpdateArticleInput,
    options?: CallOptions & ArticleBundleOptions & ProgressOptions & ArticleWriteOptions,
  ): Promise<ArticleUpdateResult>
  /** `DELETE /articles/{articleId}`. */
  delete(articleId: string, options?: CallOptions): Promise<void>
  /** One page of `GET /channels/{id}/articles` (or `/sections/{id}/articles` with `sectionId`). */
  search(params?: ArticleSearchParams, options?: CallOptions): Promise<ArticleSearchPage>
  /** Every matching article, following `pageToken` page after page. */
  searchAll(params?: Omit<ArticleSearchParams, 'pageToken'>, options?: CallOptions): AsyncIterable<Article>
}

/** How to check a create whose answer was lost (the API has no idempotency key; §2). */
const CREATE_HINT =
  "Search the channel's articles by title (articles.search or searchAll) before creating it again: a second create publishes a duplicate."
/** How to check an update whose answer was lost. */
const UPDATE_HINT =
  'Read the article (articles.read): a revision other than the one you sent means the update was applied.'

function rethrow(error: unknown): never {
  throw toAppleNewsError(error)
}

/** @internal */
export function articlesApi(context: ApiContext): ArticlesApi {
  const bundleOptions = (options: ArticleBundleOptions = {}): ArticleBundleOptions => ({
    ...(options.boundary === undefined ? {} : { boundary: options.boundary }),
    ...(options.includeSize === undefined ? {} : { includeSize: options.includeSize }),
    ...(options.metadataFilename === undefined ? {} : { metadataFilename: options.metadataFilename }),
  })

  const search = async (
    params: ArticleSearchParams = {},
    options?: CallOptions,
  ): Promise<ArticleSearchPage> => {
    const path =
      params.sectionId === undefined
        ? `/channels/${checkId(context.channelId, 'channel ID')}/articles`
        : `/sections/${checkId(params.sectionId, 'section ID')}/articles`
    const query: Array<[string, string]> = []
    const date = (value: Date | string) => (typeof value === 'string' ? value : formatIsoSeconds(value))
    if (params.fromDate !== undefined) query.push(['fromDate', date(params.fromDate)])
    if (params.toDate !== undefined) query.push(['toDate', date(params.toDate)])
    if (params.sortDir !== undefined) query.push(['sortDir', params.sortDir])
    if (params.pageSize !== undefined) query.push(['pageSize', String(params.pageSize)])
    if (params.pageToken !== undefined) query.push(['pageToken', params.pageToken])
    const what = `GET ${path}`
    const parsed = json<{ data?: Article[]; meta?: { nextPageToken?: string } }>(
      await send(context, { method: 'GET', path, query, what }, options),
      what,
    )
    const token = parsed.meta?.nextPageToken
    return { articles: parsed.data ?? [], ...(token ? { nextPageToken: token } : {}) }
  }

  const api: Omit<ArticlesApi, keyof PreviewsApi> = {
    async create(input, options = {}) {
      const channelId = checkId(input.channelId ?? context.channelId, 'channel ID')
      const resolved = await resolveRemoteResources(input, context.transport, {
        ...options,
        clientSignal: context.signal,
      })
      try {
        const { bundle, document } = await buildBundleReadingArticle(
          { article: resolved.article, metadata: input.metadata, resources: resolved.resources },
          bundleOptions(options),
        ).catch(rethrow)
        if (options.validate !== false) checkBeforeSend(document, input.metadata, bundle, false)
        const what = `POST /channels/${channelId}/articles`
        const response = await send(
          context,
          {
            method: 'POST',
            path: `/channels/${channelId}/articles`,
            what,
            body: bundle.body,
            contentType: bundle.contentType,
            outcomeHint: CREATE_HINT,
          },
          options,
        )
        return data<Article>(response, what)
      } finally {
        await resolved.cleanup()
      }
    },

    async read(articleId, options) {
      const id = checkId(articleId, 'article ID')
      const what = `GET /articles/${id}`
      return data<Article>(
        await send(context, { method: 'GET', path: `/articles/${id}`, what }, options),
        what,
      )
    },

    async update(articleId, input, options = {}) {
      const id = checkId(articleId, 'article ID')
      const resolved = await resolveRemoteResources(input, context.transport, {
        ...options,
        clientSignal: context.signal,
      })
      try {
        // The update's metadata part is required and carries the revision (§2).
        const metadata = { ...input.metadata, revision: input.revision }
        const bundleInput: ArticleBundleInput = {
          article: resolved.article,
          metadata,
          resources: resolved.resources,
        }
        const { bundle, document } = await buildBundleReadingArticle(
          bundleInput,
          bundleOptions(options),
        ).catch(rethrow)
        if (options.validate !== false) checkBeforeSend(document, metadata, bundle, true)
        const what = `POST /articles/${id}`
        const response = await send(
          context,
          {
            method: 'POST',
            path: `/articles/${id}`,
            what,
            body: bundle.body,
            contentType: bundle.contentType,
            outcomeHint: UPDATE_HINT,
          },
          options,
        )
        return { article: data<Article>(response, what), applied: response.status !== 202 }
      } finally {
        await resolved.cleanup()
      }
    },

    async delete(articleId, options) {
      const id = checkId(articleId, 'article ID')
      await send(
        context,
        { method: 'DELETE', path: `/articles/${id}`, what: `DELETE /articles/${id}` },
        options,
      )
    },

    search,

    async *searchAll(params = {}, options) {
      let pageToken: string | undefined
      do {
        const page = await search({ ...params, ...(pageToken ? { pageToken } : {}) }, options)
        yield* page.articles
        pageToken = page.nextPageToken
      } while (pageToken !== undefined)
    },
  }
  return { ...api, ...previewsApi(context, api) }
}
