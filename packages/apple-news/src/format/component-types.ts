/**
 * The components of Apple News Format by `role`, written from Apple's reference (component pages
 * under `https://developer.apple.com/documentation/applenewsformat`; docs/protocols/apple-news.md §8).
 */
import type { ComponentLayout, ComponentStyle, ComponentTextStyle, InlineTextStyle } from './style-types.js'

/** Text components: their content is `text` (DOC `Text`). */
export const TEXT_ROLES = [
  'body',
  'title',
  'heading',
  'heading1',
  'heading2',
  'heading3',
  'heading4',
  'heading5',
  'heading6',
  'intro',
  'caption',
  'quote',
  'pullquote',
  'author',
  'byline',
  'illustrator',
  'photographer',
  'kicker',
] as const

/** Image components: one image at `URL` (DOC `Image`, `Photo`, `Figure`, `Portrait`, `Logo`, `ArticleThumbnail`). */
export const IMAGE_ROLES = ['image', 'photo', 'figure', 'portrait', 'logo', 'article_thumbnail'] as const

/** Galleries: several images in `items` (DOC `Gallery`, `Mosaic`). */
export const GALLERY_ROLES = ['gallery', 'mosaic'] as const

/** Components holding other components in `components` (DOC `Container` and its kinds). */
export const CONTAINER_ROLES = [
  'container',
  'section',
  'chapter',
  'header',
  'aside',
  'article_title',
] as const

/** Media at `URL` (DOC `Video`, `Audio`, `Music`, `EmbedWebVideo`, `ARKit`). */
export const MEDIA_ROLES = ['video', 'audio', 'music', 'embedwebvideo', 'embedvideo', 'arkit'] as const

/** Posts and pages embedded by `URL` (DOC `Instagram`, `FacebookPost`, `Tweet`, `TikTok`). */
export const EMBED_ROLES = ['instagram', 'facebook_post', 'tweet', 'tiktok'] as const

/** Advertisements (DOC `BannerAdvertisement`, `MediumRectangleAdvertisement`, `ReplicaAdvertisement`). */
export const AD_ROLES = [
  'banner_advertisement',
  'medium_rectangle_advertisement',
  'replica_advertisement',
] as const

/** The remaining roles (DOC `Divider`, `Map`, `Place`, `DataTable`, `HTMLTable`, `LinkButton`, `ArticleLink`). */
export const OTHER_ROLES = [
  'divider',
  'map',
  'place',
  'datatable',
  'htmltable',
  'link_button',
  'article_link',
] as const

/** Every component role sigwire knows. */
export const COMPONENT_ROLES: readonly ComponentRole[] = [
  ...TEXT_ROLES,
  ...IMAGE_ROLES,
  ...GALLERY_ROLES,
  ...CONTAINER_ROLES,
  ...MEDIA_ROLES,
  ...EMBED_ROLES,
  ...AD_ROLES,
  ...OTHER_ROLES,
]

/** A component role. */
export type ComponentRole =
  | (typeof TEXT_ROLES)[number]
  | (typeof IMAGE_ROLES)[number]
  | (typeof GALLERY_ROLES)[number]
  | (typeof CONTAINER_ROLES)[number]
  | (typeof MEDIA_ROLES)[number]
  | (typeof EMBED_ROLES)[number]
  | (typeof AD_ROLES)[number]
  | (typeof OTHER_ROLES)[number]

/** What every component has (DOC `Component`). */
export interface ComponentBase {
  /** An ID unique in the document (anchors and links refer to it). */
  readonly identifier?: string
  /** A key of `componentLayouts`, or a layout. */
  readonly layout?: string | ComponentLayout
  /** A key of `componentStyles`, or a style. */
  readonly style?: string | ComponentStyle
  readonly anchor?: Readonly<Record<string, unknown>>
  readonly animation?: Readonly<Record<string, unknown>>
  readonly behavior?: Readonly<Record<string, unknown>>
  readonly hidden?: boolean
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
  /** Links on the component (ANF `ComponentLink`). */
  readonly additions?: readonly Readonly<Record<string, unknown>>[]
}

/** A text component. */
export interface TextComponent extends ComponentBase {
  readonly role: (typeof TEXT_ROLES)[number]
  readonly text: string
  /** `html`, `markdown` or `none` (default). */
  readonly format?: 'html' | 'markdown' | 'none'
  /** A key of `componentTextStyles`, or a style. */
  readonly textStyle?: string | ComponentTextStyle
  readonly inlineTextStyles?: readonly InlineTextStyle[]
}

/** An image component. */
export interface ImageComponent extends ComponentBase {
  readonly role: (typeof IMAGE_ROLES)[number]
  /** `bundle://<filename>` or `https://...`; JPEG, PNG, GIF or WebP. */
  readonly URL: string
  readonly caption?: string | Readonly<Record<string, unknown>>
  readonly accessibilityCaption?: string
  readonly explicitContent?: boolean
  readonly aspectRatio?: number
}

/** One image of a gallery or mosaic (DOC `GalleryItem`). */
export interface GalleryItem {
  readonly URL: string
  readonly caption?: string | Readonly<Record<string, unknown>>
  readonly accessibilityCaption?: string
  readonly explicitContent?: boolean
}

/** A gallery or mosaic. */
export interface GalleryComponent extends ComponentBase {
  readonly role: (typeof GALLERY_ROLES)[number]
  readonly items: readonly GalleryItem[]
}

/** A container of components. */
export interface ContainerComponent extends ComponentBase {
  readonly role: (typeof CONTAINER_ROLES)[number]
  readonly components?: readonly Component[]
  readonly contentDisplay?: Readonly<Record<string, unknown>>
  readonly scene?: Readonly<Record<string, unknown>>
}

/** A video, audio, music, embedded web video or ARKit component. */
export interface MediaComponent extends ComponentBase {
  readonly role: (typeof MEDIA_ROLES)[number]
  readonly URL: string
  /** The still image shown before playback. */
  readonly stillURL?: string
  /** Audio and music: an image shown while playing. */
  readonly imageURL?: string
  readonly caption?: string | Readonly<Record<string, unknown>>
  readonly accessibilityCaption?: string
  readonly explicitContent?: boolean
  readonly aspectRatio?: number
}

/** An embedded social post. */
export interface EmbedComponent extends ComponentBase {
  readonly role: (typeof EMBED_ROLES)[number]
  readonly URL: string
}

/** An advertisement slot. */
export interface AdvertisementComponent extends ComponentBase {
  readonly role: (typeof AD_ROLES)[number]
  readonly bannerType?: 'any' | 'standard' | 'double_height' | 'large'
}

/** A divider, map, place, table, link button or article link. */
export interface OtherComponent extends ComponentBase {
  readonly role: (typeof OTHER_ROLES)[number]
  /** Link buttons and article links. */
  readonly URL?: string
  readonly text?: string
  /** Article links: the linked article's ID. */
  readonly articleIdentifier?: string
  /** HTML tables. */
  readonly html?: string
  /** Data tables. */
  readonly data?: Readonly<Record<string, unknown>>
  /** Maps and places. */
  readonly latitude?: number
  readonly longitude?: number
  readonly items?: readonly Readonly<Record<string, unknown>>[]
  /** Dividers. */
  readonly stroke?: Readonly<Record<string, unknown>>
  readonly components?: readonly Component[]
}

/** Any component of an article, discriminated by `role`. */
export type Component =
  | TextComponent
  | ImageComponent
  | GalleryComponent
  | ContainerComponent
  | MediaComponent
  | EmbedComponent
  | AdvertisementComponent
  | OtherComponent
