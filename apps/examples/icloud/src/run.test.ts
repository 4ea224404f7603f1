import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from './run.js'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('example: icloud', () => {
  it('signs in to the emulator with a two-factor code, then resumes the saved session', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-example-icloud-'))
    dirs.push(dir)
    const env = { ICLOUD_SESSION_DIR: join(dir, 'sessions'), ICLOUD_EMULATOR_STATE: join(dir, 'emulator') }
    const first: string[] = []
    await run(env, (line) => first.push(line))
    expect(first.join('\n')).toMatch(/Signed in \(signin \+ hsa2\) as Dev Account/)
    expect(first.join('\n')).toMatch(/Storage: [\d.]+ GB used of 50\.00 GB/)
    expect(first.join('\n')).toContain('Contacts: 25')
    const [file] = await readdir(join(dir, 'sessions'))
    expect(await readFile(join(dir, 'sessions', file!), 'utf8')).toContain('X-APPLE-WEBAUTH-TOKEN')

    const second: string[] = []
    await run(env, (line) => second.push(line))
    expect(second.join('\n')).toMatch(/Signed in \(validate\) as Dev Account/)
  })
})
