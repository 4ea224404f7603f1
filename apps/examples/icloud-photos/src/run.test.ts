import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from './run.js'

const root = mkdtempSync(join(tmpdir(), 'sigwire-example-icloud-photos-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('example: icloud-photos', () => {
  it('syncs an album of the seeded emulator, then keeps what is there', async () => {
    const photos = join(root, 'library')
    mkdirSync(join(photos, 'Trip'), { recursive: true })
    const bytes = { jpg: Buffer.alloc(7000, 9), heic: Buffer.alloc(8000, 8), mov: Buffer.alloc(9000, 7) }
    writeFileSync(join(photos, 'Trip', 'A.JPG'), bytes.jpg)
    writeFileSync(join(photos, 'Trip', 'B.HEIC'), bytes.heic)
    writeFileSync(join(photos, 'Trip', 'B.MOV'), bytes.mov)
    writeFileSync(join(photos, 'C.JPG'), Buffer.alloc(100, 1))
    const env = {
      PHOTOS_DIR: photos,
      PHOTOS_ALBUM: 'Trip',
      PHOTOS_TO: join(root, 'out'),
      PHOTOS_EMULATOR_STATE: join(root, 'state'),
    }
    const first: string[] = []
    await run(env, (line) => first.push(line))
    expect(first).toContain('Album Trip: 2 assets')
    expect(first.at(-1)).toMatch(/^Downloaded 3 files, kept 0/)
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['A.JPG', 'B.HEIC', 'B.MOV'])
    expect(readFileSync(join(root, 'out', 'B.MOV')).equals(bytes.mov)).toBe(true)
    const second: string[] = []
    await run(env, (line) => second.push(line))
    expect(second.at(-1)).toMatch(/^Downloaded 0 files, kept 3/)
  })
})
