import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AppleNewsClient,
  AppleNewsError,
  createAppleNewsClient,
  createAppleNewsSigner,
  encodeMultipart,
} from '@sigwire/apple-news'
import {
  bytesBody,
  CHANNEL_NAMES,
  createRequest,
  fixedClock,
  jsonBody,
  REDACTED,
  Transport,
  type TransportOptions,
} from '@sigwire/core'
import { loadVectorFile } from '@sigwire/vitest-config/vectors'
import { afterEach, describe, expect, it } from 'vitest'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)
let titles = 0
const article = (title = `Story ${++titles}`) => ({
  version: '1.7',
  identifier: `story-${titles}`,
  language: 'en',
  title,
  layout: { columns: 7, width: 1024 },
  components: [
    { role: 'title', text: title },
    { role: 'photo', URL: 'bundle://image.png' },
  ],
})

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(options: Parameters<typeof startAppleNewsEmulator>[0] = {}) {
  const emulator = await startAppleNewsEmulator(options)
  cleanups.push(() => emulator.close())
  return emulator
}

function clientFor(
  emulator: AppleNewsEmulator,
  overrides: Partial<Parameters<typeof createAppleNewsClient>[0]> = {},
  transport: TransportOptions = {},
) {
  const client = createAppleNewsClient({
    ...emulator.dev!,
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { baseDelayMs: 1 }, ...transport },
    ...overrides,
  } as Parameters<typeof createAppleNewsClient>[0])
  cleanups.push(() => client.close())
  return client
}

async function publish(client: AppleNewsClient, extra: { title?: string; thumbnail?: boolean } = {}) {
  return client.articles.create({
    article: article(extra.title),
    metadata: { isPreview: false, ...(extra.thumbnail ? { thumbnailURL: 'bundle://image.png' } : {}) },
    resources: [{ filename: 'image.png', data: PNG }],
  })
}

async function failure(promise: Promise<unknown>): Promise<AppleNewsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppleNewsError)
  return error as AppleNewsError
}

