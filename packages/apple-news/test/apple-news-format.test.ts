import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AppleNewsError,
  type ArticleDocument,
  createAppleNewsClient,
  isAppleNewsError,
  validateArticle,
} from '@sigwire/apple-news'
import { afterEach, describe, expect, it } from 'vitest'
import { startAppleNewsEmulator } from '../src/emulator/index.js'

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')

let n = 0
function doc(extra: Partial<ArticleDocument> = {}): ArticleDocument {
  n++
  return {
    version: '1.15',
    identifier: `format-${n}`,
    language: 'en',
    title: `Format story ${n}`,
    layout: { columns: 7, width: 1024 },
    components: [
      { role: 'title', text: `Format story ${n}` },
      { role: 'photo', URL: 'bundle://image.png' },
    ],
    ...extra,
  }
}

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(options: Parameters<typeof startAppleNewsEmulator>[0] = {}) {
  const emulator = await startAppleNewsEmulator(options)
  cleanups.push(() => emulator.close())
  const client = createAppleNewsClient({
    ...emulator.dev!,
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { baseDelayMs: 1 } },
  } as Parameters<typeof createAppleNewsClient>[0])
  cleanups.push(() => client.close())
  return { emulator, client }
}

async function failure(promise: Promise<unknown>): Promise<AppleNewsError> {
  try {
    await promise
  } catch (error) {
    if (isAppleNewsError(error)) return error
    throw error
  }
  throw new Error('expected a failure')
}

/** Invalid articles, each with the error Apple answers first (code and key path). */
const INVALID: Array<{
  name: string
  article: unknown
  resources?: Array<{ filename: string; data: Uint8Array; contentType?: string }>
  metadata?: Record<string, unknown>
  code: string
  keyPath: Array<string | number>
}> = [
  {
    name: 'a required property missing',
    article: { ...doc(), title: undefined },
    code: 'INVALID_DOCUMENT',
    keyPath: ['title'],
  },
  {
    name: 'a layout without columns',
    article: doc({ layout: { width: 1024 } as never }),
    code: 'INVALID_DOCUMENT',
    keyPath: ['layout', 'columns'],
  },
  {
    name: 'a text component without text',
    article: doc({ components: [{ role: 'body' } as never, { role: 'photo', URL: 'bundle://image.png' }] }),
    code: 'INVALID_DOCUMENT',
    keyPath: ['components', 0, 'text'],
  },
  {
    name: 'an SVG image in the bundle',
    article: doc({ components: [{ role: 'photo', URL: 'bundle://logo.svg' }] }),
    resources: [{ filename: 'logo.svg', data: SVG, contentType: 'image/svg+xml' }],
    code: 'FAILED_TO_PARSE_IMAGE',
    keyPath: ['components', 0, 'URL'],
  },
  {
    name: 'an SVG image by URL, nested in a container',
    article: doc({
      components: [
        { role: 'title', text: 'x' },
        { role: 'container', components: [{ role: 'figure', URL: 'https://example.com/chart.svg' }] },
        { role: 'photo', URL: 'bundle://image.png' },
      ],
    }),
    code: 'FAILED_TO_PARSE_IMAGE',
    keyPath: ['components', 1, 'components', 0, 'URL'],
  },
  {
    name: 'a gallery item without a URL',
    article: doc({ components: [{ role: 'gallery', items: [{ URL: 'bundle://image.png' }, {} as never] }] }),
    code: 'INVALID_DOCUMENT',
    keyPath: ['components', 0, 'items', 1, 'URL'],
  },
  {
    name: 'a layout name that is not defined',
    article: doc({ components: [{ role: 'photo', URL: 'bundle://image.png', layout: 'wide' }] }),
    code: 'INVALID_DOCUMENT',
    keyPath: ['components', 0, 'layout'],
  },
  {
    name: 'a thumbnail in the document metadata that is not a URL',
    article: doc({ metadata: { thumbnailURL: 'photo one.jpg' } }),
    code: 'INVALID_URL',
    keyPath: ['metadata', 'thumbnailURL'],
  },
  {
    name: 'an image over 20 MB',
    article: doc(),
    resources: [
      { filename: 'image.png', data: new Uint8Array(20 * 1024 * 1024 + 1), contentType: 'image/png' },
    ],
    code: 'MIME_PART_TOO_LARGE',
    keyPath: ['file0'],
  },
  {
    name: 'isPaid that is not a boolean',
    article: doc(),
    metadata: { isPaid: 'yes' },
    code: 'INVALID_TYPE',
    keyPath: ['data', 'isPaid'],
  },
  {
    name: 'a territory that is not a country code',
    article: doc(),
    metadata: { targetTerritoryCountryCodes: ['US', 'usa'] },
    code: 'INVALID_ARTICLE_TERRITORY',
    keyPath: ['data', 'targetTerritoryCountryCodes', 1],
  },
]

