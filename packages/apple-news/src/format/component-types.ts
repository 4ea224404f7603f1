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
  /** Anchors the component to another one (ANF `Anchor`). */
  readonly anchor?: Readonly<Record<string, unknown>>
  /** An animation played when the component appears (ANF `ComponentAnimation`). */
  readonly animation?: Readonly<Record<string, unknown>>
  /** A motion effect such as parallax (ANF `Behavior`). */
  readonly behavior?: Readonly<Record<string, unknown>>
  /** Hides the component (usually changed by `conditional`). */
  readonly hidden?: boolean
  /** Property changes applied when their conditions hold (ANF `ConditionalComponent`). */
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
  /** Links on the component (ANF `ComponentLink`). */
  readonly additions?: readonly Readonly<Record<string, unknown>>[]
}

/** A text component. */
export interface TextComponent extends ComponentBase {
  /** The text role (`body`, `title`, `heading1`...). */
  readonly role: (typeof TEXT_ROLES)[number]
  /** The text, plain or in `format`. */
  readonly text: string
  /** `html`, `markdown` or `none` (default). */
  readonly format?: 'html' | 'markdown' | 'none'
  /** A key of `componentTextStyles`, or a style. */
  readonly textStyle?: string | ComponentTextStyle
  /** Styles applied to ranges of the text (plain text only). */
  readonly inlineTextStyles?: readonly InlineTextStyle[]
}

/** An image component. */
export interface ImageComponent extends ComponentBase {
  /** The image role. */
  readonly role: (typeof IMAGE_ROLES)[number]
  /** `bundle://<filename>` or `https://...`; JPEG, PNG, GIF or WebP. */
  readonly URL: string
  /** A caption: text, or a caption descriptor (ANF `CaptionDescriptor`). */
  readonly caption?: string | Readonly<Record<string, unknown>>
  /** Text read by VoiceOver instead of the caption. */
  readonly accessibilityCaption?: string
  /** The content may be offensive or inappropriate for some readers. */
  readonly explicitContent?: boolean
  /** Width divided by height, used until the asset is loaded. */
  readonly aspectRatio?: number
}

/** One image of a gallery or mosaic (DOC `GalleryItem`). */
export interface GalleryItem {
  /** `bundle://<filename>` or `https://...`; JPEG, PNG, GIF or WebP. */
  readonly URL: string
  /** A caption: text, or a caption descriptor (ANF `CaptionDescriptor`). */
  readonly caption?: string | Readonly<Record<string, unknown>>
  /** Text read by VoiceOver instead of the caption. */
  readonly accessibilityCaption?: string
  /** The content may be offensive or inappropriate for some readers. */
  readonly explicitContent?: boolean
}

/** A gallery or mosaic. */
export interface GalleryComponent extends ComponentBase {
  /** `gallery` or `mosaic`. */
  readonly role: (typeof GALLERY_ROLES)[number]
  /** The images, in order. */
  readonly items: readonly GalleryItem[]
}

/** A container of components. */
export interface ContainerComponent extends ComponentBase {
  /** The container role. */
  readonly role: (typeof CONTAINER_ROLES)[number]
  /** The components inside, in order. */
  readonly components?: readonly Component[]
  /** How the children are arranged (ANF `HorizontalStackDisplay`, `CollectionDisplay`). */
  readonly contentDisplay?: Readonly<Record<string, unknown>>
  /** A header scene effect (ANF `FadingStickyHeader`, `ParallaxScaleHeader`). */
  readonly scene?: Readonly<Record<string, unknown>>
}

/** A video, audio, music, embedded web video or ARKit component. */
export interface MediaComponent extends ComponentBase {
  /** The media role. */
  readonly role: (typeof MEDIA_ROLES)[number]
  /** The media's URL (`https://` for video and audio; the web video page for embeds). */
  readonly URL: string
  /** The still image shown before playback. */
  readonly stillURL?: string
  /** Audio and music: an image shown while playing. */
  readonly imageURL?: string
  /** A caption: text, or a caption descriptor (ANF `CaptionDescriptor`). */
  readonly caption?: string | Readonly<Record<string, unknown>>
  /** Text read by VoiceOver instead of the caption. */
  readonly accessibilityCaption?: string
  /** The content may be offensive or inappropriate for some readers. */
  readonly explicitContent?: boolean
  /** Width divided by height, used until the asset is loaded. */
  readonly aspectRatio?: number
}

/** An embedded social post. */
export interface EmbedComponent extends ComponentBase {
  /** The embed role. */
  readonly role: (typeof EMBED_ROLES)[number]
  /** The post's URL on its site. */
  readonly URL: string
}

/** An advertisement slot. */
export interface AdvertisementComponent extends ComponentBase {
  /** The advertisement role. */
  readonly role: (typeof AD_ROLES)[number]
  /** Banner advertisements: the banner size. */
  readonly bannerType?: 'any' | 'standard' | 'double_height' | 'large'
}

/** A divider, map, place, table, link button or article link. */
export interface OtherComponent extends ComponentBase {
  /** The component role. */
  readonly role: (typeof OTHER_ROLES)[number]
  /** Link buttons and article links. */
  readonly URL?: string
  /** Link buttons: the button's text. */
  readonly text?: string
  /** Article links: the linked article's ID. */
  readonly articleIdentifier?: string
  /** HTML tables. */
  readonly html?: string
  /** Data tables. */
  readonly data?: Readonly<Record<string, unknown>>
  /** Maps and places: the latitude. */
  readonly latitude?: number
  /** Maps and places: the longitude. */
  readonly longitude?: number
  /** Maps: the places marked (ANF `MapItem`). */
  readonly items?: readonly Readonly<Record<string, unknown>>[]
  /** Dividers. */
  readonly stroke?: Readonly<Record<string, unknown>>
  /** Article links: components shown as the link. */
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