describe('Apple News emulator with the client', () => {
  it('reads the channel, its quota and its sections', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    const channel = await client.channels.read()
    expect(channel).toMatchObject({ id: emulator.dev!.channelId, type: 'channel' })
    expect(await client.channels.quota()).toEqual({
      isThrottled: false,
      queueSize: 0,
      estimatedDelayInSeconds: 0,
      quotaAvailable: 200,
    })
    const sections = await client.sections.list()
    expect(sections.map((s) => [s.name, s.isDefault])).toEqual([
      ['Main', true],
      ['Features', false],
    ])
    expect(channel.links.defaultSection).toBe(sections[0]!.links.self)
    expect(await client.sections.read(sections[1]!.id)).toEqual(sections[1])
  })

  it('publishes an article with an image, keeps the image, updates with revision, deletes', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    const [main, features] = await client.sections.list()
    const created = await client.articles.create({
      article: article('With an image'),
      metadata: { isPreview: true, links: { sections: [features!.links.self] } },
      resources: [{ filename: 'image.png', data: PNG }],
    })
    expect(created).toMatchObject({
      type: 'article',
      state: 'PROCESSING',
      title: 'With an image',
      isPreview: true,
    })
    expect(created.links.sections).toEqual([features!.links.self])
    expect(created.meta?.throttling?.quotaAvailable).toBe(199)
    expect(Buffer.from((await emulator.readResource(created.id, 'image.png'))!).equals(PNG)).toBe(true)
    const served = await fetch(`${emulator.url}/_sigwire/articles/${created.id}/resources/image.png`)
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true)

    const read = await client.articles.read(created.id)
    expect(read).toMatchObject({ state: 'LIVE', revision: created.revision })
    expect(read.document).toMatchObject({
      title: 'With an image',
      components: [{ role: 'title' }, { role: 'photo', URL: 'bundle://image.png' }],
    })

    const updated = await client.articles.update(created.id, {
      revision: created.revision,
      metadata: { isPreview: false, links: { sections: [main!.links.self] } },
    })
    expect(updated.applied).toBe(true)
    expect(updated.article).toMatchObject({ isPreview: false, state: 'PROCESSING_UPDATE' })
    expect(updated.article.revision).not.toBe(created.revision)
    expect(updated.article.links.sections).toEqual([main!.links.self])

    const stale = await failure(
      client.articles.update(created.id, { revision: created.revision, metadata: {} }),
    )
    expect(stale).toMatchObject({ code: 'CONFLICT', serviceCode: 'WRONG_REVISION', status: 409 })
    expect(stale.errors).toEqual([
      { code: 'WRONG_REVISION', keyPath: ['data', 'revision'], value: created.revision },
    ])

    const backToPreview = await failure(
      client.articles.update(created.id, {
        revision: updated.article.revision,
        metadata: { isPreview: true },
      }),
    )
    expect(backToPreview.errors[0]).toMatchObject({ code: 'NOT_ALLOWED', keyPath: ['data', 'isPreview'] })

    expect(emulator.optimizeArticle(created.id)).toBe(true)
    const notApplied = await client.articles.update(created.id, {
      revision: updated.article.revision,
      metadata: { isSponsored: true },
    })
    expect(notApplied).toMatchObject({
      applied: false,
      article: { isSponsored: false, revision: updated.article.revision },
    })

    await client.articles.delete(created.id)
    expect(await failure(client.articles.read(created.id))).toMatchObject({ code: 'NOT_FOUND', status: 404 })
    expect(await emulator.readResource(created.id, 'image.png')).toBeUndefined()
  })

  it('searches with paging (pageToken as an async iterator), by section, and validates parameters', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await publish(client)).id)
    const all: string[] = []
    for await (const a of client.articles.searchAll({ pageSize: 2, sortDir: 'ASC' })) all.push(a.id)
    expect(all).toEqual(ids)
    const first = await client.articles.search({ pageSize: 2 })
    expect(first.articles.map((a) => a.id)).toEqual([ids[4], ids[3]])
    expect(first.nextPageToken).toMatch(/=$/)
    expect(first.articles[0]!.document).toBeUndefined()
    const [main] = await client.sections.list()
    const inSection: string[] = []
    for await (const a of client.articles.searchAll({ sectionId: main!.id, pageSize: 3 }))
      inSection.push(a.id)
    expect(inSection).toHaveLength(5)
    const none = await client.articles.search({ fromDate: new Date(Date.now() + 3_600_000) })
    expect(none).toEqual({ articles: [] })
    const bad = await failure(client.articles.search({ pageSize: 101 }))
    expect(bad).toMatchObject({
      code: 'REQUEST_REJECTED',
      status: 400,
      errors: [{ code: 'INVALID', keyPath: ['pageSize'], value: '101' }],
    })
    const badToken = await failure(client.articles.search({ pageToken: 'bm9wZQ==' }))
    expect(badToken.errors[0]).toMatchObject({ code: 'INVALID', keyPath: ['pageToken'] })
  })

  it('promotes articles that have a thumbnail', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    const [main] = await client.sections.list()
    const a = await publish(client, { thumbnail: true })
    const b = await publish(client)
    expect(await client.sections.promoteArticles(main!.id, [a.id])).toEqual([
      `${emulator.url}/articles/${a.id}`,
    ])
    const missing = await failure(client.sections.promoteArticles(main!.id, [b.id]))
    expect(missing).toMatchObject({ status: 422, serviceCode: 'MISSING_THUMBNAIL_FOR_PROMOTED_ARTICLE' })
    expect(await client.sections.promoteArticles(main!.id, [])).toEqual([])
    const tooMany = await failure(client.sections.promoteArticles(main!.id, Array(7).fill(a.id)))
    expect(tooMany.errors[0]).toMatchObject({ code: 'INVALID' })
  })

  it('answers Apple multipart errors with every error item kept', async () => {
    const emulator = await start({ strictFilename: true })
    const client = clientFor(emulator)
    const noFilename = await failure(
      client.articles.create(
        { article: article(), metadata: {}, resources: [{ filename: 'image.png', data: PNG }] },
        { metadataFilename: null },
      ),
    )
    expect(noFilename).toMatchObject({
      code: 'REQUEST_REJECTED',
      errors: [{ code: 'MIME_PART_MISSING_FILENAME', keyPath: ['metadata'] }],
    })

    // A hand-built part whose size= is wrong, signed correctly: the size check must catch it.
    const encoded = encodeMultipart(
      [
        {
          name: 'article.json',
          filename: 'article.json',
          contentType: 'application/json',
          body: jsonBody({ ...article(), components: [] }),
        },
      ],
      { boundary: 'b0' },
    )
    const bytes = Buffer.from(encoded.body.inMemoryBytes()!)
      .toString('latin1')
      .replace(/size=\d+/, 'size=3')
    const transport = new Transport({ proxy: false })
    cleanups.push(() => transport.close())
    const response = await transport.send(
      createRequest({
        method: 'POST',
        url: `${emulator.url}/channels/${emulator.dev!.channelId}/articles`,
        headers: { 'content-type': encoded.contentType },
        body: bytesBody(Buffer.from(bytes, 'latin1')),
      }),
      { signer: client.signer },
    )
    expect(response.status).toBe(400)
    expect(JSON.parse(Buffer.from(response.body).toString())).toMatchObject({
      errors: [{ code: 'MIME_PART_INCORRECT_SIZE' }],
    })

    const duplicate = article('Same title')
    await client.articles.create({
      article: duplicate,
      metadata: {},
      resources: [{ filename: 'image.png', data: PNG }],
    })
    const again = await failure(
      client.articles.create({
        article: duplicate,
        metadata: {},
        resources: [{ filename: 'image.png', data: PNG }],
      }),
    )
    expect(again.errors[0]).toMatchObject({ code: 'DUPLICATE_ARTICLE_FOUND' })
  })

  it('rejects bad authentication with 401, WWW-Authenticate: HHMAC and the signed trace', async () => {
    const emulator = await start()
    const wrongSecret = Buffer.alloc(32, 7).toString('base64')
    const client = clientFor(emulator, { secret: wrongSecret })
    const error = await failure(client.channels.read())
    expect(error).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      status: 401,
      serviceCode: 'WRONG_SIGNATURE',
      errors: [{ code: 'WRONG_SIGNATURE' }],
    })
    expect(error.trace?.map((t) => t.label)).toEqual(['method', 'url', 'date'])
    expect(JSON.stringify(error.toJSON())).not.toContain(wrongSecret)
    expect(error.message).toContain('sigwire doctor')

    const raw = await fetch(`${emulator.url}/channels/${emulator.dev!.channelId}`)
    expect(raw.status).toBe(401)
    expect(raw.headers.get('www-authenticate')).toBe('HHMAC')
    expect(await raw.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED' }] })

    // After authentication: Accept without JSON, unknown routes, wrong methods.
    const transport = new Transport({ proxy: false })
    cleanups.push(() => transport.close())
    const signer = createAppleNewsSigner(emulator.dev!)
    const call = async (method: string, path: string, headers: Record<string, string> = {}) =>
      (await transport.send(createRequest({ method, url: emulator.url + path, headers }), { signer })).status
    expect(await call('GET', `/channels/${emulator.dev!.channelId}`, { accept: 'text/html' })).toBe(406)
    expect(await call('GET', '/nowhere/x')).toBe(404)
    expect(await call('DELETE', `/channels/${emulator.dev!.channelId}`)).toBe(405)
    expect(await call('GET', '/articles/not-a-uuid')).toBe(404)

    const unknownKey = clientFor(emulator, { keyId: '00000000-0000-4000-8000-000000000000' })
    expect(await failure(unknownKey.channels.read())).toMatchObject({ serviceCode: 'API_KEY_NOT_FOUND' })
  })

  it('never lets the secret or the Authorization value reach diagnostics events, errors or traces', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    for (const name of Object.values(CHANNEL_NAMES)) subscribe(name, listener)
    cleanups.push(async () => {
      for (const name of Object.values(CHANNEL_NAMES)) unsubscribe(name, listener)
    })
    emulator.faults.inject('throttle', { retryAfterSeconds: 0 })
    const created = await publish(client)
    await failure(client.articles.update(created.id, { revision: 'stale', metadata: {} }))
    const wrong = clientFor(emulator, { secret: Buffer.alloc(32, 9).toString('base64') })
    const error = await failure(wrong.channels.read())
    const everything = JSON.stringify([events, error.toJSON(), error.trace, error.message])
    expect(events.length).toBeGreaterThan(4)
    expect(everything).toContain(`"authorization":"${REDACTED}"`)
    for (const secret of [emulator.dev!.secret, Buffer.alloc(32, 9).toString('base64')])
      expect(everything).not.toContain(secret)
    expect(everything).not.toMatch(/signature=[A-Za-z0-9+/]{43}=/)
  })

  it('re-signs once when the emulator clock is off by more than 5 minutes', async () => {
    const emulator = await start({ faults: { clockOffsetMs: 10 * 60_000 } })
    const client = clientFor(emulator)
    const channel = await client.channels.read()
    expect(channel.id).toBe(emulator.dev!.channelId)
    const strict = await start({ faults: { clockOffsetMs: 10 * 60_000 } })
    const skewed = createAppleNewsClient({
      ...strict.dev!,
      baseUrl: strict.url,
      transport: { proxy: false, clock: fixedClock(Date.now()) },
    })
    cleanups.push(() => skewed.close())
    expect(await failure(skewed.channels.read())).toMatchObject({ serviceCode: 'DATE_NOT_RECENT' })
  })

  it('honours Retry-After on 429 and retries 503 for reads', async () => {
    const emulator = await start()
    const client = clientFor(emulator)
    emulator.faults.inject('throttle', { retryAfterSeconds: 1 })
    const started = performance.now()
    await client.channels.read()
    expect(performance.now() - started).toBeGreaterThanOrEqual(900)
    emulator.faults.inject('unavailable', { times: 2, retryAfterSeconds: 0 })
    await client.sections.list()
    const impatient = clientFor(emulator, {}, { retry: { maxAttempts: 2, baseDelayMs: 1 } })
    emulator.faults.inject('throttle', { times: 2, retryAfterSeconds: 0 })
    expect(await failure(impatient.channels.quota())).toMatchObject({
      code: 'THROTTLED',
      status: 429,
      retryAfterMs: 0,
    })
  })

  it('forbids another channel and honours AbortSignal', async () => {
    const a = {
      channelId: '0a0a0a0a-0000-4000-8000-000000000001',
      keyId: '0a0a0a0a-0000-4000-8000-00000000000a',
      secret: Buffer.alloc(32, 1).toString('base64'),
    }
    const b = {
      channelId: '0b0b0b0b-0000-4000-8000-000000000002',
      keyId: '0b0b0b0b-0000-4000-8000-00000000000b',
      secret: Buffer.alloc(32, 2).toString('base64'),
    }
    const emulator = await start({ channels: [a, b] })
    expect(emulator.dev).toBeUndefined()
    const client = clientFor(emulator, a)
    expect((await client.channels.read()).id).toBe(a.channelId)
    expect(await failure(client.channels.read(b.channelId))).toMatchObject({ code: 'FORBIDDEN', status: 403 })
    emulator.faults.latencyMs = 500
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const aborted = await client.channels
      .read(undefined, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect(aborted).toMatchObject({ code: 'ABORTED' })
  })

  it("enforces Apple's size limits unless partLimits replaces them", async () => {
    const image = Buffer.concat([PNG, Buffer.alloc(4096)])
    const small = clientFor(await start({ partLimits: { image: 1024 } }))
    const tooLarge = await failure(
      small.articles.create({ article: article(), resources: [{ filename: 'image.png', data: image }] }),
    )
    expect(tooLarge.errors[0]).toMatchObject({ code: 'MIME_PART_TOO_LARGE', keyPath: ['file0'] })
    const tiny = clientFor(await start({ partLimits: { body: 2048 } }))
    // Past the body limit the emulator answers 413 and stops reading, which the client may see as a reset.
    await expect(
      tiny.articles.create({ article: article(), resources: [{ filename: 'image.png', data: image }] }),
    ).rejects.toThrow()
    const created = await clientFor(await start()).articles.create({
      article: article(),
      resources: [{ filename: 'image.png', data: image }],
    })
    expect(created.id).toBeTruthy()
  })

  it('serves TLS, a public origin, and verify: false', async () => {
    const tls = await start({ tls: true })
    const secure = clientFor(tls, {}, { tls: { ca: tls.certificate! } })
    expect((await secure.channels.read()).id).toBe(tls.dev!.channelId)

    // A client that signs Apple's URL while connecting to loopback (like the apple-news npm package).
    const apple = await start({ publicOrigin: 'https://news-api.apple.com' })
    const signer = createAppleNewsSigner(apple.dev!)
    const path = `/channels/${apple.dev!.channelId}`
    const signed = await signer.sign(
      createRequest({ method: 'GET', url: `https://news-api.apple.com${path}` }),
      fixedClock(Date.now()),
    )
    const transport = new Transport({ proxy: false })
    cleanups.push(() => transport.close())
    const ok = await transport.send(
      createRequest({ method: 'GET', url: apple.url + path, headers: signed.headers }),
    )
    expect(ok.status).toBe(200)
    expect(JSON.parse(Buffer.from(ok.body).toString()).data.links.self).toBe(
      `https://news-api.apple.com${path}`,
    )

    const open = await start({ verify: false })
    const unsigned = await transport.send(
      createRequest({ method: 'GET', url: `${open.url}/channels/${open.dev!.channelId}/sections` }),
    )
    expect(unsigned.status).toBe(200)
  })

  it('keeps state, credentials and resources across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-an-state-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const first = await startAppleNewsEmulator({ stateDir: dir })
    const client = createAppleNewsClient({ ...first.dev!, baseUrl: first.url, transport: { proxy: false } })
    const created = await publish(client)
    await client.close()
    await first.close()
    const second = await start({ stateDir: dir })
    expect(second.dev).toEqual(first.dev)
    const again = clientFor(second)
    expect((await again.articles.read(created.id)).revision).toBe(created.revision)
    expect(Buffer.from((await second.readResource(created.id, 'image.png'))!).equals(PNG)).toBe(true)
  })
})

