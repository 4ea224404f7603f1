import { BUNDLE_URL_PREFIX, PART_LIMITS } from '../constants.js'
import { checkDocument } from './validate-document.js'
import { checkMetadata } from './validate-metadata.js'
import type {
  ArticleValidation,
  BundleFileInfo,
  ValidateArticleOptions,
  ValidationIssue,
} from './validation-types.js'

const FONT = /\.(otf|ttf|woff2?)$/i

/** The kind of limit a bundle file falls under (DOC release notes; docs/protocols/apple-news.md §3). */
export function partKind(filename: string, contentType: string | undefined): 'image' | 'font' | 'attachment' {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type.startsWith('image/')) return 'image'
  if (FONT.test(filename) || type.startsWith('font/')) return 'font'
  if (type === '' || type === 'application/octet-stream')
    return /\.(jpe?g|png|gif|webp|svg|tiff?|bmp|heic)$/i.test(filename) ? 'image' : 'attachment'
  return 'attachment'
}

/**
 * Checks a bundle's files: each under its size limit (an image 20 MB, a font 5 MB, anything else
 * 50 MB: `MIME_PART_TOO_LARGE`), all together under 450 MB (`BUNDLE_TOO_LARGE`), no two with one
 * filename, and a warning for each file no `bundle://` reference uses.
 */
export function checkBundleFiles(
  files: readonly BundleFileInfo[],
  referenced: ReadonlySet<string> | undefined,
  limits: ValidateArticleOptions['limits'] = {},
): { errors: ValidationIssue[]; warnings: ValidationIssue[] } {
  const errors: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  const seen = new Set<string>()
  let total = 0
  for (const file of files) {
    const keyPath = [file.name ?? file.filename]
    if (seen.has(file.filename))
      errors.push({
        status: 400,
        code: 'INVALID_MIME_MULTIPART',
        keyPath,
        message: `Two parts are named ${file.filename}.`,
      })
    seen.add(file.filename)
    const size = file.size ?? 0
    total += size
    const kind = partKind(file.filename, file.contentType)
    const limit = limits[kind] ?? PART_LIMITS[kind]
    if (size > limit)
      errors.push({
        status: 400,
        code: 'MIME_PART_TOO_LARGE',
        keyPath,
        value: size,
        message: `A ${kind} may be at most ${limit} bytes.`,
      })
    if (referenced && !referenced.has(file.filename))
      warnings.push({
        status: 400,
        code: 'UNUSED_RESOURCE',
        keyPath,
        value: file.filename,
        message: 'No bundle:// reference of the article names this file.',
      })
  }
  if (total > (limits.bundle ?? PART_LIMITS.bundle))
    errors.push({
      status: 400,
      code: 'BUNDLE_TOO_LARGE',
      keyPath: [],
      value: total,
      message: `The bundle may be at most ${limits.bundle ?? PART_LIMITS.bundle} bytes.`,
    })
  return { errors, warnings }
}

/**
 * Validates an article before it is sent, reporting the errors Apple's API would answer with their
 * codes and key paths (docs/protocols/apple-news.md §8): the document (`INVALID_DOCUMENT`, `INVALID_URL`,
 * `FAILED_TO_PARSE_IMAGE` for SVG and other unsupported images, missing `bundle://` resources), the
 * bundle's files (`MIME_PART_TOO_LARGE`, `BUNDLE_TOO_LARGE`) and the request metadata (`INVALID_TYPE`,
 * `INVALID_ARTICLE_TERRITORY`, `INVALID_PUBLISHING_DATE`, `MISSING`). The client runs it before
 * `create` and `update`, the emulator on every upload, `sigwire apple-news validate` on a directory.
 *
 * ```ts
 * const result = validateArticle(document, { resources: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 1234 }] })
 * if (!result.ok) for (const e of result.errors) console.log(e.code, e.keyPath.join('.'), e.message)
 * ```
 */
export function validateArticle(document: unknown, options: ValidateArticleOptions = {}): ArticleValidation {
  const resources = options.resources ? new Map(options.resources.map((r) => [r.filename, r])) : undefined
  const errors: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  let referenced: Set<string> | undefined
  if (document !== undefined) {
    const found = checkDocument(document, resources)
    errors.push(...found.errors)
    warnings.push(...found.warnings)
    referenced = found.referenced
  }
  if (options.metadata !== undefined) {
    const found = checkMetadata(options.metadata, options.update === true)
    errors.push(...found.errors)
    warnings.push(...found.warnings)
    // The metadata may name a bundle file too (thumbnailURL: "bundle://photo.jpg"; §3).
    const thumbnail = options.metadata.thumbnailURL
    if (typeof thumbnail === 'string' && thumbnail.startsWith(BUNDLE_URL_PREFIX)) {
      const filename = thumbnail.slice(BUNDLE_URL_PREFIX.length)
      referenced?.add(filename)
      if (resources && !resources.has(filename))
        errors.push({
          status: 400,
          code: 'INVALID_DOCUMENT',
          keyPath: ['metadata', 'thumbnailURL'],
          value: thumbnail,
          message: 'No part of the request has this filename.',
        })
    }
  }
  if (options.resources) {
    const found = checkBundleFiles(
      options.resources,
      document === undefined ? undefined : referenced,
      options.limits,
    )
    errors.push(...found.errors)
    warnings.push(...found.warnings)
  }
  return { ok: errors.length === 0, errors, warnings }
}
