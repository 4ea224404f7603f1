import { randomBytes } from 'node:crypto'
import { type AppleNewsClient, type Article, createAppleNewsClient } from '@sigwire/apple-news'
import { diagnoseAppleNewsRequest } from '@sigwire/apple-news/doctor'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '@sigwire/emulator'
import { appleNewsUiService } from '@sigwire/emulator-ui'
import type { Keeper } from '../keep.js'
import type { Step } from '../report.js'

// A 1x1 PNG: the article's image.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)

/** The Apple News job: publish an article with an image, search, update with its revision, delete. */
export function appleNewsSteps(keeper: Keeper): Step[] {
  let emulator: AppleNewsEmulator | undefined
  let client: AppleNewsClient | undefined
  let article: Article | undefined
  const service = 'apple-news'
  const title = `Hello from sigwire ${randomBytes(3).toString('hex')}`
  return [
    {
      service,
      name: 'start the emulator over TLS',
      async run() {
        emulator = await startAppleNewsEmulator({ tls: true })
        client = createAppleNewsClient({
          ...emulator.dev!,
          baseUrl: emulator.url,
          transport: { tls: { ca: emulator.certificate! }, proxy: false },
        })
        const channel = await client.channels.read()
        return `${emulator.url}, channel "${channel.name}"`
      },
    },
    {
      service,
      name: 'publish an article with an image',
      async run() {
        const [main] = await client!.sections.list()
        article = await client!.articles.create({
          article: {
            version: '1.7',
            identifier: 'sigwire-demo',
            language: 'en',
            title,
            layout: { columns: 7, width: 1024 },
            components: [
              { role: 'title', text: title },
              { role: 'photo', URL: 'bundle://image.png', caption: 'One pixel, signed byte for byte' },
            ],
          },
          metadata: {
            isPreview: true,
            thumbnailURL: 'bundle://image.png',
            links: { sections: [main!.links.self] },
          },
          resources: [{ filename: 'image.png', data: PNG }],
        })
        const stored = await emulator!.readResource(article.id, 'image.png')
        if (!stored || !Buffer.from(stored).equals(PNG))
          throw new Error('the emulator did not keep the image')
        return `${article.id} ${article.state}, image kept (${stored.byteLength} bytes), revision ${article.revision}`
      },
    },
    {
      service,
      name: 'search the channel (paged)',
      async run() {
        let found = 0
        for await (const a of client!.articles.searchAll({ pageSize: 1, sortDir: 'DESC' }))
          if (a.id === article!.id) found++
        if (found !== 1) throw new Error('the new article was not found by search')
        return 'found by GET /channels/{id}/articles'
      },
    },
    {
      service,
      name: 'update with revision (throttled once)',
      async run() {
        emulator!.faults.inject('throttle', { retryAfterSeconds: 0 })
        const { article: updated } = await client!.articles.update(article!.id, {
          revision: article!.revision,
          metadata: { isPreview: false },
        })
        const stale = await client!.articles
          .update(article!.id, { revision: article!.revision, metadata: {} })
          .catch((e: { code?: string }) => e.code)
        if (stale !== 'CONFLICT') throw new Error(`a stale revision gave ${String(stale)}`)
        article = updated
        return `revision ${updated.revision}, isPreview ${updated.isPreview}; stale revision -> CONFLICT (WRONG_REVISION)`
      },
    },
    {
      service,
      name: 'doctor: a request keyed with the secret text',
      async run() {
        const { createHmac } = await import('node:crypto')
        const target = `/channels/${emulator!.dev!.channelId}`
        const date = `${new Date().toISOString().slice(0, 19)}Z`
        const wrong = createHmac('sha256', emulator!.dev!.secret)
          .update(`GET${emulator!.url}${target}${date}`)
          .digest('base64')
        const diagnosis = diagnoseAppleNewsRequest({
          request: {
            method: 'GET',
            target,
            headers: {
              authorization: `HHMAC; key=${emulator!.dev!.keyId}; signature=${wrong}; date=${date}`,
            },
            body: new Uint8Array(),
          },
          secret: emulator!.dev!.secret,
          publicOrigin: emulator!.url,
        })
        return `doctor: ${diagnosis.findings.map((f) => f.code).join(', ')}`
      },
    },
    {
      service,
      name: 'delete the article',
      async run() {
        await client!.articles.delete(article!.id)
        const gone = await client!.articles.read(article!.id).catch((e: { code?: string }) => e.code)
        if (gone !== 'NOT_FOUND') throw new Error(`the deleted article reads as ${String(gone)}`)
        await client!.close()
        await keeper.release(emulator && appleNewsUiService(emulator), () => emulator!.close())
        return 'DELETE 204, then NOT_FOUND'
      },
    },
  ]
}
