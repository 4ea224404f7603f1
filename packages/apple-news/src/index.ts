/**
 * @sigwire/apple-news: the Apple News API with HHMAC signing that works the first time. One
 * string-to-sign (method, URL, date, and for POST the exact Content-Type and body) signs, verifies,
 * diagnoses and traces; multipart article bundles are built byte for byte and streamed from disk in
 * constant memory; errors are typed and keep every item Apple returned.
 *
 * @packageDocumentation
 */

/**
 * The options every call takes last, the progress contract of `articles.create` and
 * `articles.update`, and the transport options (from @sigwire/core).
 */
export type { CallOptions, ProgressListener, ProgressOptions, TransportOptions } from '@sigwire/core'
export type { ArticlesApi, CreateArticleInput, UpdateArticleInput } from './client/articles.js'
export type { ChannelsApi } from './client/channels.js'
export { type AppleNewsClient, type AppleNewsClientOptions, createAppleNewsClient } from './client/client.js'
export { type DeletePreviewsOptions, duplicateArticleId, type PreviewsApi } from './client/previews.js'
export type { SectionsApi } from './client/sections.js'
export type { ArticleWriteOptions } from './client/send-checks.js'
export type {
  Article,
  ArticleMetadata,
  ArticleSearchPage,
  ArticleSearchParams,
  ArticleState,
  ArticleUpdateResult,
  Channel,
  Section,
  Throttling,
} from './client/types.js'
export {
  APPLE_NEWS_API_ORIGIN,
  ARTICLE_PART_NAME,
  BUNDLE_URL_PREFIX,
  DATE_WINDOW_SECONDS,
  HHMAC_SCHEME,
  MAX_PROMOTED_ARTICLES,
  METADATA_PART_NAME,
  PART_LIMITS,
  SEARCH_PAGE_SIZE,
  SIGNATURE_BASE64_LENGTH,
  UUID_PATTERN,
} from './constants.js'
export {
  APPLE_NEWS_ERROR_CODES,
  AppleNewsError,
  type AppleNewsErrorCode,
  type AppleNewsErrorItem,
  type AppleNewsErrorOptions,
  type AppleNewsFailure,
  isAppleNewsError,
} from './errors.js'
export {
  AD_ROLES,
  type AdvertisementComponent,
  COMPONENT_ROLES,
  CONTAINER_ROLES,
  type Component,
  type ComponentBase,
  type ComponentRole,
  type ContainerComponent,
  EMBED_ROLES,
  type EmbedComponent,
  GALLERY_ROLES,
  type GalleryComponent,
  type GalleryItem,
  IMAGE_ROLES,
  type ImageComponent,
  MEDIA_ROLES,
  type MediaComponent,
  OTHER_ROLES,
  type OtherComponent,
  TEXT_ROLES,
  type TextComponent,
} from './format/component-types.js'
export type { ArticleDocument, DocumentMetadata, LinkedArticle } from './format/document-types.js'
export { unsupportedImageType } from './format/image-types.js'
export type {
  Color,
  ComponentLayout,
  ComponentStyle,
  ComponentTextStyle,
  DocumentStyle,
  Fill,
  InlineTextStyle,
  Layout,
  StrokeStyle,
  SupportedUnits,
  TextStyle,
} from './format/style-types.js'
export { validateArticle } from './format/validate-article.js'
export { BOOLEAN_METADATA_FIELDS, METADATA_FIELDS } from './format/validate-metadata.js'
export type {
  ArticleValidation,
  BundleFileInfo,
  ValidateArticleOptions,
  ValidationIssue,
} from './format/validation-types.js'
export {
  type ArticleBundle,
  type ArticleBundleInput,
  type ArticleBundleOptions,
  type BundlePartSummary,
  type BundleResource,
  buildArticleBundle,
} from './multipart/article-bundle.js'
export {
  type EncodedMultipart,
  encodeMultipart,
  type MultipartOptions,
  type MultipartPart,
} from './multipart/multipart.js'
export type { RemoteResourceData } from './multipart/remote-resources.js'
export { type AppleNewsAuthorizationParams, formatAppleNewsAuthorization } from './signing/authorization.js'
export {
  type AppleNewsCredentials,
  type AppleNewsSecret,
  checkAppleNewsKeyId,
  parseAppleNewsSecret,
} from './signing/credentials.js'
export { type AppleNewsSigner, type AppleNewsSignerOptions, createAppleNewsSigner } from './signing/signer.js'
export {
  type AppleNewsCanonicalInput,
  AppleNewsStringToSign,
  appleNewsStringToSign,
} from './signing/string-to-sign.js'
