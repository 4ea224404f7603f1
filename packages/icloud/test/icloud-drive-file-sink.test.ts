import { randomBytes } from 'node:crypto'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileSink } from '../src/client/content/file-sink.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-file-sink-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('fileSink', () => {
  it('writes every chunk in order through the handle', async () => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)]
    const handle = await open(join(dir, 'whole'), 'w')
    try {
      await pipeline(Readable.from(parts), fileSink(handle, 1 << 16))
    } finally {
      await handle.close()
    }
    expect((await readFile(join(dir, 'whole'))).equals(Buffer.concat(parts))).toBe(true)
  })

  // A failed or aborted pipeline destroys the sink; the handle must stay open (a second close of its
  // descriptor number closed whatever the process had opened under that number meanwhile).
  it('leaves the handle open when a failed pipeline destroys it', async () => {
    const first = randomBytes(200_000)
    const handle = await open(join(dir, 'broken'), 'w')
    const sink = fileSink(handle, 1 << 20)
    try {
      const source = Readable.from(
        (async function* () {
          yield first
          throw new Error('the connection broke')
        })(),
      )
      await expect(pipeline(source, sink)).rejects.toThrow('the connection broke')
      await finished(sink).catch(() => undefined)
      expect((await handle.stat()).isFile()).toBe(true)
    } finally {
      await expect(handle.close()).resolves.toBeUndefined()
    }
  })
})
