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
  /** `related` for a related article, `promoted` for one promoted with it. */
  readonly relationship: 'related' | 'promoted'
}

/** What the article is about (ANF `Metadata`); its URLs may be `bundle://` references. */
export interface DocumentMetadata {
  /** The authors' names. */
  readonly authors?: readonly string[]
  /** Campaign data for advertising targeting: keys to lists of values. */
  readonly campaignData?: Readonly<Record<string, readonly string[]>>
  /** The article's canonical web URL. */
  readonly canonicalURL?: string
  /** ISO 8601 date-times. */
  readonly dateCreated?: string
  /** When the article was last changed, ISO 8601. */
  readonly dateModified?: string
  /** When the article was published, ISO 8601. */
  readonly datePublished?: string
  /** A short summary shown in feeds. */
  readonly excerpt?: string
  /** An ID of the software that made the document. */
  readonly generatorIdentifier?: string
  /** The name of the software that made the document. */
  readonly generatorName?: string
  /** The version of the software that made the document. */
  readonly generatorVersion?: string
  /** The magazine issue the article belongs to (ANF `Issue`). */
  readonly issue?: Readonly<Record<string, unknown>>
  /** Keywords describing the article (at most 50). */
  readonly keywords?: readonly string[]
  /** Related and promoted Apple News articles. */
  readonly links?: readonly LinkedArticle[]
  /** The image of the article in feeds: `bundle://` or `https://`; JPEG, PNG, GIF or WebP. */
  readonly thumbnailURL?: string
  /** Shows the article's top through a transparent toolbar. */
  readonly transparentToolbar?: boolean
  /** A video of the article in feeds (`https://` only). */
  readonly videoURL?: string
  /** Cover images for the article (ANF `CoverArt`). */
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
  /** The article's subtitle. */
  readonly subtitle?: string
  /** What the article is about (authors, dates, thumbnail...). */
  readonly metadata?: DocumentMetadata
  /** The article's background. */
  readonly documentStyle?: DocumentStyle
  /** Named component layouts, referred to by components' `layout`. */
  readonly componentLayouts?: Readonly<Record<string, ComponentLayout>>
  /** Named component styles, referred to by components' `style`. */
  readonly componentStyles?: Readonly<Record<string, ComponentStyle>>
  /** Named text styles of components, referred to by `textStyle`; `default` and `default-<role>` apply without a reference. */
  readonly componentTextStyles?: Readonly<Record<string, ComponentTextStyle>>
  /** Named inline text styles, referred to by inline styles and HTML/Markdown classes. */
  readonly textStyles?: Readonly<Record<string, TextStyle>>
  /** Where Apple News places advertisements automatically (ANF `AutoPlacement`). */
  readonly autoplacement?: Readonly<Record<string, unknown>>
  /** Advertising settings of older format versions (ANF `AdvertisingSettings`). */
  readonly advertisingSettings?: Readonly<Record<string, unknown>>
}
