import type { AppleNewsErrorItem } from '../errors.js'

/** A channel's throttling state (§4; `GET /channels/{id}/quota` and `meta.throttling`). */
export interface Throttling {
  readonly isThrottled: boolean
  readonly quotaAvailable: number
  readonly queueSize: number
  readonly estimatedDelayInSeconds: number
}

/** A channel (`GET /channels/{channelId}`). */
export interface Channel {
  readonly id: string
  readonly type: 'channel'
  readonly name: string
  readonly website?: string
  readonly shareUrl?: string
  readonly createdAt: string
  readonly modifiedAt: string
  readonly links: { readonly defaultSection: string; readonly self: string }
}

/** A section of a channel. */
export interface Section {
  readonly id: string
  readonly type: 'section'
  readonly name: string
  readonly isDefault: boolean
  readonly shareUrl?: string
  readonly createdAt: string
  readonly modifiedAt: string
  readonly links: { readonly channel: string; readonly self: string }
}

/** Processing states of an article (§2). */
export type ArticleState =
  | 'PROCESSING'
  | 'LIVE'
  | 'PROCESSING_UPDATE'
  | 'TAKEN_DOWN'
  | 'FAILED_PROCESSING'
  | 'FAILED_PROCESSING_UPDATE'
  | 'DUPLICATE'

/** An article as the API returns it (search results carry no `document`). */
export interface Article {
  readonly id: string
  readonly type: 'article'
  /** Opaque token to pass to `update`; changes on every update. */
  readonly revision: string
  readonly state: ArticleState
  readonly title?: string
  readonly shareUrl?: string
  readonly createdAt: string
  readonly modifiedAt: string
  readonly isPreview?: boolean
  readonly isSponsored?: boolean
  readonly isCandidateToBeFeatured?: boolean
  readonly isHidden?: boolean
  /** The article is behind the channel's paywall (News+). */
  readonly isPaid?: boolean
  /** The article is a developing story. */
  readonly isDevelopingStory?: boolean
  /** Text shown with the article in feeds, or null. */
  readonly accessoryText?: string | null
  readonly maturityRating?: 'KIDS' | 'MATURE' | 'GENERAL' | null
  readonly targetTerritoryCountryCodes?: readonly string[]
  /** The Apple News Format document, on create, read and update. */
  readonly document?: Readonly<Record<string, unknown>>
  readonly links: { readonly channel: string; readonly self: string; readonly sections?: readonly string[] }
  /** Create and update carry the channel's throttling state. */
  readonly meta?: { readonly throttling?: Throttling }
  /** Non-fatal problems Apple found in the document. */
  readonly warnings?: readonly AppleNewsErrorItem[]
}

/**
 * Metadata of a create or update (§3, §8: DOC `Create Article Metadata Fields`; the WordPress plugin
 * sends the same set); sent as the `metadata` part, wrapped in `{"data": ...}`.
 */
export interface ArticleMetadata {
  /** Ask the Apple News editors to consider the article for featuring. */
  readonly isCandidateToBeFeatured?: boolean
  /** Hidden articles are reachable only by link. */
  readonly isHidden?: boolean
  /** A News+ (paid) article. */
  readonly isPaid?: boolean
  /** A developing story. */
  readonly isDevelopingStory?: boolean
  /** A preview is visible only in News Preview; may go from true to false, not back. */
  readonly isPreview?: boolean
  /** Sponsored content. */
  readonly isSponsored?: boolean
  /** Text shown next to the article in feeds (e.g. "Sponsored by..."), or null to remove it. */
  readonly accessoryText?: string | null
  readonly maturityRating?: 'KIDS' | 'MATURE' | 'GENERAL' | null
  /** ISO 3166-1 alpha-2 codes of the territories the article is shown in (e.g. `["US", "GB"]`). */
  readonly targetTerritoryCountryCodes?: readonly string[]
  /** `links.sections`: full section URLs; `[]` publishes standalone; omitted, the default section. */
  readonly links?: { readonly sections?: readonly string[] }
  /** ISO 8601 date-time of publication. */
  readonly datePublished?: string
  /** The article's thumbnail (`bundle://` or `https://`); promoted articles need one. */
  readonly thumbnailURL?: string
  /** Fields the API added after this list; sent as given. */
  readonly [field: string]: unknown
}

/** Query of `GET /channels/{id}/articles` and `GET /sections/{id}/articles` (§2). */
export interface ArticleSearchParams {
  /** Search one section instead of the whole channel. */
  readonly sectionId?: string
  /** Only articles created at or after this time. */
  readonly fromDate?: Date | string
  /** Only articles created at or before this time. */
  readonly toDate?: Date | string
  /** `ASC` or `DESC` (default) by creation time. */
  readonly sortDir?: 'ASC' | 'DESC'
  /** 1–100, default 10. */
  readonly pageSize?: number
  /** Continue after a previous page (`nextPageToken`). */
  readonly pageToken?: string
}

/** One page of search results. */
export interface ArticleSearchPage {
  readonly articles: readonly Article[]
  /** Pass as `pageToken` for the next page; undefined on the last page. */
  readonly nextPageToken?: string
}

/** The outcome of an update: `applied` is false when Apple answered 202 (an optimised article, §2). */
export interface ArticleUpdateResult {
  readonly article: Article
  readonly applied: boolean
}

export type { CallOptions } from '@sigwire/core'