describe('Apple News emulator with the shared vectors', () => {
  const vectors = loadVectorFile('apple-news.json')
  it.each(vectors.cases)('authenticates $id signed for news-api.apple.com', async (v) => {
    const emulator = await start({
      publicOrigin: 'https://news-api.apple.com',
      now: () => Date.parse(v.date),
      channels: [
        {
          channelId: 'c0ffee00-1234-4abc-8def-0123456789ab',
          keyId: vectors.apiKeyId,
          secret: vectors.apiSecret,
        },
      ],
    })
    const transport = new Transport({ proxy: false })
    cleanups.push(() => transport.close())
    const url = new URL(v.url)
    for (const authorization of [v.authorizationHeader, v.authorizationHeaderUnquoted]) {
      const response = await transport.send(
        createRequest({
          method: v.method,
          url: emulator.url + url.pathname + url.search,
          headers: { authorization, ...(v.contentType ? { 'content-type': v.contentType } : {}) },
          ...(v.bodyBase64 ? { body: bytesBody(Buffer.from(v.bodyBase64, 'base64')) } : {}),
        }),
      )
      // Authentication passed: the vectors' article and section do not exist in the emulator.
      expect(response.status, Buffer.from(response.body).toString()).not.toBe(401)
      const expected: Record<string, number> = { 'post-article-create-multipart': 400, 'delete-article': 404 }
      expect(response.status).toBe(expected[v.id] ?? 200)
    }
  })
})
