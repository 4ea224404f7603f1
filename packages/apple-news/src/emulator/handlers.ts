import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseIsoDateTime } from '@sigwire/core'
import type { EmulatorRequest } from '@sigwire/emulator-kit'
import { MAX_PROMOTED_ARTICLES, SEARCH_PAGE_SIZE, UUID_PATTERN } from '../constants.js'
import { isObject, type ReceivedBundle } from './bundle.js'
import { articleJson, channelJson, errorReply, type Reply, sectionJson, throttlingJson } from './render.js'
import { type AppleNewsState, revisionToken, type StoredArticle, type StoredResource } from './state.js'

/** What the handlers need from the emulator. */
export interface HandlerContext {
  state: AppleNewsState
  changed(): void
  origin(): string
  now(): number
  resourcesDir: string
  quota: number
  detectDuplicates: boolean
  receive(file: string, contentType: string | undefined): Promise<ReceivedBundle | Reply>
}

/** The routes of the emulated API. */
export interface Handlers {
  route(
    request: EmulatorRequest,
    keyChannel: string | undefined,
    upload: { file: string } | undefined,
  ): Promise<Reply>
  resourceFile(
    articleId: string,
    filename: string,
  ): { path: string; contentType: string; size: number } | undefined
  optimize(articleId: string): boolean
}

const DAY_MS = 86_400_000

