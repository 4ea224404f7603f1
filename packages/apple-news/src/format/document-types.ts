/**
 * The Apple News Format document (`article.json`), written from Apple's reference for
 * `ArticleDocument` and `Metadata` (`https://developer.apple.com/documentation/applenewsformat`;
 * Apple publishes no JSON schema; docs/protocols/apple-news.md §8).
 */
import type { Component } from './component-types.js'
import type {
  ComponentLayout,
  ComponentStyle,
  ComponentTextStyle,
  DocumentStyle,
  Layout,
  TextStyle,
} from './style-types.js'

/** A link from the article to another Apple News article (ANF `LinkedArticle`). */
export interface LinkedArticle {
  /** An `https://apple.news/...` URL. */
  readonly URL: string
  readonly relationship: 'related' | 'promoted'
}

/** What the article is about (ANF `Metadata`); its URLs may be `bundle://` references. */
export interface DocumentMetadata {
  readonly authors?: readonly string[]
  readonly campaignData?: Readonly<Record<string, readonly string[]>>
  readonly canonicalURL?: string
  /** ISO 8601 date-times. */
  readonly dateCreated?: string
  readonly dateModified?: string
  readonly datePublished?: string
  readonly excerpt?: string
  readonly generatorIdentifier?: string
  readonly generatorName?: string
  readonly generatorVersion?: string
  readonly issue?: Readonly<Record<string, unknown>>
  readonly keywords?: readonly string[]
  readonly links?: readonly LinkedArticle[]
  /** The image of the article in feeds: `bundle://` or `https://`; JPEG, PNG, GIF or WebP. */
  readonly thumbnailURL?: string
  readonly transparentToolbar?: boolean
  /** A video of the article in feeds (`https://` only). */
  readonly videoURL?: string
  readonly coverArt?: readonly Readonly<Record<string, unknown>>[]
}

/** The root of `article.json` (ANF `ArticleDocument`). */
export interface ArticleDocument {
  /** The format version, e.g. `"1.15"`. Required. */
  readonly version: string
  /** Your ID of the article, unique in the channel. Required. */
  readonly identifier: string
  /** Required. */
  readonly title: string
  /** An IETF language tag (`en`, `en_US`, `pt-BR`). Required. */
  readonly language: string
  /** Required. */
  readonly layout: Layout
  /** Required, may be empty. */
  readonly components: readonly Component[]
  readonly subtitle?: string
  readonly metadata?: DocumentMetadata
  readonly documentStyle?: DocumentStyle
  readonly componentLayouts?: Readonly<Record<string, ComponentLayout>>
  readonly componentStyles?: Readonly<Record<string, ComponentStyle>>
  readonly componentTextStyles?: Readonly<Record<string, ComponentTextStyle>>
  readonly textStyles?: Readonly<Record<string, TextStyle>>
  readonly autoplacement?: Readonly<Record<string, unknown>>
  readonly advertisingSettings?: Readonly<Record<string, unknown>>
}
