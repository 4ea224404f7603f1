import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SigwireError } from '../errors/sigwire-error.js'
import { removeOrphanedTempFiles, writeFileAtomic } from './write-file-atomic.js'

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

  it('streams a body into place, and leaves nothing behind when the stream fails or is aborted', async () => {
    const path = join(dir, 'download.bin')
    const chunks = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2)]
    await writeFileAtomic(path, Readable.from(chunks))
    expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true)
    expect((await stat(path)).mode & 0o777).toBe(0o600)

    const failing = async function* () {
      yield Buffer.alloc(1000, 3)
      throw new SigwireError({ code: 'NETWORK_ERROR', message: 'connection reset' })
    }
    await expect(writeFileAtomic(path, failing())).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    const controller = new AbortController()
    const endless = async function* () {
      for (;;) {
        yield Buffer.alloc(1000, 4)
        controller.abort()
      }
    }
    await expect(writeFileAtomic(path, endless(), { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
    expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('releases a stream it could not write (the directory is missing)', async () => {
    const source = Readable.from([Buffer.alloc(10)])
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.bin'), source)).rejects.toMatchObject({
      code: 'FILE_WRITE_FAILED',
    })
    expect(source.destroyed).toBe(true)
  })

  it('removes the temporary files a killed writer left behind on the next save, and nothing else', async () => {
    const here = join(dir, 'orphans')
    await mkdir(here)
    // A pid that is surely not running (above Linux's pid_max) stands for a process killed with -9.
    const dead = 4_194_305
    const old = new Date(Date.now() - 60_000)
    const orphan = join(here, `.session.json.${dead}.0123456789ab.tmp`)
    const fresh = join(here, `.other.json.${dead}.0123456789ac.tmp`)
    const living = join(here, `.session.json.${process.ppid}.0123456789ad.tmp`)
    const lookalikes = [join(here, '.session.json.tmp'), join(here, `session.json.${dead}.0123456789ab.tmp`)]
    for (const path of [orphan, fresh, living, ...lookalikes]) await writeFile(path, 'partial')
    for (const path of [orphan, living, ...lookalikes]) await utimes(path, old, old)
    await writeFileAtomic(join(here, 'session.json'), '{}')
    expect((await readdir(here)).sort()).toEqual(
      [
        'session.json',
        `.other.json.${dead}.0123456789ac.tmp`,
        `.session.json.${process.ppid}.0123456789ad.tmp`,
        '.session.json.tmp',
        `session.json.${dead}.0123456789ab.tmp`,
      ].sort(),
    )
    // Once the fresh one is old enough, it goes too.
    expect(await removeOrphanedTempFiles(here, Date.now() + 60_000)).toBe(1)
  })

  it('never removes the temporary file of a write in progress in this process', async () => {
    const here = join(dir, 'in-progress')
    await mkdir(here)
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    async function* slow() {
      yield Buffer.from('first ')
      await gate
      yield Buffer.from('second')
    }
    const writing = writeFileAtomic(join(here, 'download.bin'), slow())
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await removeOrphanedTempFiles(here, Date.now() + 60_000)).toBe(0)
    release()
    await writing
    expect(await readFile(join(here, 'download.bin'), 'utf8')).toBe('first second')
  })
})
