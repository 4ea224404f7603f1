import { createHash } from 'node:crypto'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { afterAll, describe, expect, it } from 'vitest'
import { startAppleNewsEmulator } from '../src/emulator/index.js'

const MiB = 1024 * 1024
const FILES = 16
const FILE_SIZE = 16 * MiB

describe('Apple News large bundle', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it(`uploads a ${(FILES * FILE_SIZE) / MiB} MiB bundle from files with bounded memory (client and emulator in one process)`, {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-an-large-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const resources = []
    for (let i = 0; i < FILES; i++) {
      const path = join(dir, `image${i}.png`)
      // Sparse files: generated instantly, read back as zeros.
      await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, i]))
      await truncate(path, FILE_SIZE)
      resources.push({ filename: `image${i}.png`, data: { path } })
    }
    const emulator = await startAppleNewsEmulator({ stateDir: join(dir, 'state') })
    cleanups.push(() => emulator.close())
    const client = createAppleNewsClient({
      ...emulator.dev!,
      baseUrl: emulator.url,
      transport: { proxy: false, timeoutMs: 110_000 },
    })
    cleanups.push(() => client.close())
    const document = {
      version: '1.7',
      identifier: 'large',
      language: 'en',
      title: 'A large bundle',
      layout: { columns: 7, width: 1024 },
      components: resources.map((r) => ({ role: 'photo', URL: `bundle://${r.filename}` })),
    }
    // Warm up (JIT, sockets, buffers) with a small upload before measuring.
    await client.articles.create({ article: { ...document, title: 'warm-up', components: [] } })
    global.gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
    }, 5)
    const created = await client.articles.create({ article: document, resources })
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage.rss())
    const growth = (peak - baseline) / MiB
    console.log(`large bundle: ${(FILES * FILE_SIZE) / MiB} MiB sent, RSS grew by ${growth.toFixed(1)} MiB`)
    expect(growth).toBeLessThan(96)

    const stored = await emulator.readResource(created.id, 'image3.png')
    const expected = Buffer.alloc(FILE_SIZE)
    expected.set([0x89, 0x50, 0x4e, 0x47, 3])
    expect(createHash('sha256').update(stored!).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    )
  })
})
