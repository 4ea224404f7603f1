import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudClient, isICloudError, type NoteSummary } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const ACCOUNT = { appleId: 'noter@example.com', password: 'notes password 1', twoFactor: false }
const CREDENTIALS = { appleId: ACCOUNT.appleId, password: ACCOUNT.password }
let dir: string
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-notes-'))
  emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: join(dir, 'state') })
  client = clientFor(emulator, CREDENTIALS)
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
})

async function all<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterator) out.push(item)
  return out
}

describe('Notes against the emulator (com.apple.notes over ckdatabasews)', () => {
  it('lists the folders and finds one by id or name', async () => {
    const folders = await all(client.notes.folders())
    expect(folders.map((f) => f.name)).toEqual(['Notes', 'Recipes', 'Work'])
    expect(folders[0]).toEqual({ id: 'DefaultFolder-CloudKit', name: 'Notes', hasSubfolders: false })
    expect((await client.notes.folder('recipes')).id).toBe(folders[1]!.id)
    expect((await client.notes.folder(folders[2]!.id)).name).toBe('Work')
    const missing = await client.notes.folder('Nope').catch((e) => e)
    expect(isICloudError(missing, 'NOT_FOUND')).toBe(true)
    expect(missing.message).toContain('sigwire icloud notes ls')
  })

  it('lists notes with titles, snippets, dates and folders; Recently Deleted only when asked', async () => {
    const notes = await all(client.notes.notes())
    expect(notes.map((n) => n.title)).toEqual([
      'Welcome to sigwire Notes',
      'Groceries',
      'Pancakes',
      'Deploy: notes',
      'Passwords',
    ])
    const welcome = notes[0]!
    expect(welcome.snippet).toBe('This note is served by the emulator as a gzip\u2019d protobuf body.')
    expect(welcome.folderId).toBe('DefaultFolder-CloudKit')
    expect(welcome.created).toBeInstanceOf(Date)
    expect(welcome.modified!.getTime()).toBeLessThan(notes[1]!.modified!.getTime())
    expect(notes.find((n) => n.title === 'Passwords')).toMatchObject({ locked: true, snippet: '' })
    const withDeleted = await all(client.notes.notes({ includeDeleted: true }))
    expect(withDeleted.find((n) => n.deleted)?.title).toBe('Old draft')
    const work = await client.notes.folder('Work')
    expect((await all(client.notes.notes({ folder: work }))).map((n) => n.title)).toEqual([
      'Deploy: notes',
      'Passwords',
    ])
  })

  it('reads a body the emulator encoded and renders it', async () => {
    const summaries = await all(client.notes.notes())
    const groceries = summaries.find((n) => n.title === 'Groceries') as NoteSummary
    const note = await client.notes.note(groceries.id)
    expect(note.body.text).toBe('Groceries\nMilk\nBread\nEggs \u{1F95A}')
    expect(note.body.runs.filter((r) => r.style === 'checklist').map((r) => r.checked)).toEqual([
      true,
      false,
      false,
    ])
    const welcome = await client.notes.note(summaries[0]!.id)
    expect(welcome.body.text.split('\n')[2]).toBe('It has bold, italic and a link.')
  })

  it('says NOT_FOUND for a note that does not exist and NOTE_LOCKED for a locked one', async () => {
    const missing = await client.notes.note('NO-SUCH-NOTE').catch((e) => e)
    expect(isICloudError(missing, 'NOT_FOUND')).toBe(true)
    expect(missing.details).toMatchObject({ kind: 'note', note: 'NO-SUCH-NOTE' })
    const folderId = await client.notes.note('DefaultFolder-CloudKit').catch((e) => e)
    expect(isICloudError(folderId, 'NOT_FOUND')).toBe(true)
    const locked = (await all(client.notes.notes())).find((n) => n.locked)!
    const refused = await client.notes.note(locked.id).catch((e) => e)
    expect(isICloudError(refused, 'NOTE_LOCKED')).toBe(true)
    const bad = await client.notes.note('').catch((e) => e)
    expect(isICloudError(bad, 'INVALID_ARGUMENT')).toBe(true)
  })

  it('exports a folder to Markdown files, skipping locked notes, leaving no temporary file', async () => {
    const out = join(dir, 'export-work')
    const result = await client.notes.exportFolder('Work', out)
    expect(result.files.map((f) => f.path)).toEqual([join(out, 'Deploy- notes.md')])
    expect(result.skipped).toEqual([{ id: expect.any(String), reason: 'locked' }])
    expect(readdirSync(out)).toEqual(['Deploy- notes.md'])
    const text = readFileSync(join(out, 'Deploy- notes.md'), 'utf8')
    expect(text).toMatch(
      /^---\nid: "D4F6B8CA-[^"]+"\ntitle: "Deploy: notes"\nfolder: "Work"\ncreated: \d{4}-/,
    )
    expect(text).toContain('# Deploy: notes\n\n```\npnpm build\npnpm test\n```\n\n~~Old step~~\n')
    const again = await client.notes.exportFolder('Work', out)
    expect(again.files).toHaveLength(1)
    expect(readdirSync(out)).toEqual(['Deploy- notes.md'])
  })

  it('keeps the seeded notes across a restart on the same state directory', async () => {
    const before = (await all(client.notes.notes())).map((n) => [n.id, n.modified?.getTime()])
    await client.close()
    await emulator.close()
    emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: join(dir, 'state') })
    client = clientFor(emulator, CREDENTIALS)
    await client.login()
    expect((await all(client.notes.notes())).map((n) => [n.id, n.modified?.getTime()])).toEqual(before)
  })
})
