import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PYICLOUD_INSTALL, pyicloudPresent, runPython } from '@sigwire/vitest-config/pyicloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

// A maintained real-world client, unmodified: Debian's python3-pyicloud (pyicloud 1.0.0) lists the
// albums and downloads originals through the emulator's Photos library. It signs in with the legacy
// plaintext `/signin` that 1.0.0 still uses, which the emulator serves behind `legacyAuth`.
const available = pyicloudPresent()

let emulator: ICloudEmulator
let root: string
const files: Record<string, Buffer> = {}

beforeAll(async () => {
  if (!available) return
  root = mkdtempSync(join(tmpdir(), 'sigwire-pyicloud-'))
  const put = (name: string, size: number) => {
    const path = join(root, 'library', name)
    mkdirSync(join(path, '..'), { recursive: true })
    files[name] = randomBytes(size)
    writeFileSync(path, files[name])
  }
  put('IMG_0001.JPG', 20_000)
  put('IMG_0002.HEIC', 30_000)
  put('IMG_0002.MOV', 40_000)
  put('IMG_0003.JPG', 25_000)
  put('IMG_0003.DNG', 60_000)
  put('MOV_0004.MOV', 90_000)
  for (let i = 0; i < 150; i++) put(`Trip/IMG_1${String(i).padStart(3, '0')}.JPG`, 3000 + i)
  emulator = await startICloudEmulator({
    photosDir: join(root, 'library'),
    legacyAuth: true,
    accounts: [{ appleId: 'py@example.com', password: 'pyicloud-password', twoFactor: false }],
  })
})

afterAll(async () => {
  await emulator?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.skipIf(!available)(
  `python3-pyicloud 1.0.0 against the Photos emulator (${PYICLOUD_INSTALL})`,
  () => {
    it('lists the albums and downloads every original of All Photos and of an album with equal bytes', {
      timeout: 120_000,
    }, async () => {
      const out = join(root, 'out')
      mkdirSync(out, { recursive: true })
      const script = join(import.meta.dirname, 'peers', 'pyicloud-photos.py')
      const { stdout } = await runPython([
        script,
        emulator.authUrl,
        emulator.setupUrl,
        'py@example.com',
        'pyicloud-password',
        out,
        'Trip',
      ])
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        albums: string[]
        all: string[]
        album: string[]
        count: number
      }
      expect(summary.albums).toContain('Trip')
      expect(summary.albums).toContain('Favorites')
      expect(summary.count).toBe(154)
      expect(summary.all).toHaveLength(154)
      expect(summary.album).toHaveLength(150)
      for (const [name, bytes] of Object.entries(files)) {
        // pyicloud 1.0.0 downloads originals: the live video and the RAW stay in iCloud.
        if (['IMG_0002.MOV', 'IMG_0003.DNG'].includes(name)) continue
        const base = name.split('/').pop()!
        expect(sha(readFileSync(join(out, 'all', base))), name).toBe(sha(bytes))
        if (name.startsWith('Trip/')) expect(sha(readFileSync(join(out, 'album', base)))).toBe(sha(bytes))
      }
    })
  },
)
