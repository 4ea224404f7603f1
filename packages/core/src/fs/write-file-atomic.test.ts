import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileAtomic } from './write-file-atomic.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-atomic-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  it('writes with mode 0600 and leaves no temporary file', async () => {
    const path = join(dir, 'session.json')
    await writeFile(path, 'old', { mode: 0o644 })
    await writeFileAtomic(path, '{"new":true}')
    expect(await readFile(path, 'utf8')).toBe('{"new":true}')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['session.json'])
  })

  it('keeps the previous file intact when the write fails', async () => {
    const path = join(dir, 'keep.json')
    await writeFile(path, 'previous')
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.json'), 'data')).rejects.toMatchObject({
      code: 'FILE_WRITE_FAILED',
    })
    // A rename onto a directory fails after the temp file was written: the temp file must be cleaned up.
    await expect(writeFileAtomic(dir, 'data')).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' })
    expect(await readFile(path, 'utf8')).toBe('previous')
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
