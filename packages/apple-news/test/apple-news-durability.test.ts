import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { expect, it } from 'vitest'
import { startChildEmulator, writeUnderLoad } from '../../emulator-kit/test/kill-harness.js'
import { startAppleNewsEmulator } from '../src/emulator/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)
const article = (title: string) => ({
  version: '1.7',
  identifier: title,
  language: 'en',
  title,
  layout: { columns: 7, width: 1024 },
  components: [
    { role: 'title', text: title },
    { role: 'photo', URL: 'bundle://image.png' },
  ],
})
type Dev = { channelId: string; keyId: string; secret: string }

it('keeps every acknowledged article with its resources after kill -9 under load, and no orphan', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-an-kill-'))
  const stateDir = join(dir, 'state')
  try {
    const child = await startChildEmulator<{ url: string; dev: Dev }>({
      cwd: root,
      config: 'test/durability.vitest.config.ts',
      stateDir,
      readyFile: join(dir, 'ready.json'),
    })
    const client = createAppleNewsClient({
      ...child.info.dev,
      baseUrl: child.info.url,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    } as Parameters<typeof createAppleNewsClient>[0])
    const load = await writeUnderLoad({
      concurrency: 8,
      runMs: 1500,
      minAcknowledged: 20,
      kill: () => child.kill(),
      async write(n) {
        const image = Buffer.concat([PNG, Buffer.from(`#${n}`)])
        const created = await client.articles.create({
          article: article(`Durable ${n}`),
          resources: [{ filename: 'image.png', data: image }],
        })
        return { id: created.id, image }
      },
    })
    await client.close()
    expect(load.killedAfter, String(load.firstError)).toBeGreaterThanOrEqual(20)

    const emulator = await startAppleNewsEmulator({ stateDir, quota: 1_000_000 })
    const reader = createAppleNewsClient({
      ...emulator.dev!,
      baseUrl: emulator.url,
      transport: { proxy: false },
    })
    try {
      const lost: string[] = []
      for (const { id, image } of load.acknowledged) {
        const stored = await emulator.readResource(id, 'image.png')
        if (!stored || !Buffer.from(stored).equals(image)) lost.push(id)
        else expect((await reader.articles.read(id)).title).toMatch(/^Durable \d+$/)
      }
      expect(lost, `${lost.length} of ${load.acknowledged.length} acknowledged articles lost`).toEqual([])
      // Nothing half-written: every resource directory belongs to an article that reads back whole.
      const dirs = (await readdir(join(stateDir, 'apple-news-resources'))).filter((d) => d !== '.uploads')
      for (const id of dirs) expect(await emulator.readResource(id, 'image.png'), id).toBeDefined()
      expect(await readdir(join(stateDir, 'apple-news-resources', '.uploads'))).toEqual([])
    } finally {
      await reader.close()
      await emulator.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
