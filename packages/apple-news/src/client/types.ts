import type { AppleNewsErrorItem } from '../errors.js'

/** A channel's throttling state (§4; `GET /channels/{id}/quota` and `meta.throttling`). */
export interface Throttling {
  /** True once the channel's quota is spent: create, update and search answer 429 until it refills (§4). */
  readonly isThrottled: boolean
  /** Requests the channel may still make in the current throttling window before it is throttled. */
  readonly quotaAvailable: number
  /** Requests of the channel Apple has queued instead of processing them at once; 0 when none wait. */
  readonly queueSize: number
  /** Apple's estimate, in seconds, of how long a queued request waits; 0 when nothing is queued. */
  readonly estimatedDelayInSeconds: number
}

/** A channel (`GET /channels/{channelId}`). */
export interface Channel {
  /** The channel's UUID, the one an API key belongs to (§1.2). */
  readonly id: string
  /** Always `channel` (the resource type Apple puts in every answer). */
  readonly type: 'channel'
  /** The channel's display name, as set in News Publisher. */
  readonly name: string
  /** The publisher's website URL set for the channel; absent when none is set. */
  readonly website?: string
  /** The channel's public `https://apple.news/...` link for readers; absent when Apple sent none. */
  readonly shareUrl?: string
  /** When the channel was created: ISO 8601 text as Apple sent it (e.g. `2015-02-28T00:49:36Z`). */
  readonly createdAt: string
  /** When the channel was last changed: ISO 8601 text as Apple sent it. */
  readonly modifiedAt: string
  /** API URLs of related resources (`https://news-api.apple.com/...`). */
  readonly links: {
    /** API URL of the default section, where an article created without `links.sections` goes (§3). */
    readonly defaultSection: string
    /** API URL of this channel (`GET /channels/{channelId}`). */
    readonly self: string
  }
}

/** A section of a channel. */
export interface Section {
  /** The section's UUID (`ArticleSearchParams.sectionId`, the last segment of its API URL). */
  readonly id: string
  /** Always `section` (the resource type Apple puts in every answer). */
  readonly type: 'section'
  /** The section's display name, as set in News Publisher. */
  readonly name: string
  /** True for the channel's default section, which gets articles created without `links.sections` (§3). */
  readonly isDefault: boolean
  /** The section's public `https://apple.news/...` link for readers; absent when Apple sent none. */
  readonly shareUrl?: string
  /** When the section was created: ISO 8601 text as Apple sent it. */
  readonly createdAt: string
  /** When the section was last changed: ISO 8601 text as Apple sent it. */
  readonly modifiedAt: string
  /** API URLs of related resources. */
  readonly links: {
    /** API URL of the channel the section belongs to. */
    readonly channel: string
    /** API URL of this section; this full URL is what `ArticleMetadata.links.sections` takes. */
    readonly self: string
  }
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
  /** The article's UUID: what `read`, `update` and `delete` take. */
  readonly id: string
  /** Always `article` (the resource type Apple puts in every answer). */
  readonly type: 'article'
  /** Opaque token to pass to `update`; changes on every update. */
  readonly revision: string
  /** Where Apple is with the article: `PROCESSING` right after a create, then `LIVE` (§2). */
  readonly state: ArticleState
  /** The document's title, as Apple read it from `article.json`. */
  readonly title?: string
  /** The article's public `https://apple.news/...` link for readers (its ID also works for `read`, §2). */
  readonly shareUrl?: string
  /** When the article was created: ISO 8601 text; search's `fromDate` and `toDate` compare with it (§2). */
  readonly createdAt: string
  /** When the article was last changed: ISO 8601 text as Apple sent it. */
  readonly modifiedAt: string
  /** True while the article is a preview, visible only in News Preview; may go to false, never back (§2). */
  readonly isPreview?: boolean
  /** True when the publisher marked the article as sponsored (paid) content. */
  readonly isSponsored?: boolean
  /** True when the publisher offered the article to Apple News editors for featuring. */
  readonly isCandidateToBeFeatured?: boolean
  /** True for an article that is published but not shown in the channel's feed and sections. */
  readonly isHidden?: boolean
  /** The article's audience rating; `null` (or absent) when the publisher set none. */
  readonly maturityRating?: 'KIDS' | 'MATURE' | 'GENERAL' | null
  /** Country codes (ISO 3166-1 alpha-2) the article is limited to; absent: every territory of the channel. */
  readonly targetTerritoryCountryCodes?: readonly string[]
  /** The Apple News Format document, on create, read and update. */
  readonly document?: Readonly<Record<string, unknown>>
  /** API URLs of related resources. */
  readonly links: {
    /** API URL of the channel the article belongs to. */
    readonly channel: string
    /** API URL of this article (`GET /articles/{articleId}`). */
    readonly self: string
    /** API URLs of the sections the article appears in; absent in answers that leave it out. */
    readonly sections?: readonly string[]
  }
  /** Create and update carry the channel's throttling state. */
  readonly meta?: {
    /** The channel's throttling state after this call (§4); absent on reads. */
    readonly throttling?: Throttling
  }
  /** Non-fatal problems Apple found in the document. */
  readonly warnings?: readonly AppleNewsErrorItem[]
}

/** Metadata of a create or update (§3); sent as the `metadata` part, wrapped in `{"data": ...}`. */
export interface ArticleMetadata {
  /** Offer the article to Apple News editors for featuring. */
  readonly isCandidateToBeFeatured?: boolean
  /** Publish the article without showing it in the channel's feed and sections. */
  readonly isHidden?: boolean
  /** A preview is visible only in News Preview; may go from true to false, not back. */
  readonly isPreview?: boolean
  /** Mark the article as sponsored (paid) content. */
  readonly isSponsored?: boolean
  /** The audience rating; `null` clears it. */
  readonly maturityRating?: 'KIDS' | 'MATURE' | 'GENERAL' | null
  /** Limit the article to these countries (ISO 3166-1 alpha-2 codes such as `US`, `GB`). */
  readonly targetTerritoryCountryCodes?: readonly string[]
  /** `links.sections`: full section URLs; `[]` publishes standalone; omitted, the default section. */
  readonly links?: {
    /**
     * Full section API URLs (`Section.links.self`, `https://news-api.apple.com/sections/{id}`), not bare
     * IDs; a bad one gives `DOES_NOT_EXIST`, `INCORRECT_HOST` or `INVALID_URL` (§4).
     */
    readonly sections?: readonly string[]
  }
  /**
   * The publication date readers see, ISO 8601; before 1970 is refused with `INVALID_PUBLISHING_DATE`
   * and before 2015 draws a warning (§4, DOC release notes).
   */
  readonly datePublished?: string
  /** Any other metadata field Apple documents, sent as given inside `{"data": ...}`. */
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
  /** The page's articles, without their `document` (read one to get it); empty when nothing matched. */
  readonly articles: readonly Article[]
  /** Pass as `pageToken` for the next page; undefined on the last page. */
  readonly nextPageToken?: string
}

/** The outcome of an update: `applied` is false when Apple answered 202 (an optimised article, §2). */
export interface ArticleUpdateResult {
  /** The article as Apple answered: the new revision when applied, else the unchanged article. */
  readonly article: Article
  /** False when Apple answered 202 because its editors optimised the article: the update was dropped. */
  readonly applied: boolean
}

export type { CallOptions } from '@sigwire/core'
