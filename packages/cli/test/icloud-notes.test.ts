import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let dir: string
let sessions: string
let emulator: ICloudEmulator

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-icloud-notes-'))
  sessions = join(dir, 'sessions')
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'nat@example.com', password: 'notes pass 1', twoFactor: false }],
  })
  await writeFile(join(dir, 'password'), 'notes pass 1\n')
  const login = await runCli([
    'icloud',
    'login',
    '--apple-id',
    'nat@example.com',
    '--auth-url',
    emulator.authUrl,
    '--setup-url',
    emulator.setupUrl,
    '--session-dir',
    sessions,
    '--password-file',
    join(dir, 'password'),
  ])
  expect(login.code, login.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

const cli = (...args: string[]) => runCli(['icloud', 'notes', ...args, '--session-dir', sessions])
const json = async (...args: string[]) => {
  const run = await cli(...args, '--json')
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout)
}

describe('sigwire icloud notes (real binary against the emulator)', () => {
  it('ls lists folders, then notes; show prints a note as text, Markdown or HTML', {
    timeout: 60_000,
  }, async () => {
    const { folders } = await json('ls')
    expect(folders.map((f: { name: string }) => f.name)).toEqual(['Notes', 'Recipes', 'Work'])
    const text = await cli('ls', '--folder', 'Recipes')
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+ {2}Pancakes {2}id C3E5A7B9-/)
    const { notes } = await json('ls', '--notes', '--deleted')
    expect(notes).toHaveLength(6)
    const groceries = notes.find((n: { title: string }) => n.title === 'Groceries')
    expect(groceries.modified).toMatch(/Z$/)
    const shown = await cli('show', groceries.id)
    expect(shown.stdout).toBe('Groceries\nMilk\nBread\nEggs \u{1F95A}\n')
    const md = await cli('show', groceries.id, '--format', 'markdown')
    expect(md.stdout).toBe('# Groceries\n\n- [x] Milk\n- [ ] Bread\n- [ ] Eggs \u{1F95A}\n')
    const html = await json('show', groceries.id, '--format', 'html')
    expect(html.content).toContain('<ul class="checklist"><li class="checked">')
    expect(html.note).toMatchObject({
      id: groceries.id,
      title: 'Groceries',
      folderId: 'DefaultFolder-CloudKit',
    })
  })

  it('export writes one Markdown file per note; errors are typed with exit codes', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, 'recipes')
    const exported = await json('export', 'Recipes', '--out', out)
    expect(exported.files).toHaveLength(1)
    expect(await readdir(out)).toEqual(['Pancakes.md'])
    expect(await readFile(join(out, 'Pancakes.md'), 'utf8')).toContain(
      '### Ingredients\n\n- 200 g flour\n- 2 eggs\n',
    )
    const missing = await cli('show', 'NO-SUCH-NOTE')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sigwire: NOT_FOUND: There is no note "NO-SUCH-NOTE"/)
    const noFolder = await cli('export', 'Nope', '--out', out)
    expect(noFolder.code).toBe(2)
    expect(noFolder.stderr).toContain('NOT_FOUND')
    const locked = (await json('ls', '--notes')).notes.find((n: { locked: boolean }) => n.locked)
    const refused = await cli('show', locked.id)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('NOTE_LOCKED')
  })
})