describe('Apple News Format: the validator', () => {
  it('passes a valid document with its resources and metadata', () => {
    const result = validateArticle(
      doc({
        metadata: { thumbnailURL: 'bundle://image.png', authors: ['A'] },
        componentLayouts: { wide: { columnSpan: 7 } },
      }),
      {
        resources: [{ filename: 'image.png', contentType: 'image/png', size: PNG.byteLength }],
        metadata: {
          isPaid: true,
          accessoryText: 'Sponsored',
          isCandidateToBeFeatured: false,
          targetTerritoryCountryCodes: ['US', 'GB'],
        },
      },
    )
    expect(result).toEqual({ ok: true, errors: [], warnings: [] })
  })

  it('reports the missing bundle:// resource at the node that references it', () => {
    const result = validateArticle(doc(), { resources: [] })
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'INVALID_DOCUMENT',
        keyPath: ['components', 1, 'URL'],
        value: 'bundle://image.png',
      }),
    ])
  })

  it('warns of unknown roles and unused resources without refusing', () => {
    const result = validateArticle(
      doc({ components: [{ role: 'hologram' } as never, { role: 'photo', URL: 'bundle://image.png' }] }),
      { resources: [{ filename: 'image.png' }, { filename: 'spare.png' }] },
    )
    expect(result.ok).toBe(true)
    expect(result.warnings.map((w) => w.code)).toEqual(['UNKNOWN_ROLE', 'UNUSED_RESOURCE'])
  })

  for (const c of INVALID)
    it(`refuses ${c.name} locally, and the emulator answers the same error when it is sent anyway`, async () => {
      const local = validateArticle(c.article, {
        resources: (c.resources ?? [{ filename: 'image.png', data: PNG, contentType: 'image/png' }]).map(
          (r, i) => ({
            filename: r.filename,
            name: `file${i}`,
            size: r.data.byteLength,
            ...(r.contentType ? { contentType: r.contentType } : {}),
          }),
        ),
        metadata: c.metadata ?? {},
      })
      expect(local.errors[0]).toMatchObject({ code: c.code, keyPath: c.keyPath })

      const { emulator, client } = await setup()
      const input = {
        article: c.article as object,
        metadata: c.metadata ?? {},
        resources: c.resources ?? [{ filename: 'image.png', data: PNG }],
      }
      const before = emulator.log.entries().length
      const refused = await failure(client.articles.create(input))
      expect(refused).toMatchObject({
        code: 'INVALID_ARGUMENT',
        errors: [expect.objectContaining({ code: c.code, keyPath: c.keyPath })],
      })
      expect(emulator.log.entries().length).toBe(before)

      const answered = await failure(client.articles.create(input, { validate: false }))
      expect(answered).toMatchObject({ code: 'REQUEST_REJECTED', status: 400, serviceCode: c.code })
      expect(answered.errors[0]).toMatchObject({ code: c.code, keyPath: c.keyPath })
    })
})

