import { ARTICLE_PART_NAME, METADATA_PART_NAME } from '../constants.js'
import { AppleNewsError } from '../errors.js'
import { validateArticle } from '../format/validate-article.js'
import type { ArticleBundle } from '../multipart/article-bundle.js'

/** Options of `articles.create` and `articles.update` besides the bundle's encoding. */
export interface ArticleWriteOptions {
  /**
   * Validate the document, the bundle's files and the metadata locally before sending, as Apple
   * would (see `validateArticle`). Default true; a failure is `INVALID_ARGUMENT` with Apple's codes
   * and key paths in `errors`, and nothing is sent.
   */
  readonly validate?: boolean
}

/**
 * Runs the validator over what is about to be sent: the document as the bundle read it (a string
 * article parsed once, by the bundle), the resource parts as built (their filenames, types and sizes)
 * and the metadata. Throws before anything leaves.
 */
export function checkBeforeSend(
  document: unknown,
  metadata: Readonly<Record<string, unknown>> | undefined,
  bundle: ArticleBundle,
  update: boolean,
): void {
  const resources = bundle.parts
    .filter((p) => p.name !== METADATA_PART_NAME && p.filename !== ARTICLE_PART_NAME)
    .map((p) => ({ filename: p.filename ?? p.name, name: p.name, contentType: p.contentType, size: p.size }))
  const result = validateArticle(document, { resources, ...(metadata ? { metadata } : {}), update })
  const first = result.errors[0]
  if (!first) return
  const where = first.keyPath.length > 0 ? ` at ${first.keyPath.join('.')}` : ''
  const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more in errors)` : ''
  throw new AppleNewsError({
    code: 'INVALID_ARGUMENT',
    message: `Apple News would refuse this article: ${first.code}${where}: ${first.message ?? first.code}${more}. Nothing was sent; fix the article, or pass validate: false to send it anyway.`,
    errors: result.errors.map(({ status: _status, ...item }) => item),
    details: { validation: 'local' },
  })
}
