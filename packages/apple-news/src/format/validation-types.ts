import type { AppleNewsErrorItem } from '../errors.js'

/** One problem the validator found: Apple's error item (`code`, `keyPath`, `value`, `message`) and the status Apple answers with it. */
export interface ValidationIssue extends AppleNewsErrorItem {
  /** The HTTP status Apple answers for this problem (400 for nearly all). */
  readonly status: number
  readonly keyPath: ReadonlyArray<string | number>
}

/** What {@link validateArticle} found. */
export interface ArticleValidation {
  /** True when there is no error (warnings do not count). */
  readonly ok: boolean
  /** Problems Apple refuses the request for, in document order; Apple answers with the first. */
  readonly errors: readonly ValidationIssue[]
  /** Problems Apple accepts but you probably did not mean (an unknown role, an unused resource). */
  readonly warnings: readonly ValidationIssue[]
}

/** A file of the bundle, as far as the validator needs to know it. */
export interface BundleFileInfo {
  /** The part's filename: what `bundle://<filename>` names. */
  readonly filename: string
  /** The part's Content-Type, when known. */
  readonly contentType?: string
  /** Size in bytes, when known. */
  readonly size?: number
  /** The part's `name` (Apple's keyPath for part errors). Default: the filename. */
  readonly name?: string
}

/** Options of {@link validateArticle}. */
export interface ValidateArticleOptions {
  /**
   * The files of the bundle. Given, every `bundle://` reference must name one, and their sizes and
   * types are checked; omitted, `bundle://` references are not checked.
   */
  readonly resources?: readonly BundleFileInfo[]
  /** The request's metadata fields (the `metadata` part's `data`), checked too when given. */
  readonly metadata?: Readonly<Record<string, unknown>>
  /** True for an update (`revision` is then required in the metadata). */
  readonly update?: boolean
  /** Size limits in bytes; default Apple's (`PART_LIMITS`). */
  readonly limits?: Partial<Record<'image' | 'font' | 'attachment' | 'bundle', number>>
}
