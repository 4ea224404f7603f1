import { isAppleNewsError } from '../errors.js'
import type { ApiContext } from './api.js'
import type { ArticlesApi } from './articles.js'
import type { Article, CallOptions } from './types.js'

/** Options of {@link PreviewsApi.deletePreviews}. */
export interface DeletePreviewsOptions extends CallOptions {
  /** Keep the newest `keep` previews. Default 0. */
  readonly keep?: number
  /** Delete only previews created before this time. */
  readonly olderThan?: Date
  /** Delete at most this many. Default: all that match. */
  readonly limit?: number
}

/**
 * Helpers for the channel-state errors publishers hit (docs/protocols/apple-news.md §8):
 * `TOO_MANY_PREVIEW_ARTICLES` (a channel holds at most 500 previews: list and delete them) and
 * `DUPLICATE_ARTICLE_FOUND` (Apple names the article that already has this title, URL or thumbnail).
 */
export interface PreviewsApi {
  /** The channel's preview articles (`isPreview: true`), newest first. */
  previews(options?: CallOptions): AsyncIterable<Article>
  /** Deletes preview articles, oldest first; returns the IDs deleted. */
  deletePreviews(options?: DeletePreviewsOptions): Promise<string[]>
  /**
   * The article a `DUPLICATE_ARTICLE_FOUND` error names (its `value` is the original's ID), read from
   * the API; undefined for any other error. Use it to update that article instead of creating anew.
   */
  findDuplicate(error: unknown, options?: CallOptions): Promise<Article | undefined>
}

/** The ID a `DUPLICATE_ARTICLE_FOUND` error names, if it is one. */
export function duplicateArticleId(error: unknown): string | undefined {
  if (!isAppleNewsError(error)) return undefined
  const item = error.errors.find((e) => e.code === 'DUPLICATE_ARTICLE_FOUND')
  return typeof item?.value === 'string' ? item.value : undefined
}

/** @internal The {@link PreviewsApi} over the articles API. */
export function previewsApi(
  _context: ApiContext,
  articles: Pick<ArticlesApi, 'searchAll' | 'delete' | 'read'>,
): PreviewsApi {
  const previews = async function* (options: CallOptions = {}) {
    for await (const article of articles.searchAll({ sortDir: 'DESC', pageSize: 100 }, options))
      if (article.isPreview === true) yield article
  }
  return {
    previews,
    async deletePreviews(options = {}) {
      const all: Article[] = []
      for await (const article of previews(options)) all.push(article)
      const keep = options.keep ?? 0
      const candidates = all
        .slice(keep)
        .filter(
          (a) => options.olderThan === undefined || Date.parse(a.createdAt) < options.olderThan.getTime(),
        )
        .reverse()
        .slice(0, options.limit ?? Number.POSITIVE_INFINITY)
      const deleted: string[] = []
      for (const article of candidates) {
        await articles.delete(article.id, options)
        deleted.push(article.id)
      }
      return deleted
    },
    async findDuplicate(error, options = {}) {
      const id = duplicateArticleId(error)
      return id === undefined ? undefined : articles.read(id, options)
    },
  }
}
