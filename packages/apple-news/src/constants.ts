/**
 * Protocol constants of the Apple News API, in one place. Section numbers refer to
 * `docs/protocols/apple-news.md`.
 */

/** The API origin. Clients sign `API_ORIGIN + path + query` (§1.1: the full URL, no port). */
export const APPLE_NEWS_API_ORIGIN = 'https://news-api.apple.com'

/** The first element of the `Authorization` header (§1.1). */
export const HHMAC_SCHEME = 'HHMAC'

/** Accepted distance between the signed date and the server's clock, in seconds (§1.2, `DATE_NOT_RECENT`). */
export const DATE_WINDOW_SECONDS = 300

/** Length of a base64 HMAC-SHA256 signature with its `=` padding (§5 #11). */
export const SIGNATURE_BASE64_LENGTH = 44

/** API key IDs are UUIDs (§1.2, `INVALID_API_KEY_FORMAT`); channel, section and article IDs too. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The document part's filename and name (§3). */
export const ARTICLE_PART_NAME = 'article.json'

/** The metadata part's name (§3). */
export const METADATA_PART_NAME = 'metadata'

/** Prefix of bundle resource references inside `article.json` (§3). */
export const BUNDLE_URL_PREFIX = 'bundle://'

/** Largest accepted part sizes (§3, DOC incl. release notes). */
export const PART_LIMITS = {
  /** Bytes of one image part (`image/*`); larger gives `MIME_PART_TOO_LARGE`. */
  image: 20 * 1024 * 1024,
  /** Bytes of one font part; larger gives `MIME_PART_TOO_LARGE`. */
  font: 5 * 1024 * 1024,
  /** Bytes of any other resource part; larger gives `MIME_PART_TOO_LARGE`. */
  attachment: 50 * 1024 * 1024,
  /** Bytes of all parts of one bundle together; larger gives 400. */
  bundle: 450 * 1024 * 1024,
  /** Bytes of the whole request body, multipart framing included; larger gives `REQUEST_BODY_TOO_LARGE`. */
  body: 500 * 1024 * 1024,
} as const

/** Search page size bounds and default (§2). */
export const SEARCH_PAGE_SIZE = {
  /** Smallest `pageSize` accepted; below it Apple answers 400 `INVALID` with keyPath `pageSize`. */
  min: 1,
  /** Largest `pageSize` accepted; above it Apple answers 400 `INVALID` with keyPath `pageSize`. */
  max: 100,
  /** The page size Apple uses when the query has no `pageSize`. */
  default: 10,
} as const

/** Most article IDs one section can promote (§2). */
export const MAX_PROMOTED_ARTICLES = 6
