import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseIsoDateTime } from '@sigwire/core'
import { EmulatorError, parseJsonBody, type RouteRequest, type Transaction } from '@sigwire/emulator-kit'
import { MAX_PROMOTED_ARTICLES, SEARCH_PAGE_SIZE, UUID_PATTERN } from '../constants.js'
import { isObject, type ReceivedBundle } from './bundle.js'
import type { AppleNewsData } from './data.js'
import { type Answer, articleJson, channelJson, errorReply, sectionJson, throttlingJson } from './render.js'
import { revisionToken, type StoredArticle, type StoredResource } from './state.js'

/** What the handlers need from the emulator. */
export interface HandlerContext {
  readonly data: AppleNewsData
  origin(): string
  now(): number
  readonly resourcesDir: string
  readonly quota: number
  /** The quota's sliding window in ms (an hour on the service). */
  readonly quotaWindowMs: number
  readonly detectDuplicates: boolean
  readonly maxPreviewArticles: number
  receive(file: string, contentType: string | undefined): Promise<ReceivedBundle | EmulatorError>
}

/** What a route handler sees: the key's channel (undefined with `verify: false`) and the spooled upload. */
export interface AppleNewsAuth {
  readonly keyChannel: string | undefined
  /** The spooled body of an article upload. */
  readonly upload?: { readonly file: string; readonly size: number }
}

type Request = RouteRequest<AppleNewsAuth>

const DAY_MS = 86_400_000

/** Throws an error outcome; passes an answer on. */
function must<T>(outcome: T | EmulatorError): T {
  if (outcome instanceof EmulatorError) throw outcome
  return outcome
}

