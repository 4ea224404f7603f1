import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readBody } from '@sigwire/core'
import { afterAll, describe, expect, it } from 'vitest'
import { vectorBody, vectors } from '../__fixtures__/vectors.js'
import { isAppleNewsError } from '../errors.js'
import { buildArticleBundle } from './article-bundle.js'
import { findBundleReferences } from './bundle-references.js'

const multipartCase = vectors.cases.find((c) => c.id === 'post-article-create-multipart')!
const vectorBytes = Buffer.from(vectorBody(multipartCase.bodyBase64))
const PNG_AT = vectorBytes.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
const PIXEL = vectorBytes.subarray(PNG_AT, PNG_AT + 69)
const article = {
  version: '1.7',
  identifier: 'sigwire-1',
  language: 'en',
  title: 'Café ✓',
  layout: { columns: 7, width: 1024 },
  components: [
    { role: 'title', text: 'Café ✓' },
    { role: 'photo', URL: 'bundle://pixel.png' },
  ],
}
const metadata = {
  isPreview: true,
  isSponsored: false,
  links: { sections: ['https://news-api.apple.com/sections/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'] },
}

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('buildArticleBundle', () => {
  it('builds the bytes the apple-news npm package built for the shared vector', async () => {
    const bundle = await buildArticleBundle(
      { article, metadata, resources: [{ filename: 'pixel.png', data: PIXEL }] },
      { boundary: 'sigwire0shared0boundary0c4f1e2d', metadataFilename: null },
    )
    expect(bundle.contentType).toBe(multipartCase.contentType)
    const bytes = Buffer.from(await readBody(bundle.body))
    expect(bytes.equals(vectorBytes)).toBe(true)
    expect(bundle.parts.map((p) => p.size)).toEqual(multipartCase.multipartParts!.map((p) => p.length))
  })

  it('gives every part a filename and content type by default, and a correct size', async () => {
    const bundle = await buildArticleBundle({
      article,
      metadata,
      resources: [{ filename: 'pixel.png', data: PIXEL }],
    })
    const text = Buffer.from(await readBody(bundle.body)).toString('latin1')
    expect(bundle.boundary).toMatch(/^[0-9a-f]{32}$/)
    expect(text).toContain(
      'Content-Disposition: form-data; filename=metadata.json; name=metadata; size=145\r\n',
    )
    expect(text).toContain(
      'Content-Type: image/png\r\nContent-Disposition: form-data; filename=pixel.png; name=file0; size=69\r\n',
    )
    expect(text.endsWith(`\r\n--${bundle.boundary}--\r\n`)).toBe(true)
    for (const part of multipartCase.multipartParts!) {
      const start =
        text.indexOf('\r\n\r\n', text.indexOf(part.headers[1]!.split(';').slice(1, 3).join(';'))) + 4
      const digest = createHash('sha256')
        .update(Buffer.from(text.slice(start, start + part.length), 'latin1'))
        .digest('hex')
      expect(digest).toBe(part.sha256)
    }
  })

  it('streams file resources: same bytes as in memory, body not held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-an-'))
    dirs.push(dir)
    const path = join(dir, 'pixel.png')
    await writeFile(path, PIXEL)
    const fromFile = await buildArticleBundle(
      { article, metadata, resources: [{ filename: 'pixel.png', data: { path } }] },
      { boundary: 'b0', metadataFilename: null },
    )
    expect(fromFile.body.inMemoryBytes()).toBeUndefined()
    const inMemory = await buildArticleBundle(
      { article, metadata, resources: [{ filename: 'pixel.png', data: PIXEL }] },
      { boundary: 'b0', metadataFilename: null },
    )
    expect(
      Buffer.from(await readBody(fromFile.body)).equals(Buffer.from(await readBody(inMemory.body))),
    ).toBe(true)
  })

  it('omits size= when asked and quotes filenames that are not tokens', async () => {
    const doc = { ...article, components: [{ role: 'photo', URL: 'bundle://my photo.jpg' }] }
    const bundle = await buildArticleBundle(
      { article: doc, resources: [{ filename: 'my photo.jpg', data: PIXEL }] },
      { includeSize: false },
    )
    const text = Buffer.from(await readBody(bundle.body)).toString('latin1')
    expect(text).toContain('Content-Disposition: form-data; filename="my photo.jpg"; name=file0\r\n')
    expect(text).toContain('Content-Type: image/jpeg')
    expect(text).not.toContain('size=')
  })

  it.each([
    ['a missing bundle resource', { article }, /bundle:\/\/pixel\.png \(at components\.1\.URL\)/],
    [
      'two resources with one filename',
      {
        article,
        resources: [
          { filename: 'pixel.png', data: PIXEL },
          { filename: 'pixel.png', data: PIXEL },
        ],
      },
      /Two bundle parts/,
    ],
    ['invalid JSON text', { article: '{"a":' }, /not valid JSON/],
    [
      'a thumbnail without its resource',
      { article: { title: 'x' }, metadata: { thumbnailURL: 'bundle://thumb.jpg' } },
      /bundle:\/\/thumb\.jpg \(at metadata\.thumbnailURL\)/,
    ],
    ['nothing at all', {}, /Nothing to send/],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, input, message) => {
    const error = await buildArticleBundle(input).catch((e: unknown) => e)
    expect(isAppleNewsError(error, 'INVALID_ARGUMENT')).toBe(true)
    expect((error as Error).message).toMatch(message)
  })

  it('refuses a chosen boundary that occurs in a part', async () => {
    const error = await buildArticleBundle({ article: { title: 'x --abc y' } }, { boundary: 'abc' }).catch(
      (e) => e,
    )
    expect(isAppleNewsError(error, 'INVALID_ARGUMENT')).toBe(true)
  })

  it('finds bundle references anywhere in the document', () => {
    expect([
      ...findBundleReferences({ a: [{ b: 'bundle://x.png' }], c: 'bundle://y.gif', d: 'https://x' }),
    ]).toEqual([
      ['x.png', ['a', 0, 'b']],
      ['y.gif', ['c']],
    ])
  })
})
