import { randomBytes } from 'node:crypto'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeChunks } from '../src/client/content/write-chunks.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-write-chunks-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function* slowly(parts: readonly Buffer[], everyMs: number): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (everyMs > 0) await new Promise((resolve) => setTimeout(resolve, everyMs))
    yield part
  }
}

describe('writeChunks', () => {
  it('writes every chunk in order, whether chunks arrive faster or slower than the writes', async () => {
    for (const [everyMs, limit] of [
      [0, 1 << 16],
      [0, 1],
      [2, 1 << 20],
    ] as const) {
      const parts = Array.from({ length: 40 }, (_, i) =>
        randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 7919) % 90_000)),
      )
      const path = join(dir, `order-${everyMs}-${limit}`)
      const handle = await open(path, 'w')
      const seen: number[] = []
      try {
        await writeChunks(handle, slowly(parts, everyMs), limit, (chunk) => seen.push(chunk.byteLength))
      } finally {
        await handle.close()
      }
      expect((await readFile(path)).equals(Buffer.concat(parts))).toBe(true)
      expect(seen).toEqual(parts.map((p) => p.byteLength))
    }
  })

  it('rethrows a failed source after its writes settled, and leaves the handle open', async () => {
    const first = randomBytes(200_000)
    const path = join(dir, 'broken')
    const handle = await open(path, 'w')
    try {
      const source = (async function* () {
        yield first
        throw new Error('the connection broke')
      })()
      await expect(writeChunks(handle, source, 1 << 20)).rejects.toThrow('the connection broke')
      expect((await handle.stat()).size).toBe(first.byteLength)
    } finally {
      await expect(handle.close()).resolves.toBeUndefined()
    }
  })

  it('rejects with the write error and stops reading', async () => {
    const path = join(dir, 'read-only')
    await (await open(path, 'w')).close()
    const handle = await open(path, 'r')
    let read = 0
    const source = (async function* () {
      for (let i = 0; i < 1000; i++) {
        read++
        yield randomBytes(1024)
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    try {
      await expect(writeChunks(handle, source, 4096)).rejects.toMatchObject({ code: 'EBADF' })
      expect(read).toBeLessThan(1000)
    } finally {
      await handle.close()
    }
  })
})
