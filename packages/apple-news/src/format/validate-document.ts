import { BUNDLE_URL_PREFIX } from '../constants.js'
import {
  COMPONENT_ROLES,
  CONTAINER_ROLES,
  EMBED_ROLES,
  GALLERY_ROLES,
  IMAGE_ROLES,
  MEDIA_ROLES,
  TEXT_ROLES,
} from './component-types.js'
import { unsupportedImageType } from './image-types.js'
import type { BundleFileInfo, ValidationIssue } from './validation-types.js'

type Path = Array<string | number>

/** Where the document walk reports what it finds. */
export interface DocumentFindings {
  readonly errors: ValidationIssue[]
  readonly warnings: ValidationIssue[]
  /** Every `bundle://` filename the document references. */
  readonly referenced: Set<string>
}

const REQUIRED = ['version', 'identifier', 'language', 'title', 'layout', 'components'] as const
const ROLES: ReadonlySet<string> = new Set(COMPONENT_ROLES)
const TEXT: ReadonlySet<string> = new Set(TEXT_ROLES)
const IMAGE: ReadonlySet<string> = new Set(IMAGE_ROLES)
const GALLERY: ReadonlySet<string> = new Set(GALLERY_ROLES)
const CONTAINER: ReadonlySet<string> = new Set(CONTAINER_ROLES)
const URL_REQUIRED: ReadonlySet<string> = new Set([...MEDIA_ROLES, ...EMBED_ROLES])
/** Properties whose URL is an image wherever they appear (ANF `Metadata.thumbnailURL`, media `stillURL`, `imageURL`). */
const IMAGE_URL_KEYS: ReadonlySet<string> = new Set(['thumbnailURL', 'stillURL', 'imageURL'])
const LANGUAGE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/
const VERSION = /^\d+\.\d+$/

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Checks an `article.json` document the way Apple's API refuses it with 400 `INVALID_DOCUMENT`
 * (docs/protocols/apple-news.md §3, §8): the required properties and their types, each component by
 * role (text, `URL`, `items`, nested `components`), references to named layouts and styles, unique
 * component identifiers, URLs, `bundle://` references against the bundle's files (when known) and
 * image types (JPEG, PNG, GIF, WebP only), each with the key path of the offending node.
 */
