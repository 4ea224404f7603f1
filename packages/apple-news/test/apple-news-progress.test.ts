import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AppleNewsClient,
  type BundleResource,
  buildArticleBundle,
  createAppleNewsClient,
} from '@sigwire/apple-news'
import { attempts, expectOneRun, recorder } from '@sigwire/vitest-config/progress'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'

// The Apple News client's progress hook against the real Apple News emulator on loopback.

const MiB = 1024 * 1024
const BOUNDARY = 'sigwire-progress-test-boundary'
let emulator: AppleNewsEmulator
let client: AppleNewsClient
let dir: string
let photo: Buffer
let resources: BundleResource[]

const article = (identifier: string) => ({
  version: '1.7',
  identifier,
  language: 'en',
  title: `Progress ${identifier}`,
  layout: { columns: 7, width: 1024 },
  components: [{ role: 'photo', URL: 'bundle://photo.jpg' }],
})

beforeAll(async () => {
  emulator = await startAppleNewsEmulator()
  client = createAppleNewsClient({
    ...emulator.dev!,
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { baseDelayMs: 1 } },
  })
  dir = await mkdtemp(join(tmpdir(), 'sigwire-progress-news-'))
  photo = randomBytes(3 * MiB + 7)
  const path = join(dir, 'photo.jpg')
  await writeFile(path, photo)
  resources = [{ filename: 'photo.jpg', data: { path } }]
})
afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

/** The length of the whole multipart body the client sends for this input (same boundary). */
async function bodyLength(input: Parameters<typeof buildArticleBundle>[0]): Promise<number> {
  return (await buildArticleBundle(input, { boundary: BOUNDARY })).body.byteLength
}

describe('Apple News article progress (emulator)', () => {
  it('reports an article created with a file resource up to the whole multipart body length', async () => {
    const metadata = { isPreview: true }
    const total = await bodyLength({ article: article('create'), metadata, resources })
    expect(total).toBeGreaterThan(photo.byteLength)
    const { calls, listener } = recorder()
    const created = await client.articles.create(
      { article: article('create'), metadata, resources },
      { boundary: BOUNDARY, onProgress: listener },
    )
    expectOneRun(calls, total)
    expect(Buffer.from((await emulator.readResource(created.id, 'photo.jpg'))!).equals(photo)).toBe(true)

    const update = { revision: created.revision, article: article('create'), resources }
    const updated = recorder()
    await client.articles.update(created.id, update, { boundary: BOUNDARY, onProgress: updated.listener })
    expectOneRun(updated.calls, await bodyLength({ ...update, metadata: { revision: created.revision } }))
  })

  it('restarts from zero when a throttled create is sent again', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 0 })
    const total = await bodyLength({ article: article('retried'), resources })
    const { calls, listener } = recorder()
    await client.articles.create(
      { article: article('retried'), resources },
      { boundary: BOUNDARY, onProgress: listener },
    )
    // The emulator answers 429 without reading the body, so the first attempt stops part-way.
    const runs = attempts(calls)
    expect(runs).toHaveLength(2)
    expect(runs[0]![0]).toEqual([0, total])
    expectOneRun(runs[1]!, total)
  })
})