describe('Apple News: typed metadata, remote resources, previews and duplicates', () => {
  it('sends accessoryText, isPaid, isCandidateToBeFeatured and targetTerritoryCountryCodes, and reads them back', async () => {
    const { client } = await setup()
    const created = await client.articles.create({
      article: doc(),
      metadata: {
        accessoryText: 'Paid partnership',
        isPaid: true,
        isCandidateToBeFeatured: true,
        targetTerritoryCountryCodes: ['US', 'GB'],
      },
      resources: [{ filename: 'image.png', data: PNG }],
    })
    expect(await client.articles.read(created.id)).toMatchObject({
      accessoryText: 'Paid partnership',
      isPaid: true,
      isCandidateToBeFeatured: true,
      targetTerritoryCountryCodes: ['US', 'GB'],
    })
  })

  it('downloads resources given by URL into the bundle, or references them from the document', async () => {
    const server = await serve({
      '/image.png': ['image/png', PNG],
      '/logo.svg': ['image/svg+xml', SVG],
      '/gone.png': ['image/png', null],
    })
    const { emulator, client } = await setup()
    const created = await client.articles.create({
      article: doc(),
      resources: [{ filename: 'image.png', data: { url: `${server}/image.png` } }],
    })
    expect(Buffer.from((await emulator.readResource(created.id, 'image.png'))!).equals(PNG)).toBe(true)

    const referenced = await client.articles.create({
      article: doc(),
      resources: [{ filename: 'image.png', data: { url: `${server}/image.png`, remote: 'reference' } }],
    })
    const read = await client.articles.read(referenced.id)
    expect(read.document).toMatchObject({
      components: [{ role: 'title' }, { role: 'photo', URL: `${server}/image.png` }],
    })
    expect(await emulator.readResource(referenced.id, 'image.png')).toBeUndefined()

    await expect(
      client.articles.create({
        article: doc({ components: [{ role: 'photo', URL: 'bundle://logo.png' }] }),
        resources: [{ filename: 'logo.png', data: { url: `${server}/logo.svg` } }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('SVG') })
    await expect(
      client.articles.create({
        article: doc(),
        resources: [{ filename: 'image.png', data: { url: `${server}/gone.png` } }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('HTTP 404') })
    await expect(
      client.articles.create({
        article: doc(),
        resources: [{ filename: 'image.png', data: { url: 'http://example.com/image.png' } }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('https://') })
  })

  it('lists and deletes previews after TOO_MANY_PREVIEW_ARTICLES, and finds the original of DUPLICATE_ARTICLE_FOUND', async () => {
    const { client } = await setup({ maxPreviewArticles: 2 })
    const preview = () =>
      client.articles.create({
        article: doc(),
        metadata: { isPreview: true },
        resources: [{ filename: 'image.png', data: PNG }],
      })
    const first = await preview()
    const second = await preview()
    const full = await failure(preview())
    expect(full).toMatchObject({ code: 'REQUEST_REJECTED', serviceCode: 'TOO_MANY_PREVIEW_ARTICLES' })
    const listed: string[] = []
    for await (const a of client.articles.previews()) listed.push(a.id)
    expect(listed.sort()).toEqual([first.id, second.id].sort())
    expect(await client.articles.deletePreviews({ keep: 1 })).toEqual([first.id])
    await preview()

    const original = doc()
    const made = await client.articles.create({
      article: original,
      resources: [{ filename: 'image.png', data: PNG }],
    })
    const duplicate = await failure(
      client.articles.create({
        article: { ...original, identifier: 'another' },
        resources: [{ filename: 'image.png', data: PNG }],
      }),
    )
    expect(duplicate.serviceCode).toBe('DUPLICATE_ARTICLE_FOUND')
    expect((await client.articles.findDuplicate(duplicate))?.id).toBe(made.id)
    expect(await client.articles.findDuplicate(full)).toBeUndefined()
  })
})

/** A loopback HTTP server answering each path with its type and bytes (null: 404). */
async function serve(files: Record<string, [string, Uint8Array | null]>): Promise<string> {
  const server: Server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file?.[1]) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[0], 'content-length': file[1].byteLength }).end(file[1])
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
