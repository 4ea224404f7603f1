import { parseIsoDateTime } from '@sigwire/core'
import type { ValidationIssue } from './validation-types.js'

/** The boolean fields of a create or update's metadata (DOC `Create Article Metadata Fields`; §8). */
export const BOOLEAN_METADATA_FIELDS = [
  'isCandidateToBeFeatured',
  'isDevelopingStory',
  'isHidden',
  'isPaid',
  'isPreview',
  'isSponsored',
] as const

/** Every metadata field the API documents (the update adds `revision`). */
export const METADATA_FIELDS: ReadonlySet<string> = new Set([
  ...BOOLEAN_METADATA_FIELDS,
  'accessoryText',
  'maturityRating',
  'targetTerritoryCountryCodes',
  'links',
  'datePublished',
  'revision',
  // Not in the field list, yet read for promoted articles (a thumbnail is required there; §2).
  'thumbnailURL',
])

const RATINGS = new Set(['KIDS', 'MATURE', 'GENERAL'])
const COUNTRY = /^[A-Z]{2}$/

/**
 * Checks a create or update's metadata (the `metadata` part's `data`) as the API answers it: booleans
 * are booleans (`INVALID_TYPE`), `maturityRating` one of KIDS, MATURE, GENERAL or null,
 * `targetTerritoryCountryCodes` ISO 3166 alpha-2 codes (`INVALID_ARTICLE_TERRITORY`),
 * `datePublished` an ISO 8601 date-time (`INVALID_PUBLISHING_DATE`), `links.sections` a list of
 * URLs, `revision` present on an update (`MISSING`). Key paths start at `data`, as Apple's do.
 */
export function checkMetadata(
  metadata: Readonly<Record<string, unknown>>,
  update: boolean,
): { errors: ValidationIssue[]; warnings: ValidationIssue[] } {
  const errors: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  const error = (code: string, path: Array<string | number>, message: string, value?: unknown) =>
    errors.push({
      status: 400,
      code,
      keyPath: ['data', ...path],
      message,
      ...(value === undefined ? {} : { value }),
    })
  for (const field of BOOLEAN_METADATA_FIELDS)
    if (metadata[field] !== undefined && typeof metadata[field] !== 'boolean')
      error('INVALID_TYPE', [field], `${field} is true or false.`, metadata[field])
  if (
    metadata.accessoryText !== undefined &&
    metadata.accessoryText !== null &&
    typeof metadata.accessoryText !== 'string'
  )
    error('INVALID_TYPE', ['accessoryText'], 'accessoryText is a string or null.', metadata.accessoryText)
  if (
    metadata.maturityRating !== undefined &&
    metadata.maturityRating !== null &&
    !RATINGS.has(String(metadata.maturityRating))
  )
    error(
      'INVALID_TYPE',
      ['maturityRating'],
      'maturityRating is KIDS, MATURE, GENERAL or null.',
      metadata.maturityRating,
    )
  const territories = metadata.targetTerritoryCountryCodes
  if (territories !== undefined) {
    if (!Array.isArray(territories))
      error('INVALID_TYPE', ['targetTerritoryCountryCodes'], 'A list of country codes.')
    else
      territories.forEach((code, i) => {
        if (typeof code !== 'string' || !COUNTRY.test(code))
          error(
            'INVALID_ARTICLE_TERRITORY',
            ['targetTerritoryCountryCodes', i],
            'A territory is an ISO 3166-1 alpha-2 code such as "US".',
            code,
          )
      })
  }
  if (metadata.datePublished !== undefined) {
    let valid = typeof metadata.datePublished === 'string'
    if (valid)
      try {
        parseIsoDateTime(metadata.datePublished as string, { allowFraction: true })
      } catch {
        valid = false
      }
    if (!valid)
      error(
        'INVALID_PUBLISHING_DATE',
        ['datePublished'],
        'datePublished is an ISO 8601 date-time.',
        metadata.datePublished,
      )
  }
  const links = metadata.links
  if (links !== undefined) {
    const sections = (links as { sections?: unknown } | null)?.sections
    if (links === null || typeof links !== 'object' || (sections !== undefined && !Array.isArray(sections)))
      error('INVALID_TYPE', ['links', 'sections'], 'links.sections is a list of section URLs.')
    else if (Array.isArray(sections))
      sections.forEach((s, i) => {
        if (typeof s !== 'string')
          error('INVALID_TYPE', ['links', 'sections', i], 'A section URL is a string.', s)
      })
  }
  if (update && (metadata.revision === undefined || metadata.revision === null))
    error('MISSING', ['revision'], 'An update names the revision it changes.')
  else if (metadata.revision !== undefined && typeof metadata.revision !== 'string')
    error(
      'INVALID_TYPE',
      ['revision'],
      'revision is the string the article was read with.',
      metadata.revision,
    )
  for (const key of Object.keys(metadata))
    if (!METADATA_FIELDS.has(key))
      warnings.push({
        status: 400,
        code: 'UNKNOWN_FIELD',
        keyPath: ['data', key],
        message: `The API documents no metadata field ${JSON.stringify(key)}.`,
      })
  return { errors, warnings }
}
