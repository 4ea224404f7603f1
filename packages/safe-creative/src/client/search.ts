import type { CallOptions } from '@sigwire/core'
import { safeCreativeError } from '../errors.js'
import { asObject, children } from '../xml/parse-response.js'
import type { Client } from './client.js'
import { fileSha1 } from './file-sha1.js'
import { type Page, toPage, toWork, type Work } from './models.js'

/**
 * Fields `search.byfields` searches (docs/protocols/safe-creative.md §9; DOC `Search.byfields`, the
 * Python SDK's list). `tag` may be given several times.
 */
export type SearchField =
  | 'code'
  | 'name'
  | 'excerpt'
  | 'user.name'
  | 'user.code'
  | 'allowDownload'
  | 'allowRightsRequests'
  | 'tag'
  | 'license.code'
  | 'license.name'
  | 'license.shortName'
  | 'workType.code'
  | 'workType.name'
  | 'workTypeGroup.code'
  | 'workTypeGroup.name'

/** Options of the paginated searches. */
export interface SearchOptions extends CallOptions {
  /** Page number, from 1. Default 1. */
  readonly page?: number
  /** Locale of work type and license names. */
  readonly locale?: string
}

/** What `search.byhash` looks for: the SHA-1 or MD5 of a work's contents, lower-case hex (§9). */
export interface HashQuery {
  /** The SHA-1 of the file, 40 hex digits. */
  readonly sha1?: string
  /** The MD5 of the file, 32 hex digits. */
  readonly md5?: string
  /** Only works owned by this user code. */
  readonly user?: string
}

/** Fingerprints `semantic.query` takes (DOC `Semantic.query`; Java SDK `SearchMethod.WORK_CNT_*`). */
export type SemanticQuery = Readonly<Partial<Record<SemanticKey, string>>>

/** A fingerprint name of `semantic.query`. */
export type SemanticKey =
  | 'adler32'
  | 'crc32'
  | 'ed2kfileid'
  | 'md2'
  | 'md4'
  | 'md5'
  | 'sha'
  | 'sha1'
  | 'sha384'
  | 'sha512'
  | 'size'
  | 'part32k.first'
  | 'part32k.middle'
  | 'part32k.last'
  | `torrent.${number}`

/** What {@link SearchApi.byFile} found, with the hash it computed. */
export interface FileSearchResult {
  /** The file's SHA-1, lower-case hex. */
  readonly sha1: string
  /** The file's size in bytes. */
  readonly size: number
  /** The first (or requested) page of works with that hash. */
  readonly page: Page<Work>
}

/**
 * Public searches (no signature, no ztime; §9). `search.byquery`, `search.byfields` and
 * `semantic.query` go to the search endpoint (`searchUrl`), `search.byhash` to the main API, as the
 * wiki says and the Java SDK does.
 */
export interface SearchApi {
  /** Works whose text matches `query` (`search.byquery`). */
  byQuery(query: string, options?: SearchOptions): Promise<Page<Work>>
  /** Works matching every field (`search.byfields`, `fieldN`/`valueN`). */
  byFields(
    fields: Readonly<Partial<Record<SearchField, string>>> | ReadonlyArray<readonly [SearchField, string]>,
    options?: SearchOptions,
  ): Promise<Page<Work>>
  /** Works whose contents have this SHA-1 or MD5 (`search.byhash`). */
  byHash(query: HashQuery, options?: SearchOptions): Promise<Page<Work>>
  /** Hashes a file locally (SHA-1, constant memory) and searches for it with `search.byhash`. */
  byFile(path: string, options?: SearchOptions & { user?: string }): Promise<FileSearchResult>
  /** Works matching digital fingerprints (`semantic.query`); not paginated. */
  semantic(query: SemanticQuery, options?: CallOptions): Promise<Work[]>
}

const HEX = /^[0-9a-f]+$/

/** @internal The {@link SearchApi} of a client. */
export function searchApi(client: Client, searchUrl: string): SearchApi {
  const page = (options: SearchOptions): number => {
    const n = options.page ?? 1
    if (!Number.isSafeInteger(n) || n < 1)
      throw safeCreativeError('INVALID_ARGUMENT', `page must be a whole number from 1, not ${n}.`, {
        parameter: 'page',
      })
    return n
  }
  const listCall = async (
    component: string,
    params: Array<[string, string]>,
    options: SearchOptions,
    url: string | undefined,
  ): Promise<Page<Work>> => {
    const n = page(options)
    const all: Array<[string, string]> = [...params, ['page', String(n)]]
    if (options.locale !== undefined) all.push(['locale', options.locale])
    const value = await client.call(component, all, {
      ...callOptions(options),
      root: 'listpage',
      ...(url ? { url } : {}),
    })
    return toPage(asObject(value), n, 'work', (v) => toWork(asObject(v)))
  }
  const byHash = async (query: HashQuery, options: SearchOptions = {}) => {
    const params: Array<[string, string]> = []
    for (const key of ['sha1', 'md5'] as const) {
      const value = query[key]
      if (value === undefined) continue
      const length = key === 'sha1' ? 40 : 32
      if (value.length !== length || !HEX.test(value))
        throw safeCreativeError(
          'INVALID_ARGUMENT',
          `${key} must be ${length} lower-case hex digits (Safe Creative compares the text as given).`,
          { parameter: key },
        )
      params.push([key, value])
    }
    if (params.length === 0)
      throw safeCreativeError('INVALID_ARGUMENT', 'search.byhash needs sha1 or md5.', { parameter: 'sha1' })
    if (query.user !== undefined) params.push(['user', query.user])
    return listCall('search.byhash', params, options, undefined)
  }
  return {
    byQuery: async (query, options = {}) => {
      if (typeof query !== 'string' || query.trim() === '')
        throw safeCreativeError('INVALID_ARGUMENT', 'search.byquery needs a non-empty query.', {
          parameter: 'query',
        })
      return listCall('search.byquery', [['query', query]], options, searchUrl)
    },
    byFields: async (fields, options = {}) => {
      const pairs = Array.isArray(fields)
        ? (fields as ReadonlyArray<readonly [string, string]>)
        : Object.entries(fields as Record<string, string | undefined>).filter(
            (e): e is [string, string] => e[1] !== undefined,
          )
      if (pairs.length === 0)
        throw safeCreativeError('INVALID_ARGUMENT', 'search.byfields needs at least one field.', {
          parameter: 'field1',
        })
      const params: Array<[string, string]> = []
      pairs.forEach(([field, value], i) => {
        params.push([`field${i + 1}`, field], [`value${i + 1}`, value])
      })
      return listCall('search.byfields', params, options, searchUrl)
    },
    byHash,
    byFile: async (path, options = {}) => {
      const { sha1, size } = await fileSha1(path, client.signalOf(options))
      const found = await byHash({ sha1, ...(options.user ? { user: options.user } : {}) }, options)
      return { sha1, size, page: found }
    },
    semantic: async (query, options = {}) => {
      const params = Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string')
      if (params.length === 0)
        throw safeCreativeError('INVALID_ARGUMENT', 'semantic.query needs at least one fingerprint.', {
          parameter: 'sha1',
        })
      const value = await client.call('semantic.query', params, {
        ...callOptions(options),
        root: 'works',
        url: searchUrl,
      })
      return children(value, 'work').map((v) => toWork(asObject(v)))
    },
  }
}

function callOptions(options: CallOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  }
}