/** The handlers of the emulated API, over the emulator's tables. */
export function appleNewsHandlers(ctx: HandlerContext) {
  const { data } = ctx

  const channelAccess = (channelId: string, keyChannel: string | undefined): void => {
    if (!UUID_PATTERN.test(channelId))
      throw errorReply(400, 'INVALID_TYPE', { keyPath: ['channel_id'], value: channelId })
    if (!data.channels.has(channelId))
      throw errorReply(404, 'NOT_FOUND', { keyPath: ['channel_id'], value: channelId })
    if (keyChannel !== undefined && keyChannel !== channelId) throw errorReply(403, 'FORBIDDEN')
  }
  const sectionAccess = (sectionId: string, keyChannel: string | undefined): void => {
    if (!UUID_PATTERN.test(sectionId))
      throw errorReply(400, 'INVALID_TYPE', { keyPath: ['section_id'], value: sectionId })
    const section = data.sections.get(sectionId)
    if (!section) throw errorReply(404, 'NOT_FOUND', { keyPath: ['section_id'], value: sectionId })
    if (keyChannel !== undefined && keyChannel !== section.channelId) throw errorReply(403, 'FORBIDDEN')
  }
  const articleAccess = (articleId: string, keyChannel: string | undefined): StoredArticle => {
    const article = UUID_PATTERN.test(articleId) ? data.articles.get(articleId) : undefined
    if (!article) throw errorReply(404, 'NOT_FOUND', { keyPath: ['article_id'], value: articleId })
    if (keyChannel !== undefined && keyChannel !== article.channelId) throw errorReply(403, 'FORBIDDEN')
    return article
  }
  const recentWrites = (channelId: string): number[] => {
    const now = ctx.now()
    return (data.quotaLog.get(channelId) ?? []).filter((t) => now - t < ctx.quotaWindowMs)
  }
  // Writes admitted under the quota whose request is still being read: counted with the log, so
  // requests that arrive together cannot all pass the check before any of them is counted.
  const admitted = new Map<string, Set<{ readonly at: number }>>()
  /** Checks the channel's quota and holds one write against it; call the result when done. */
  const holdQuota = (channelId: string): (() => void) => {
    const now = ctx.now()
    const held = admitted.get(channelId) ?? new Set()
    const times = [...recentWrites(channelId), ...[...held].map((h) => h.at)]
    if (times.length >= ctx.quota) {
      const oldest = Math.min(...times)
      const wait = Math.max(1, Math.ceil((oldest + ctx.quotaWindowMs - now) / 1000))
      throw errorReply(429, 'TOO_MANY_REQUESTS', {}, { 'retry-after': String(wait) })
    }
    const mine = { at: now }
    held.add(mine)
    admitted.set(channelId, held)
    return () => {
      held.delete(mine)
      if (held.size === 0 && admitted.get(channelId) === held) admitted.delete(channelId)
    }
  }
  const countWrite = (tx: Transaction, channelId: string): void => {
    tx.put('quotaLog', channelId, [...recentWrites(channelId), ctx.now()])
  }
  const sectionIds = (
    metadata: Record<string, unknown> | undefined,
    channelId: string,
  ): string[] | undefined => {
    const links = metadata?.links
    if (!isObject(links) || links.sections === undefined) return undefined
    if (!Array.isArray(links.sections))
      throw errorReply(400, 'INVALID_TYPE', { keyPath: ['data', 'links', 'sections'] })
    const ids: string[] = []
    for (const [i, link] of links.sections.entries()) {
      const keyPath = ['data', 'links', 'sections', i]
      let url: URL
      try {
        url = new URL(String(link))
      } catch {
        throw errorReply(400, 'INVALID_URL', { keyPath, value: link })
      }
      const match = /^\/sections\/([^/]+)$/.exec(url.pathname)
      if (!match) throw errorReply(400, 'INVALID_RESOURCE_TYPE', { keyPath, value: link })
      const section = data.sections.get(match[1]!)
      if (!section) throw errorReply(400, 'DOES_NOT_EXIST', { keyPath, value: link })
      if (section.channelId !== channelId) throw errorReply(400, 'NOT_ALLOWED', { keyPath, value: link })
      ids.push(section.id)
    }
    return ids
  }
  /** Moves the bundle's resources under the article; file names carry the revision, so an update never overwrites the files the stored revision refers to. */
  const storeResources = async (
    articleId: string,
    revision: number,
    bundle: ReceivedBundle,
  ): Promise<StoredResource[]> => {
    const dir = join(ctx.resourcesDir, articleId)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const out: StoredResource[] = []
    for (const [i, r] of bundle.resources.entries()) {
      const file = `${revision}-${i}-${r.sha256}`
      await rename(r.file, join(dir, file))
      out.push({ filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256, file })
    }
    return out
  }
  const discard = async (bundle: ReceivedBundle) => {
    for (const r of bundle.resources) await rm(r.file, { force: true })
  }
  /** Runs checks over a received bundle, removing its files when one fails. */
  const checked = async <T>(bundle: ReceivedBundle, run: () => T): Promise<T> => {
    try {
      return run()
    } catch (error) {
      await discard(bundle)
      throw error
    }
  }
  const duplicateOf = (channelId: string, title: string, except?: string): StoredArticle | undefined => {
    if (!ctx.detectDuplicates) return undefined
    const now = ctx.now()
    for (const a of data.articles.values())
      if (
        a.channelId === channelId &&
        a.id !== except &&
        a.title === title &&
        now - Date.parse(a.createdAt) < DAY_MS
      )
        return a
    return undefined
  }
  const removeFiles = (articleId: string, keep: readonly StoredResource[]) => async () => {
    const keepNames = new Set(keep.map((r) => r.file))
    const dir = join(ctx.resourcesDir, articleId)
    for (const name of await readdir(dir).catch(() => [] as string[]))
      if (!keepNames.has(name)) await rm(join(dir, name), { force: true })
  }

  async function createArticle(request: Request, channelId: string): Promise<Answer> {
    const release = holdQuota(channelId)
    try {
      return await createHeld(request, channelId)
    } finally {
      release()
    }
  }

  async function createHeld(request: Request, channelId: string): Promise<Answer> {
    const bundle = must(await ctx.receive(request.auth.upload!.file, contentTypeOf(request)))
    const { title, sections } = await checked(bundle, () => {
      if (!bundle.document) throw errorReply(400, 'MISSING', { keyPath: ['article.json'] })
      const title = String(bundle.document.title)
      const duplicate = duplicateOf(channelId, title)
      if (duplicate)
        throw errorReply(400, 'DUPLICATE_ARTICLE_FOUND', { keyPath: ['title'], value: duplicate.id })
      if (bundle.metadata?.isPreview === true) {
        let previews = 0
        for (const a of data.articles.values())
          if (a.channelId === channelId && a.metadata.isPreview === true) previews++
        if (previews >= ctx.maxPreviewArticles)
          throw errorReply(400, 'TOO_MANY_PREVIEW_ARTICLES', {
            keyPath: ['data', 'isPreview'],
            value: previews,
            message: `The channel already has ${previews} preview articles; publish or delete some.`,
          })
      }
      return { title, sections: sectionIds(bundle.metadata, channelId) }
    })
    const id = randomUUID()
    const resources = await storeResources(id, 1, bundle)
    // Every write of the request happens here, after the last await: one transaction.
    const nowIso = new Date(ctx.now()).toISOString()
    const article: StoredArticle = {
      id,
      channelId,
      seq: data.nextSeq(request.tx),
      createdAt: nowIso,
      modifiedAt: nowIso,
      revision: 1,
      title,
      document: bundle.document!,
      metadata: { ...bundle.metadata },
      sectionIds: sections ?? [data.channels.get(channelId)!.defaultSectionId],
      resources,
    }
    request.tx.put('articles', id, article)
    countWrite(request.tx, channelId)
    return {
      status: 201,
      body: {
        data: articleJson(article, ctx.origin(), {
          state: 'PROCESSING',
          throttling: throttlingJson(data, channelId, ctx.quota, ctx.now(), ctx.quotaWindowMs),
        }),
      },
    }
  }

  async function updateArticle(request: Request, article: StoredArticle): Promise<Answer> {
    const release = holdQuota(article.channelId)
    try {
      return await updateHeld(request, article)
    } finally {
      release()
    }
  }

  async function updateHeld(request: Request, article: StoredArticle): Promise<Answer> {
    const bundle = must(await ctx.receive(request.auth.upload!.file, contentTypeOf(request)))
    const { metadata, sections, title } = await checked(bundle, () => {
      const metadata = bundle.metadata
      if (!metadata || metadata.revision === undefined)
        throw errorReply(400, 'MISSING', { keyPath: ['data', 'revision'] })
      if (metadata.revision !== revisionToken(article.revision))
        throw errorReply(409, 'WRONG_REVISION', { keyPath: ['data', 'revision'], value: metadata.revision })
      if (article.metadata.isPreview !== true && metadata.isPreview === true)
        throw errorReply(400, 'NOT_ALLOWED', {
          keyPath: ['data', 'isPreview'],
          message: 'isPreview can only change from true to false.',
        })
      const sections = sectionIds(metadata, article.channelId)
      let title: string | undefined
      if (bundle.document && !article.optimized) {
        title = String(bundle.document.title)
        const duplicate = duplicateOf(article.channelId, title, article.id)
        if (duplicate)
          throw errorReply(400, 'DUPLICATE_ARTICLE_FOUND', { keyPath: ['title'], value: duplicate.id })
      }
      return { metadata, sections, title }
    })
    // An article the Apple News team optimised is not changed by an update: 202 (§2).
    if (article.optimized) {
      await discard(bundle)
      return { status: 202, body: { data: articleJson(article, ctx.origin()) } }
    }
    const revision = article.revision + 1
    let resources = article.resources
    if (bundle.document) resources = await storeResources(article.id, revision, bundle)
    else await discard(bundle)
    const { revision: _revision, ...fields } = metadata
    const next: StoredArticle = {
      ...article,
      ...(bundle.document ? { document: bundle.document, title: title! } : {}),
      resources,
      metadata: { ...article.metadata, ...fields },
      ...(sections ? { sectionIds: sections } : {}),
      revision,
      modifiedAt: new Date(ctx.now()).toISOString(),
    }
    request.tx.put('articles', article.id, next)
    countWrite(request.tx, article.channelId)
    // The previous revision's files go once the new one is durable.
    if (bundle.document) request.tx.afterCommit(removeFiles(article.id, resources))
    return {
      status: 200,
      body: {
        data: articleJson(next, ctx.origin(), {
          state: 'PROCESSING_UPDATE',
          throttling: throttlingJson(data, article.channelId, ctx.quota, ctx.now(), ctx.quotaWindowMs),
        }),
      },
    }
  }

  function search(request: Request, scope: { channelId: string } | { sectionId: string }): Answer {
    const params = request.url.searchParams
    for (const name of params.keys())
      if (!['fromDate', 'toDate', 'pageSize', 'pageToken', 'sortDir'].includes(name))
        throw errorReply(400, 'INVALID', { keyPath: [name], message: 'Unknown parameter.' })
    const bound = (name: 'fromDate' | 'toDate'): number | undefined => {
      const value = params.get(name)
      if (value === null) return undefined
      try {
        return parseIsoDateTime(value, { allowFraction: true }).date.getTime()
      } catch {
        throw errorReply(400, 'INVALID', { keyPath: [name], value })
      }
    }
    const from = bound('fromDate')
    const to = bound('toDate')
    const sizeText = params.get('pageSize')
    const pageSize = sizeText === null ? SEARCH_PAGE_SIZE.default : Number(sizeText)
    if (
      !Number.isInteger(pageSize) ||
      pageSize < SEARCH_PAGE_SIZE.min ||
      pageSize > SEARCH_PAGE_SIZE.max ||
      (sizeText !== null && !/^\d+$/.test(sizeText))
    )
      throw errorReply(400, 'INVALID', { keyPath: ['pageSize'], value: sizeText })
    const sortDir = params.get('sortDir') ?? 'DESC'
    if (sortDir !== 'ASC' && sortDir !== 'DESC')
      throw errorReply(400, 'INVALID', { keyPath: ['sortDir'], value: sortDir })
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([scope, params.get('fromDate'), params.get('toDate'), sortDir, pageSize]))
      .digest('base64')
      .slice(0, 8)
    let offset = 0
    const token = params.get('pageToken')
    if (token !== null) {
      let parsed: { o?: unknown; f?: unknown } | undefined
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
      } catch {}
      if (!isObject(parsed) || parsed.f !== fingerprint || typeof parsed.o !== 'number' || !(parsed.o >= 0))
        throw errorReply(400, 'INVALID', { keyPath: ['pageToken'], value: token })
      offset = parsed.o
    }
    const matching = [...data.articles.values()]
      .filter((a) =>
        'channelId' in scope ? a.channelId === scope.channelId : a.sectionIds.includes(scope.sectionId),
      )
      .filter((a) => {
        const t = Date.parse(a.createdAt)
        return (from === undefined || t >= from) && (to === undefined || t <= to)
      })
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.seq - b.seq)
    if (sortDir === 'DESC') matching.reverse()
    const page = matching.slice(offset, offset + pageSize)
    const origin = ctx.origin()
    const body: Record<string, unknown> = {
      data: page.map((a) => articleJson(a, origin, { document: false })),
      links: { self: origin + request.target },
    }
    if (offset + pageSize < matching.length) {
      // Apple's tokens are standard base64 ("AoE/BTAw…=="), so clients must encode them in the query.
      const next = Buffer.from(JSON.stringify({ o: offset + pageSize, f: fingerprint })).toString('base64')
      const query = new URLSearchParams([...params.entries()].filter(([name]) => name !== 'pageToken'))
      query.append('pageToken', next)
      ;(body.links as Record<string, string>).next =
        `${origin}${request.url.pathname}?${query.toString().replace(/\+/g, '%20')}`
      body.meta = { nextPageToken: next }
    }
    return { status: 200, body }
  }

  function promote(request: Request, sectionId: string): Answer {
    const section = data.sections.get(sectionId)!
    if (!/^application\/json/i.test(String(request.headers['content-type'] ?? '')))
      throw errorReply(415, 'UNSUPPORTED_MEDIA_TYPE')
    let parsed: unknown
    try {
      parsed = parseJsonBody(request.body)
    } catch {
      throw errorReply(400, 'INVALID_JSON')
    }
    const list = isObject(parsed) && isObject(parsed.data) ? parsed.data.promotedArticles : undefined
    if (!Array.isArray(list) || list.some((id) => typeof id !== 'string'))
      throw errorReply(400, 'INVALID', { keyPath: ['data', 'promotedArticles'] })
    if (list.length > MAX_PROMOTED_ARTICLES)
      throw errorReply(400, 'INVALID', {
        keyPath: ['data', 'promotedArticles'],
        message: `At most ${MAX_PROMOTED_ARTICLES} articles.`,
      })
    const ids: string[] = []
    for (const [i, raw] of (list as string[]).entries()) {
      const id = raw.slice(raw.lastIndexOf('/') + 1)
      const article = data.articles.get(id)
      if (!article || article.channelId !== section.channelId)
        throw errorReply(404, 'NOT_FOUND', { keyPath: ['data', 'promotedArticles', i], value: raw })
      if (typeof article.metadata.thumbnailURL !== 'string')
        throw errorReply(422, 'MISSING_THUMBNAIL_FOR_PROMOTED_ARTICLE', {
          keyPath: ['data', 'promotedArticles', i],
          value: raw,
        })
      ids.push(id)
    }
    request.tx.put('promoted', sectionId, ids)
    const origin = ctx.origin()
    return { status: 200, body: { data: { promotedArticles: ids.map((id) => `${origin}/articles/${id}`) } } }
  }

  function deleteArticle(request: Request, article: StoredArticle): Answer {
    request.tx.delete('articles', article.id)
    for (const [sectionId, ids] of data.promoted)
      if (ids.includes(article.id))
        request.tx.put(
          'promoted',
          sectionId,
          ids.filter((other) => other !== article.id),
        )
    request.tx.afterCommit(() => rm(join(ctx.resourcesDir, article.id), { recursive: true, force: true }))
    return { status: 204 }
  }

  return {
    channel(request: Request): Answer {
      const id = request.params.id!
      channelAccess(id, request.auth.keyChannel)
      return { status: 200, body: { data: channelJson(data.channels.get(id)!, ctx.origin()) } }
    },
    quota(request: Request): Answer {
      const id = request.params.id!
      channelAccess(id, request.auth.keyChannel)
      return { status: 200, body: throttlingJson(data, id, ctx.quota, ctx.now(), ctx.quotaWindowMs) }
    },
    channelSections(request: Request): Answer {
      const id = request.params.id!
      channelAccess(id, request.auth.keyChannel)
      const origin = ctx.origin()
      return {
        status: 200,
        body: {
          data: [...data.sections.values()]
            .filter((s) => s.channelId === id)
            .map((s) => sectionJson(s, origin)),
        },
      }
    },
    channelArticles(request: Request): Answer | Promise<Answer> {
      const id = request.params.id!
      channelAccess(id, request.auth.keyChannel)
      return request.method === 'GET' ? search(request, { channelId: id }) : createArticle(request, id)
    },
    section(request: Request): Answer {
      const id = request.params.id!
      sectionAccess(id, request.auth.keyChannel)
      return { status: 200, body: { data: sectionJson(data.sections.get(id)!, ctx.origin()) } }
    },
    sectionArticles(request: Request): Answer {
      const id = request.params.id!
      sectionAccess(id, request.auth.keyChannel)
      return search(request, { sectionId: id })
    },
    promotedArticles(request: Request): Answer {
      const id = request.params.id!
      sectionAccess(id, request.auth.keyChannel)
      return promote(request, id)
    },
    article(request: Request): Answer | Promise<Answer> {
      const article = articleAccess(request.params.id!, request.auth.keyChannel)
      if (request.method === 'GET') return { status: 200, body: { data: articleJson(article, ctx.origin()) } }
      if (request.method === 'POST') return updateArticle(request, article)
      return deleteArticle(request, article)
    },
    optimize(tx: Transaction, articleId: string): boolean {
      const article = UUID_PATTERN.test(articleId) ? data.articles.get(articleId) : undefined
      if (!article) return false
      tx.put('articles', articleId, { ...article, optimized: true })
      return true
    },
    resourceFile(articleId: string, filename: string) {
      const article = UUID_PATTERN.test(articleId) ? data.articles.get(articleId) : undefined
      const resource = article?.resources.find((r) => r.filename === filename)
      if (!article || !resource) return undefined
      return {
        path: join(ctx.resourcesDir, article.id, resource.file),
        contentType: resource.contentType,
        size: resource.size,
      }
    },
  }
}

/** The handlers object. */
export type AppleNewsHandlers = ReturnType<typeof appleNewsHandlers>

function contentTypeOf(request: Request): string | undefined {
  const value = request.headers['content-type']
  return typeof value === 'string' ? value : undefined
}
