import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PYICLOUD_INSTALL, pyicloudPresent, runPython } from '@sigwire/vitest-config/pyicloud'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN } from './run-cli.js'

// A maintained real-world client, unmodified, against `sigwire emulate --icloud`: Debian's
// python3-pyicloud (pyicloud 1.0.0), which .ci/run installs. The driver script points pyicloud's
// class-level endpoints at the emulator and uses its Drive API as its README shows.
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'pyicloud_drive.py')

const present = pyicloudPresent('import pyicloud.services.drive')

const children: ChildProcess[] = []
const dirs: string[] = []
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

/** `sigwire emulate --icloud --config FILE` and its JSON line. */
function emulate(config: string): Promise<{ authUrl: string; setupUrl: string }> {
  const child = spawn(process.execPath, [BIN, 'emulate', '--icloud', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const newline = out.indexOf('\n')
      if (newline !== -1) resolve(JSON.parse(out.slice(0, newline)).icloud)
    })
    child.on('close', (code) => reject(new Error(`emulate exited ${code}`)))
  })
}

describe.skipIf(!present)(
  `pyicloud (unmodified) against sigwire emulate --icloud (${PYICLOUD_INSTALL})`,
  () => {
    it('lists, uploads, downloads the same bytes, renames and deletes Drive files', {
      timeout: 60_000,
    }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sigwire-pyicloud-'))
      dirs.push(dir)
      const work = join(dir, 'work')
      await mkdir(work)
      const bytes = randomBytes(200_000)
      await writeFile(join(work, 'upload.txt'), bytes)
      // pyicloud 1.0.0 signs in with the plaintext idmsa /signin, which the emulator serves behind legacyAuth.
      const config = join(dir, 'config.json')
      await writeFile(
        config,
        JSON.stringify({
          icloud: {
            legacyAuth: true,
            accounts: [{ appleId: 'py@example.com', password: 'py password 1', twoFactor: false }],
          },
        }),
      )
      const icloud = await emulate(config)
      const run = await runPython([
        SCRIPT,
        JSON.stringify({
          ...icloud,
          appleId: 'py@example.com',
          password: 'py password 1',
          cookieDir: join(dir, 'cookies'),
          workDir: work,
        }),
      ])
      const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
      expect(seen).toMatchObject({
        root: ['Documents', 'Downloads', 'Keynote', 'Numbers', 'Pages'],
        documents: ['upload.txt'],
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        afterRename: ['renamed.txt'],
        afterDelete: [],
      })
    })
  },
)
