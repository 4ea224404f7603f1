import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type ArticleValidation, type BundleFileInfo, validateArticle } from '@sigwire/apple-news'
import { cliError } from '../output/errors.js'
import { fileError, readUserFile } from './read-file.js'

/** Content types the bundle's files travel with, by extension (what `articles.create` sends; docs/protocols/apple-news.md §3). */
const TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
}

/** What a bundle directory holds and what the validator says of it. */
export interface BundleDirReport {
  readonly dir: string
  readonly files: readonly BundleFileInfo[]
  readonly hasMetadata: boolean
  readonly validation: ArticleValidation
}

/**
 * Reads an article bundle directory, as `articles.create` would send it: `article.json`, an optional
 * `metadata.json` (the request metadata, bare or wrapped as `{"data": ...}`), and every other regular
 * file as a `bundle://<filename>` resource; then runs the Apple News Format validator over it.
 */
export function validateBundleDir(path: string, flag: string, update = false): BundleDirReport {
  const dir = resolve(path)
  let names: string[]
  try {
    if (!statSync(dir).isDirectory())
      throw cliError('NOT_A_DIRECTORY', `${flag} names ${dir}, a file: name the bundle's directory.`)
    names = readdirSync(dir).sort()
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_A_DIRECTORY') throw error
    throw fileError(error, dir, flag)
  }
  if (!names.includes('article.json'))
    throw cliError(
      'INVALID_BUNDLE',
      `${dir} has no article.json: a bundle directory holds article.json and its files.`,
    )
  const document = parseJson(join(dir, 'article.json'), 'article.json')
  let metadata: Record<string, unknown> | undefined
  if (names.includes('metadata.json')) {
    const parsed = parseJson(join(dir, 'metadata.json'), 'metadata.json')
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw cliError(
        'INVALID_BUNDLE',
        `${dir}/metadata.json must be a JSON object (bare or {"data": {...}}).`,
      )
    const wrapped = (parsed as { data?: unknown }).data
    metadata = (wrapped !== null && typeof wrapped === 'object' ? wrapped : parsed) as Record<string, unknown>
  }
  const files: BundleFileInfo[] = []
  for (const name of names) {
    if (name === 'article.json' || name === 'metadata.json' || name.startsWith('.')) continue
    const info = statSync(join(dir, name), { throwIfNoEntry: false })
    if (!info?.isFile()) continue
    const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase()
    files.push({ filename: name, size: info.size, contentType: TYPES[ext] ?? 'application/octet-stream' })
  }
  const validation = validateArticle(document, {
    resources: files,
    ...(metadata ? { metadata } : {}),
    update,
  })
  return { dir, files, hasMetadata: metadata !== undefined, validation }
}

function parseJson(path: string, name: string): unknown {
  const text = Buffer.from(readUserFile(path, name)).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw cliError('INVALID_BUNDLE', `${path} is not JSON (${(error as Error).message.split('\n')[0]}).`)
  }
}