/** Builds the route handlers over the emulator's state. */
export function handlers(ctx: HandlerContext): Handlers {
  const { state } = ctx

  const channelAccess = (channelId: string, keyChannel: string | undefined): Reply | undefined => {
    if (!UUID_PATTERN.test(channelId))
      return errorReply(400, 'INVALID_TYPE', { keyPath: ['channel_id'], value: channelId })
    if (!state.channels[channelId])
      return errorReply(404, 'NOT_FOUND', { keyPath: ['channel_id'], value: channelId })
    if (keyChannel !== undefined && keyChannel !== channelId) return errorReply(403, 'FORBIDDEN')
    return undefined
  }
  const sectionAccess = (sectionId: string, keyChannel: string | undefined): Reply | undefined => {
    if (!UUID_PATTERN.test(sectionId))
      return errorReply(400, 'INVALID_TYPE', { keyPath: ['section_id'], value: sectionId })
    const section = state.sections[sectionId]
    if (!section) return errorReply(404, 'NOT_FOUND', { keyPath: ['section_id'], value: sectionId })
    if (keyChannel !== undefined && keyChannel !== section.channelId) return errorReply(403, 'FORBIDDEN')
    return undefined
  }
  const articleAccess = (articleId: string, keyChannel: string | undefined): Reply | StoredArticle => {
    const article = UUID_PATTERN.test(articleId) ? state.articles[articleId] : undefined
    if (!article) return errorReply(404, 'NOT_FOUND', { keyPath: ['article_id'], value: articleId })
    if (keyChannel !== undefined && keyChannel !== article.channelId) return errorReply(403, 'FORBIDDEN')
    return article
  }
  const throttled = (channelId: string): Reply | undefined => {
    const now = ctx.now()
    const log = (state.quotaLog[channelId] ?? []).filter((t) => now - t < 3_600_000)
    state.quotaLog[channelId] = log
    if (log.length < ctx.quota) return undefined
    const wait = Math.max(1, Math.ceil((log[0]! + 3_600_000 - now) / 1000))
    return errorReply(429, 'TOO_MANY_REQUESTS', {}, { 'retry-after': String(wait) })
  }
  const sectionIds = (
    metadata: Record<string, unknown> | undefined,
    channelId: string,
  ): string[] | Reply | undefined => {
    const links = metadata?.links
    if (!isObject(links) || links.sections === undefined) return undefined
    if (!Array.isArray(links.sections))
      return errorReply(400, 'INVALID_TYPE', { keyPath: ['data', 'links', 'sections'] })
    const ids: string[] = []
    for (const [i, link] of links.sections.entries()) {
      const keyPath = ['data', 'links', 'sections', i]
      let url: URL
      try {
        url = new URL(String(link))
      } catch {
        return errorReply(400, 'INVALID_URL', { keyPath, value: link })
      }
      const match = /^\/sections\/([^/]+)$/.exec(url.pathname)
      if (!match) return errorReply(400, 'INVALID_RESOURCE_TYPE', { keyPath, value: link })
      const section = state.sections[match[1]!]
      if (!section) return errorReply(400, 'DOES_NOT_EXIST', { keyPath, value: link })
      if (section.channelId !== channelId) return errorReply(400, 'NOT_ALLOWED', { keyPath, value: link })
      ids.push(section.id)
    }
    return ids
  }
  const storeResources = async (articleId: string, bundle: ReceivedBundle): Promise<StoredResource[]> => {
    const dir = join(ctx.resourcesDir, articleId)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const out: StoredResource[] = []
    for (const [i, r] of bundle.resources.entries()) {
      const file = `${i}-${r.sha256}`
      await rename(r.file, join(dir, file))
      out.push({ filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256, file })
    }
    return out
  }
  const discard = async (bundle: ReceivedBundle) => {
    for (const r of bundle.resources) await rm(r.file, { force: true })
  }
  const duplicateOf = (channelId: string, title: string, except?: string): StoredArticle | undefined => {
    if (!ctx.detectDuplicates) return undefined
    const now = ctx.now()
    return Object.values(state.articles).find(
      (a) =>
        a.channelId === channelId &&
        a.id !== except &&
        a.title === title &&
        now - Date.parse(a.createdAt) < DAY_MS,
    )
  }

  async function createArticle(
    channelId: string,
    file: string,
    contentType: string | undefined,
  ): Promise<Reply> {
    const limited = throttled(channelId)
    if (limited) return limited
    const bundle = await ctx.receive(file, contentType)
    if ('status' in bundle) return bundle
    const fail = async (reply: Reply) => {
      await discard(bundle)
      return reply
    }
    if (!bundle.document) return fail(errorReply(400, 'MISSING', { keyPath: ['article.json'] }))
    const title = String(bundle.document.title)
    const duplicate = duplicateOf(channelId, title)
    if (duplicate)
      return fail(errorReply(400, 'DUPLICATE_ARTICLE_FOUND', { keyPath: ['title'], value: duplicate.id }))
    const sections = sectionIds(bundle.metadata, channelId)
    if (sections && !Array.isArray(sections)) return fail(sections)
    const id = randomUUID()
    const nowIso = new Date(ctx.now()).toISOString()
    const metadata = { ...bundle.metadata }
    const article: StoredArticle = {
      id,
      channelId,
      seq: ++state.seq,
      createdAt: nowIso,
      modifiedAt: nowIso,
      revision: 1,
      title,
      document: bundle.document,
      metadata,
      sectionIds: sections ?? [state.channels[channelId]!.defaultSectionId],
      resources: await storeResources(id, bundle),
    }
    state.articles[id] = article
    state.quotaLog[channelId]!.push(ctx.now())
    ctx.changed()
    return {
      status: 201,
      body: {
        data: articleJson(article, ctx.origin(), {
          state: 'PROCESSING',
          throttling: throttlingJson(state, channelId, ctx.quota, ctx.now()),
        }),
      },
    }
  }

  async function updateArticle(
    article: StoredArticle,
    file: string,
    contentType: string | undefined,
  ): Promise<Reply> {
    const limited = throttled(article.channelId)
    if (limited) return limited
    const bundle = await ctx.receive(file, contentType)
    if ('status' in bundle) return bundle
    const fail = async (reply: Reply) => {
      await discard(bundle)
      return reply
    }
    const metadata = bundle.metadata
    if (!metadata || metadata.revision === undefined)
      return fail(errorReply(400, 'MISSING', { keyPath: ['data', 'revision'] }))
    if (metadata.revision !== revisionToken(article.revision))
      return fail(
        errorReply(409, 'WRONG_REVISION', { keyPath: ['data', 'revision'], value: metadata.revision }),
      )
    if (article.metadata.isPreview !== true && metadata.isPreview === true)
      return fail(
        errorReply(400, 'NOT_ALLOWED', {
          keyPath: ['data', 'isPreview'],
          message: 'isPreview can only change from true to false.',
        }),
      )
    const sections = sectionIds(metadata, article.channelId)
    if (sections && !Array.isArray(sections)) return fail(sections)
    // An article the Apple News team optimised is not changed by an update: 202 (§2).
    if (article.optimized) {
      await discard(bundle)
      return { status: 202, body: { data: articleJson(article, ctx.origin()) } }
    }
    if (bundle.document) {
      const title = String(bundle.document.title)
      const duplicate = duplicateOf(article.channelId, title, article.id)
      if (duplicate)
        return fail(errorReply(400, 'DUPLICATE_ARTICLE_FOUND', { keyPath: ['title'], value: duplicate.id }))
      await rm(join(ctx.resourcesDir, article.id), { recursive: true, force: true })
      article.document = bundle.document
      article.title = title
      article.resources = await storeResources(article.id, bundle)
    } else await discard(bundle)
    const { revision: _revision, ...fields } = metadata
    article.metadata = { ...article.metadata, ...fields }
    if (sections) article.sectionIds = sections
    article.revision += 1
    article.modifiedAt = new Date(ctx.now()).toISOString()
    state.quotaLog[article.channelId]!.push(ctx.now())
    ctx.changed()
    return {
      status: 200,
      body: {
        data: articleJson(article, ctx.origin(), {
          state: 'PROCESSING_UPDATE',
          throttling: throttlingJson(state, article.channelId, ctx.quota, ctx.now()),
        }),
      },
    }
  }

  function search(request: EmulatorRequest, scope: { channelId: string } | { sectionId: string }): Reply {
    const params = request.url.searchParams
    for (const name of params.keys())
      if (!['fromDate', 'toDate', 'pageSize', 'pageToken', 'sortDir'].includes(name))
        return errorReply(400, 'INVALID', { keyPath: [name], message: 'Unknown parameter.' })
    const bound = (name: 'fromDate' | 'toDate'): number | Reply | undefined => {
      const value = params.get(name)
      if (value === null) return undefined
      try {
        return parseIsoDateTime(value, { allowFraction: true }).date.getTime()
      } catch {
        return errorReply(400, 'INVALID', { keyPath: [name], value })
      }
    }
    const from = bound('fromDate')
    const to = bound('toDate')
    if (typeof from === 'object') return from
    if (typeof to === 'object') return to
    const sizeText = params.get('pageSize')
    const pageSize = sizeText === null ? SEARCH_PAGE_SIZE.default : Number(sizeText)
    if (
      !Number.isInteger(pageSize) ||
      pageSize < SEARCH_PAGE_SIZE.min ||
      pageSize > SEARCH_PAGE_SIZE.max ||
      (sizeText !== null && !/^\d+$/.test(sizeText))
    )
      return errorReply(400, 'INVALID', { keyPath: ['pageSize'], value: sizeText })
    const sortDir = params.get('sortDir') ?? 'DESC'
    if (sortDir !== 'ASC' && sortDir !== 'DESC')
      return errorReply(400, 'INVALID', { keyPath: ['sortDir'], value: sortDir })
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
      if (!parsed || parsed.f !== fingerprint || typeof parsed.o !== 'number')
        return errorReply(400, 'INVALID', { keyPath: ['pageToken'], value: token })
      offset = parsed.o
    }
    const matching = Object.values(state.articles)
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

  function promote(request: EmulatorRequest, sectionId: string): Reply {
    const section = state.sections[sectionId]!
    if (!/^application\/json/i.test(String(request.headers['content-type'] ?? '')))
      return errorReply(415, 'UNSUPPORTED_MEDIA_TYPE')
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(request.body).toString('utf8'))
    } catch {
      return errorReply(400, 'INVALID_JSON')
    }
    const list = isObject(parsed) && isObject(parsed.data) ? parsed.data.promotedArticles : undefined
    if (!Array.isArray(list) || list.some((id) => typeof id !== 'string'))
      return errorReply(400, 'INVALID', { keyPath: ['data', 'promotedArticles'] })
    if (list.length > MAX_PROMOTED_ARTICLES)
      return errorReply(400, 'INVALID', {
        keyPath: ['data', 'promotedArticles'],
        message: `At most ${MAX_PROMOTED_ARTICLES} articles.`,
      })
    const ids: string[] = []
    for (const [i, raw] of (list as string[]).entries()) {
      const id = raw.slice(raw.lastIndexOf('/') + 1)
      const article = state.articles[id]
      if (!article || article.channelId !== section.channelId)
        return errorReply(404, 'NOT_FOUND', { keyPath: ['data', 'promotedArticles', i], value: raw })
      if (typeof article.metadata.thumbnailURL !== 'string')
        return errorReply(422, 'MISSING_THUMBNAIL_FOR_PROMOTED_ARTICLE', {
          keyPath: ['data', 'promotedArticles', i],
          value: raw,
        })
      ids.push(id)
    }
    state.promoted[sectionId] = ids
    ctx.changed()
    const origin = ctx.origin()
    return { status: 200, body: { data: { promotedArticles: ids.map((id) => `${origin}/articles/${id}`) } } }
  }

  return {
    async route(request, keyChannel, upload) {
      const path = request.url.pathname
      const method = request.method
      const origin = ctx.origin()
      const allow = (...methods: string[]) =>
        methods.includes(method) ? undefined : errorReply(405, 'METHOD_NOT_ALLOWED')
      // `/channels/{id}/quota` -> kind "channels/quota", id; IDs never contain "/".
      const segments = path.split('/')
      if (segments[0] !== '' || segments.length < 3 || segments.length > 4 || segments[2] === '')
        return errorReply(404, 'NOT_FOUND')
      let id: string
      try {
        id = decodeURIComponent(segments[2]!)
      } catch {
        return errorReply(404, 'NOT_FOUND')
      }
      const kind = `${segments[1]}/${segments[3] ?? ''}`
      switch (kind) {
        case 'channels/':
          return (
            allow('GET') ??
            channelAccess(id, keyChannel) ?? {
              status: 200,
              body: { data: channelJson(state.channels[id]!, origin) },
            }
          )
        case 'channels/quota':
          return (
            allow('GET') ??
            channelAccess(id, keyChannel) ?? {
              status: 200,
              body: throttlingJson(state, id, ctx.quota, ctx.now()),
            }
          )
        case 'channels/sections':
          return (
            allow('GET') ??
            channelAccess(id, keyChannel) ?? {
              status: 200,
              body: {
                data: Object.values(state.sections)
                  .filter((section) => section.channelId === id)
                  .map((section) => sectionJson(section, origin)),
              },
            }
          )
        case 'channels/articles': {
          const denied = allow('GET', 'POST') ?? channelAccess(id, keyChannel)
          if (denied) return denied
          if (method === 'GET') return search(request, { channelId: id })
          return createArticle(id, upload!.file, request.headers['content-type'] as string | undefined)
        }
        case 'sections/':
          return (
            allow('GET') ??
            sectionAccess(id, keyChannel) ?? {
              status: 200,
              body: { data: sectionJson(state.sections[id]!, origin) },
            }
          )
        case 'sections/articles':
          return allow('GET') ?? sectionAccess(id, keyChannel) ?? search(request, { sectionId: id })
        case 'sections/promotedArticles':
          return allow('POST') ?? sectionAccess(id, keyChannel) ?? promote(request, id)
        case 'articles/': {
          const denied = allow('GET', 'POST', 'DELETE')
          if (denied) return denied
          const article = articleAccess(id, keyChannel)
          if ('status' in article) return article
          if (method === 'GET') return { status: 200, body: { data: articleJson(article, origin) } }
          if (method === 'POST')
            return updateArticle(article, upload!.file, request.headers['content-type'] as string | undefined)
          delete state.articles[article.id]
          for (const [sectionId, ids] of Object.entries(state.promoted))
            state.promoted[sectionId] = ids.filter((other) => other !== article.id)
          await rm(join(ctx.resourcesDir, article.id), { recursive: true, force: true })
          ctx.changed()
          return { status: 204 }
        }
      }
      return errorReply(404, 'NOT_FOUND')
    },

    optimize(articleId) {
      const article = UUID_PATTERN.test(articleId) ? state.articles[articleId] : undefined
      if (!article) return false
      article.optimized = true
      ctx.changed()
      return true
    },

    resourceFile(articleId, filename) {
      const article = UUID_PATTERN.test(articleId) ? state.articles[articleId] : undefined
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
