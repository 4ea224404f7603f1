import { jsonBody } from '@sigwire/core'
import { type ApiContext, checkId, data, send } from './api.js'
import type { CallOptions, Section } from './types.js'

/** Section calls. */
export interface SectionsApi {
  /** `GET /channels/{channelId}/sections`. */
  list(channelId?: string, options?: CallOptions): Promise<Section[]>
  /** `GET /sections/{sectionId}`. */
  read(sectionId: string, options?: CallOptions): Promise<Section>
  /**
   * `POST /sections/{sectionId}/promotedArticles`: sets the section's promoted articles (at most 6;
   * `[]` clears). Returns the promoted articles' URLs.
   */
  promoteArticles(sectionId: string, articleIds: readonly string[], options?: CallOptions): Promise<string[]>
}

/** @internal */
export function sectionsApi(context: ApiContext): SectionsApi {
  return {
    async list(channelId = context.channelId, options) {
      const id = checkId(channelId, 'channel ID')
      const what = `GET /channels/${id}/sections`
      return data<Section[]>(
        await send(context, { method: 'GET', path: `/channels/${id}/sections`, what }, options),
        what,
      )
    },
    async read(sectionId, options) {
      const id = checkId(sectionId, 'section ID')
      const what = `GET /sections/${id}`
      return data<Section>(
        await send(context, { method: 'GET', path: `/sections/${id}`, what }, options),
        what,
      )
    },
    async promoteArticles(sectionId, articleIds, options) {
      const id = checkId(sectionId, 'section ID')
      const ids = articleIds.map((a) => checkId(a, 'article ID'))
      const what = `POST /sections/${id}/promotedArticles`
      const response = await send(
        context,
        {
          method: 'POST',
          path: `/sections/${id}/promotedArticles`,
          what,
          body: jsonBody({ data: { promotedArticles: ids } }),
          contentType: 'application/json',
          // Setting the same list twice has the same effect as once.
          retrySafe: true,
        },
        options,
      )
      return data<{ promotedArticles: string[] }>(response, what).promotedArticles
    },
  }
}
