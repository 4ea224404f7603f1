import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequest, fixedClock } from '@sigwire/core'
import { readmeExamples, recordingConsole, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'
import { type AppleNewsClient, createAppleNewsClient, createAppleNewsSigner } from '../src/index.js'

// Every `ts` block of packages/apple-news/README.md runs here, against the Apple News emulator.
const examples = readmeExamples(repoPath('packages', 'apple-news', 'README.md'))

let emulator: AppleNewsEmulator
let dir: string

beforeAll(async () => {
  emulator = await startAppleNewsEmulator()
  dir = mkdtempSync(join(tmpdir(), 'sigwire-apple-news-readme-'))
  // A JPEG start-of-image marker and padding: the emulator stores resources, it does not decode them.
  writeFileSync(
    join(dir, 'photo.jpg'),
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(30_000)]),
  )
})

afterAll(async () => {
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('packages/apple-news/README.md examples', () => {
  it('has five examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true, true])
  })

  it('creates, updates, searches and deletes an article', async () => {
    const console = recordingConsole()
    const dev = emulator.dev!
    Object.assign(process.env, {
      APPLE_NEWS_CHANNEL_ID: dev.channelId,
      APPLE_NEWS_KEY_ID: dev.keyId,
      APPLE_NEWS_SECRET: dev.secret,
    })
    try {
      const module = await runReadmeExample(examples[0]!, {
        scope: { emulatorUrl: emulator.url, console },
        rewrite: [
          ['createAppleNewsClient({', 'createAppleNewsClient({ baseUrl: emulatorUrl,'],
          ["'./photo.jpg'", JSON.stringify(join(dir, 'photo.jpg'))],
        ],
        after: 'export { article, live }',
      })
      const article = module.article as { id: string; state: string; revision: string }
      expect(console.lines[0]).toBe(`${article.id} ${article.state} ${article.revision}`)
      expect(console.lines).toContain('Hello, world')
      expect((module.live as { id: string }).id).toBe(article.id)
    } finally {
      delete process.env.APPLE_NEWS_CHANNEL_ID
      delete process.env.APPLE_NEWS_KEY_ID
      delete process.env.APPLE_NEWS_SECRET
    }
  })

  it('reports upload progress of a create', async () => {
    const news: AppleNewsClient = createAppleNewsClient({ ...emulator.dev!, baseUrl: emulator.url })
    const calls: Array<[number, number | undefined]> = []
    const doc = {
      version: '1.7',
      identifier: 'poster',
      language: 'en',
      title: 'Poster',
      layout: { columns: 7, width: 1024 },
      components: [{ role: 'photo', URL: 'bundle://video-poster.jpg' }],
    }
    try {
      const module = await runReadmeExample(examples[1]!, {
        scope: { news, doc, bar: { update: (sent: number, total?: number) => calls.push([sent, total]) } },
        rewrite: [["'./poster.jpg'", JSON.stringify(join(dir, 'photo.jpg'))]],
        after: 'export { article }',
      })
      expect((module.article as { id: string }).id).toMatch(/\w/)
    } finally {
      await news.close()
    }
    const total = calls.at(-1)![1]
    expect(calls[0]).toEqual([0, total])
    expect(calls.at(-1)).toEqual([total, total])
  })

  it('signs, verifies and diagnoses', async () => {
    const keyId = '6b1a3a4e-7f7e-4a0b-9a55-2f7c3c1f0a11'
    const secret = Buffer.from('a channel secret of thirty-two b').toString('base64')
    const request = createRequest({
      method: 'GET',
      url: 'https://news-api.apple.com/channels/8f1e9c1e-2b0c-4f43-9b0a-5b7f3d2a1c00',
    })
    const output = await createAppleNewsSigner({ keyId, secret }).sign(request, fixedClock(new Date()))
    const headers = Object.fromEntries(
      Object.entries({ ...request.headers, ...output.headers }).map(([k, v]) => [k.toLowerCase(), v]),
    )
    const received = { method: request.method, target: request.target, headers, body: new Uint8Array() }
    const module = await runReadmeExample(examples[2]!, {
      scope: {
        keyId,
        secret,
        request,
        received,
        signedString: `GET${request.origin}${request.target}`,
        method: 'GET',
        url: `${request.origin}${request.target}`,
        date: '2026-03-14T15:09:26Z',
        contentType: undefined,
        body: new Uint8Array(),
      },
      after: 'export { tokens, result, ok, findings }',
    })
    expect((module.tokens as Array<{ label: string }>).map((t) => t.label)).toEqual(['method', 'url', 'date'])
    expect(module.result).toMatchObject({ ok: true })
    expect(module.ok).toBe(false)
    expect((module.findings as Array<{ code: string }>).length).toBeGreaterThan(0)
  })

  it('validates a document locally and prints the errors Apple would answer', async () => {
    const console = recordingConsole()
    const doc = {
      version: '1.15',
      identifier: 'logo',
      language: 'en',
      title: 'Logo',
      layout: { columns: 7, width: 1024 },
      components: [
        { role: 'title', text: 'Logo' },
        { role: 'logo', URL: 'bundle://logo.svg' },
      ],
    }
    await runReadmeExample(examples[3]!, { scope: { doc, console } })
    expect(console.lines).toEqual(['FAILED_TO_PARSE_IMAGE components.1.URL', 'INVALID_TYPE data.isPaid'])
  })

  it('creates with a resource downloaded from a URL, and updates the original on DUPLICATE_ARTICLE_FOUND', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
      'base64',
    )
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length })
      res.end(png)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const imageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/photo.png`
    const news: AppleNewsClient = createAppleNewsClient({ ...emulator.dev!, baseUrl: emulator.url })
    const doc = {
      version: '1.15',
      identifier: 'duplicate',
      language: 'en',
      title: 'Twice the same title',
      layout: { columns: 7, width: 1024 },
      components: [
        { role: 'title', text: 'Twice the same title' },
        { role: 'photo', URL: 'bundle://photo.jpg' },
      ],
    }
    try {
      const first = await news.articles.create({
        article: doc,
        resources: [{ filename: 'photo.jpg', data: { url: imageUrl } }],
      })
      await runReadmeExample(examples[4]!, {
        scope: { news, doc },
        rewrite: [["'https://cdn.example.com/photo.jpg'", JSON.stringify(imageUrl)]],
      })
      const after = await news.articles.read(first.id)
      expect(after.revision).not.toBe(first.revision)
      await news.articles.delete(first.id)
    } finally {
      await news.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
