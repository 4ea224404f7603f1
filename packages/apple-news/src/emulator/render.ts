import { EmulatorError, type Reply, reply } from '@sigwire/emulator-kit'
import type { AppleNewsData } from './data.js'
import { revisionToken, type StoredArticle, type StoredChannel, type StoredSection } from './state.js'

/** One item of Apple's error body. */
export interface ErrorItem {
  code: string
  keyPath?: Array<string | number>
  value?: unknown
  message?: string
}

/** A successful answer of a handler: status, JSON body (none for 204) and headers. */
export interface Answer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** What a handler step gives: an answer, or Apple's error (returned, then thrown at the route). */
export type Outcome = Answer | EmulatorError

/** Codes of the kit's own errors in Apple's vocabulary. */
const KIT_CODES: Readonly<Record<string, string>> = {
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  MALFORMED_REQUEST: 'INVALID',
  BODY_TOO_LARGE: 'REQUEST_BODY_TOO_LARGE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
}

/** Apple's error `{"errors":[{code, keyPath, value, message}]}` with `status`, as the one error carrier. */
export function errorReply(
  status: number,
  code: string,
  extra: Omit<ErrorItem, 'code'> = {},
  headers?: Record<string, string>,
  options: { kind?: 'auth'; explanation?: string } = {},
): EmulatorError {
  return new EmulatorError(code, extra.message ?? code, {
    status,
    details: extra,
    ...(headers ? { headers } : {}),
    ...options,
  })
}

/** Renders an emulator error as Apple's error body (401s carry only the code, §1.3). */
export function renderAppleNewsError(error: EmulatorError): Reply {
  const kit = Object.hasOwn(KIT_CODES, error.code)
  const item = kit ? { code: KIT_CODES[error.code]! } : { code: error.code, ...error.details }
  return reply(error.status, { json: { errors: [item] } }, { 'content-type': JSON_TYPE, ...error.headers })
}

const JSON_TYPE = 'application/json;charset=UTF-8'

/** An answer as the kit writes it: JSON as Apple sends it (`application/json;charset=UTF-8`), no body for 204. */
export function toReply(answer: Answer): Reply {
  if (answer.body === undefined) return reply(answer.status, undefined, answer.headers)
  return reply(answer.status, { json: answer.body }, { 'content-type': JSON_TYPE, ...answer.headers })
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
  data: AppleNewsData,
  channelId: string,
  quota: number,
  nowMs: number,
  windowMs = 3_600_000,
): Record<string, unknown> {
  const used = (data.quotaLog.get(channelId) ?? []).filter((t) => nowMs - t < windowMs).length
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
    isPaid: m.isPaid === true,
    isDevelopingStory: m.isDevelopingStory === true,
    accessoryText: typeof m.accessoryText === 'string' ? m.accessoryText : null,
    ...(Array.isArray(m.targetTerritoryCountryCodes)
      ? { targetTerritoryCountryCodes: m.targetTerritoryCountryCodes }
      : {}),
  }
}
