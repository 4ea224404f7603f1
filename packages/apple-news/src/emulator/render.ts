import type { ServerResponse } from 'node:http'
import type { AppleNewsState, StoredArticle, StoredChannel, StoredSection } from './state.js'
import { revisionToken } from './state.js'

/** One item of Apple's error body. */
export interface ErrorItem {
  code: string
  keyPath?: Array<string | number>
  value?: unknown
  message?: string
}

/** A response the handlers return. */
export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** `{"errors":[...]}` with `status`. */
export function errorReply(
  status: number,
  code: string,
  extra: Omit<ErrorItem, 'code'> = {},
  headers?: Record<string, string>,
): Reply {
  return { status, body: { errors: [{ code, ...extra }] }, ...(headers ? { headers } : {}) }
}

/** Writes a reply: JSON as Apple sends it (`application/json;charset=UTF-8`), no body for 204. */
export function writeReply(res: ServerResponse, reply: Reply, dateMs: number): void {
  const headers: Record<string, string> = { date: new Date(dateMs).toUTCString(), ...reply.headers }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end()
    return
  }
  const text = JSON.stringify(reply.body)
  res
    .writeHead(reply.status, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    })
    .end(text)
}

/** A channel as `GET /channels/{id}` returns it. */
export function channelJson(channel: StoredChannel, origin: string): Record<string, unknown> {
  return {
    createdAt: channel.createdAt,
    modifiedAt: channel.modifiedAt,
    id: channel.id,
    type: 'channel',
    shareUrl: `https://apple.news/channel/${channel.id}`,
    links: {
      defaultSection: `${origin}/sections/${channel.defaultSectionId}`,
      self: `${origin}/channels/${channel.id}`,
    },
    name: channel.name,
    website: channel.website,
  }
}

/** A section as the API returns it. */
export function sectionJson(section: StoredSection, origin: string): Record<string, unknown> {
  return {
    createdAt: section.createdAt,
    modifiedAt: section.modifiedAt,
    id: section.id,
    type: 'section',
    name: section.name,
    isDefault: section.isDefault,
    shareUrl: `https://apple.news/section/${section.id}`,
    links: { channel: `${origin}/channels/${section.channelId}`, self: `${origin}/sections/${section.id}` },
  }
}

/** A channel's throttling object (`/quota` and `meta.throttling`). */
export function throttlingJson(
  state: AppleNewsState,
  channelId: string,
  quota: number,
  nowMs: number,
): Record<string, unknown> {
  const used = (state.quotaLog[channelId] ?? []).filter((t) => nowMs - t < 3_600_000).length
  const available = Math.max(0, quota - used)
  return { isThrottled: available === 0, queueSize: 0, estimatedDelayInSeconds: 0, quotaAvailable: available }
}

/** An article as the API returns it; search results leave out the document. */
export function articleJson(
  article: StoredArticle,
  origin: string,
  options: { state?: string; document?: boolean; throttling?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const m = article.metadata
  return {
    createdAt: article.createdAt,
    modifiedAt: article.modifiedAt,
    id: article.id,
    type: 'article',
    shareUrl: `https://apple.news/${Buffer.from(article.id.replace(/-/g, ''), 'hex').toString('base64url')}`,
    links: {
      channel: `${origin}/channels/${article.channelId}`,
      self: `${origin}/articles/${article.id}`,
      sections: article.sectionIds.map((id) => `${origin}/sections/${id}`),
    },
    ...(options.throttling ? { meta: { throttling: options.throttling } } : {}),
    ...(options.document === false ? {} : { document: article.document }),
    revision: revisionToken(article.revision),
    state: options.state ?? 'LIVE',
    title: article.title,
    maturityRating: m.maturityRating ?? null,
    warnings: [],
    isCandidateToBeFeatured: m.isCandidateToBeFeatured === true,
    isSponsored: m.isSponsored === true,
    isPreview: m.isPreview === true,
    isHidden: m.isHidden === true,
    ...(Array.isArray(m.targetTerritoryCountryCodes)
      ? { targetTerritoryCountryCodes: m.targetTerritoryCountryCodes }
      : {}),
  }
}