export function checkDocument(
  document: unknown,
  resources: ReadonlyMap<string, BundleFileInfo> | undefined,
): DocumentFindings {
  const findings: DocumentFindings = { errors: [], warnings: [], referenced: new Set() }
  const error = (code: string, keyPath: Path, message: string, value?: unknown) =>
    findings.errors.push({ status: 400, code, keyPath, message, ...(value === undefined ? {} : { value }) })
  if (!isObject(document)) {
    error('INVALID_DOCUMENT', [], 'article.json must be a JSON object (an ArticleDocument).')
    return findings
  }
  for (const field of REQUIRED)
    if (document[field] === undefined) error('INVALID_DOCUMENT', [field], `${field} is required.`)
  const text = (field: string, pattern?: RegExp, hint?: string) => {
    const value = document[field]
    if (value === undefined) return
    if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value)))
      error('INVALID_DOCUMENT', [field], `${field} must be ${hint ?? 'a non-empty string'}.`, value)
  }
  text('version', VERSION, 'a format version such as "1.15"')
  text('identifier')
  text('title')
  text('language', LANGUAGE, 'a language tag such as "en" or "en_US"')
  const layout = document.layout
  if (layout !== undefined) {
    if (!isObject(layout)) error('INVALID_DOCUMENT', ['layout'], 'layout must be an object.')
    else
      for (const field of ['columns', 'width'] as const)
        if (!Number.isInteger(layout[field]) || (layout[field] as number) < 1)
          error(
            'INVALID_DOCUMENT',
            ['layout', field],
            `layout.${field} must be a whole number from 1.`,
            layout[field],
          )
  }
  const named = (key: string) =>
    isObject(document[key]) ? new Set(Object.keys(document[key])) : new Set<string>()
  const layouts = named('componentLayouts')
  const styles = named('componentStyles')
  const textStyles = named('componentTextStyles')
  const identifiers = new Map<string, Path>()

  const checkUrl = (value: unknown, path: Path, image: boolean) => {
    if (typeof value !== 'string' || value === '') {
      error('INVALID_DOCUMENT', path, 'A URL is required here.', value)
      return
    }
    if (value.startsWith(BUNDLE_URL_PREFIX)) {
      const filename = value.slice(BUNDLE_URL_PREFIX.length)
      findings.referenced.add(filename)
      const file = resources?.get(filename)
      if (resources && !file)
        error('INVALID_DOCUMENT', path, 'No part of the request has this filename.', value)
      const found = image ? unsupportedImageType(filename, file?.contentType) : undefined
      if (found)
        error(
          'FAILED_TO_PARSE_IMAGE',
          path,
          `${found} images are not supported; use JPEG, PNG, GIF or WebP.`,
          value,
        )
      return
    }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      error('INVALID_URL', path, 'Not an absolute URL (encode spaces and other characters).', value)
      return
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      error('INVALID_URL', path, 'Only bundle://, https:// and http:// URLs are allowed.', value)
    const found = image ? unsupportedImageType(url.pathname) : undefined
    if (found)
      error(
        'FAILED_TO_PARSE_IMAGE',
        path,
        `${found} images are not supported; use JPEG, PNG, GIF or WebP.`,
        value,
      )
  }

  /** URL-valued keys anywhere in a subtree (fills, metadata): images where the key says so. */
  const walkUrls = (value: unknown, path: Path) => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walkUrls(item, [...path, i])
    } else if (isObject(value))
      for (const [key, item] of Object.entries(value)) {
        if (typeof item === 'string' && /URL$/.test(key))
          checkUrl(item, [...path, key], IMAGE_URL_KEYS.has(key) || (key === 'URL' && value.type === 'image'))
        else if (typeof item === 'object') walkUrls(item, [...path, key])
      }
  }

  const reference = (value: unknown, names: Set<string>, path: Path, what: string) => {
    if (typeof value === 'string' && !names.has(value))
      error('INVALID_DOCUMENT', path, `No ${what} entry is named ${JSON.stringify(value)}.`, value)
  }

  const walkComponents = (list: unknown, path: Path, depth: number) => {
    if (!Array.isArray(list)) {
      error('INVALID_DOCUMENT', path, 'components must be an array.')
      return
    }
    list.forEach((component, i) => {
      const at = [...path, i]
      if (!isObject(component)) {
        error('INVALID_DOCUMENT', at, 'A component must be an object.')
        return
      }
      const role = component.role
      if (typeof role !== 'string' || role === '') {
        error('INVALID_DOCUMENT', [...at, 'role'], 'Every component needs a role.', role)
        return
      }
      if (!ROLES.has(role))
        findings.warnings.push({
          status: 400,
          code: 'UNKNOWN_ROLE',
          keyPath: [...at, 'role'],
          value: role,
          message: `sigwire does not know the role ${JSON.stringify(role)}; check its spelling.`,
        })
      if (typeof component.identifier === 'string') {
        const first = identifiers.get(component.identifier)
        if (first)
          error(
            'INVALID_DOCUMENT',
            [...at, 'identifier'],
            `Another component (at ${first.join('.')}) has this identifier.`,
            component.identifier,
          )
        else identifiers.set(component.identifier, at)
      }
      reference(component.layout, layouts, [...at, 'layout'], 'componentLayouts')
      reference(component.style, styles, [...at, 'style'], 'componentStyles')
      reference(component.textStyle, textStyles, [...at, 'textStyle'], 'componentTextStyles')
      if (TEXT.has(role) && typeof component.text !== 'string')
        error('INVALID_DOCUMENT', [...at, 'text'], `A ${role} component needs text.`, component.text)
      if (component.format !== undefined && !['html', 'markdown', 'none'].includes(String(component.format)))
        error('INVALID_DOCUMENT', [...at, 'format'], 'format is html, markdown or none.', component.format)
      if (IMAGE.has(role)) checkUrl(component.URL, [...at, 'URL'], true)
      else if (URL_REQUIRED.has(role)) checkUrl(component.URL, [...at, 'URL'], false)
      else if (typeof component.URL === 'string') checkUrl(component.URL, [...at, 'URL'], false)
      if (GALLERY.has(role)) {
        const items = component.items
        if (!Array.isArray(items) || items.length === 0)
          error('INVALID_DOCUMENT', [...at, 'items'], `A ${role} needs items.`)
        else
          for (const [j, item] of items.entries())
            checkUrl(isObject(item) ? item.URL : undefined, [...at, 'items', j, 'URL'], true)
      }
      for (const key of ['stillURL', 'imageURL'])
        if (component[key] !== undefined) checkUrl(component[key], [...at, key], true)
      if (isObject(component.style)) walkUrls(component.style, [...at, 'style'])
      if (component.components !== undefined || CONTAINER.has(role)) {
        if (depth > 50) error('INVALID_DOCUMENT', [...at, 'components'], 'Components are nested too deeply.')
        else if (component.components !== undefined)
          walkComponents(component.components, [...at, 'components'], depth + 1)
      }
    })
  }

  if (document.components !== undefined) walkComponents(document.components, ['components'], 0)
  if (document.metadata !== undefined) {
    if (!isObject(document.metadata)) error('INVALID_DOCUMENT', ['metadata'], 'metadata must be an object.')
    else walkUrls(document.metadata, ['metadata'])
  }
  for (const key of ['componentStyles', 'documentStyle'])
    if (isObject(document[key])) walkUrls(document[key], [key])
  return findings
}
