import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readmeExamples, recordingConsole, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { createICloudClient, createMemorySessionStore, type ICloudClient } from '../src/index.js'

// Every `ts` block of packages/icloud/README.md runs here, against the iCloud emulator: the emulator
// stands in for Apple's hosts, so the sign-in, the code and the services follow the real code paths.
const examples = readmeExamples(repoPath('packages', 'icloud', 'README.md'))

let emulator: ICloudEmulator
let dir: string
let endpoints: object

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [
      // The first example prompts on stdin when Apple asks for a code; this account is not asked.
      { appleId: 'jane.appleseed@icloud.com', password: 'readme-password', twoFactor: false },
      { appleId: 'sms@example.com', password: 'pw', twoFactor: true },
    ],
    drive: { seedDir: seedDrive() },
  })
  endpoints = {
    endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
  }
  dir = mkdtempSync(join(tmpdir(), 'sigwire-icloud-readme-'))
})

afterAll(async () => {
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(seed, { recursive: true, force: true })
})

let seed: string
/** A Drive with /Documents/report.pdf, as the Drive example expects. */
function seedDrive(): string {
  seed = mkdtempSync(join(tmpdir(), 'sigwire-icloud-readme-seed-'))
  mkdirSync(join(seed, 'Documents'))
  writeFileSync(join(seed, 'Documents', 'report.pdf'), 'a report')
  return seed
}

describe('packages/icloud/README.md examples', () => {
  it('has six examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true, true, true])
  })

  it('signs in, reads storage and contacts', async () => {
    const console = recordingConsole()
    process.env.ICLOUD_PASSWORD = 'readme-password'
    try {
      await runReadmeExample(examples[0]!, {
        scope: { endpoints, console },
        rewrite: [
          ['  appleId,\n', '  appleId,\n  ...endpoints,\n'],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the README's template literal, matched as text
          ['`${process.env.HOME}/.sigwire/icloud`', JSON.stringify(join(dir, 'sessions'))],
        ],
      })
    } finally {
      delete process.env.ICLOUD_PASSWORD
    }
    expect(console.lines[0]).toBe('signin none Jane Appleseed')
    expect(console.lines[1]).toMatch(/^\d+ of \d+ bytes/)
    expect(console.lines.length).toBeGreaterThan(2)
  })

  it('asks for the code by SMS', async () => {
    let client: ICloudClient | undefined
    try {
      const module = await runReadmeExample(examples[1]!, {
        scope: { askUser: async () => emulator.accounts.lastCode('sms@example.com')! },
        before: 'const options = {',
        after: '}\nexport { options }',
      })
      client = createICloudClient({
        appleId: 'sms@example.com',
        password: 'pw',
        store: createMemorySessionStore(),
        ...endpoints,
        ...(module.options as object),
      })
      const login = await client.login()
      expect(login.secondFactor).toBe('hsa2')
      expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toContainEqual(
        expect.stringMatching(/^POST .*verify\/phone\/securitycode$/),
      )
    } finally {
      await client?.close()
    }
  })

  it('signs in to the emulator with the emulated code', async () => {
    const module = await runReadmeExample(examples[2]!, {
      scope: { createICloudClient },
      after:
        'const login = await client.login()\nawait client.close()\nawait emulator.close()\nexport { login }',
    })
    expect(module.login).toMatchObject({ method: 'signin' })
    expect((module.login as { secondFactor: unknown }).secondFactor).toBe('hsa2')
  })

  it('browses, downloads, uploads, renames and trashes Drive files', async () => {
    const client = createICloudClient({
      appleId: 'jane.appleseed@icloud.com',
      password: 'readme-password',
      ...endpoints,
    })
    const console = recordingConsole()
    try {
      await client.login()
      writeFileSync(join(dir, 'notes.txt'), 'my notes')
      await runReadmeExample(examples[4]!, {
        scope: { client, console },
        rewrite: [
          ["'report.pdf', {", `${JSON.stringify(join(dir, 'report.pdf'))}, {`],
          ["upload('notes.txt'", `upload(${JSON.stringify(join(dir, 'notes.txt'))}`],
        ],
      })
    } finally {
      await client.close()
    }
    expect(console.lines.slice(0, 5)).toEqual([
      'FOLDER Documents',
      'APP_LIBRARY Keynote',
      'APP_LIBRARY Numbers',
      'APP_LIBRARY Pages',
      expect.stringMatching(/^0\/8 bytes/),
    ])
    expect(console.lines).toContain('downloaded 8')
    expect(console.lines.at(-1)).toBe('in the trash, from Documents/notes-2024.txt')
    expect(readFileSync(join(dir, 'report.pdf'), 'utf8')).toBe('a report')
  })

  it('lists albums, downloads an album and reads the changes', async () => {
    const photosDir = join(dir, 'photos')
    const { mkdirSync, writeFileSync, readdirSync } = await import('node:fs')
    mkdirSync(join(photosDir, 'Holidays'), { recursive: true })
    writeFileSync(join(photosDir, 'Holidays', 'IMG_0001.JPG'), Buffer.alloc(5000, 1))
    writeFileSync(join(photosDir, 'IMG_0002.HEIC'), Buffer.alloc(4000, 2))
    const photos = await startICloudEmulator({ photosDir })
    const client = createICloudClient({
      appleId: photos.dev!.appleId,
      password: photos.dev!.password,
      twoFactor: async () => photos.dev!.twoFactorCode,
      endpoints: { authUrl: photos.authUrl, setupUrl: photos.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
    })
    const console = recordingConsole()
    const target = join(dir, 'album')
    try {
      await client.login()
      await runReadmeExample(examples[3]!, { scope: { client, console, target } })
    } finally {
      await client.close()
      await photos.close()
    }
    expect(console.lines).toContain('album Holidays 1')
    expect(console.lines.at(-1)).toBe('0 changed')
    expect(readdirSync(target)).toEqual(['IMG_0001.JPG'])
  })

  it('lists, reads and exports notes', async () => {
    const { noteBodyToMarkdown } = await import('../src/index.js')
    const client = createICloudClient({
      appleId: 'jane.appleseed@icloud.com',
      password: 'readme-password',
      ...endpoints,
    })
    const console = recordingConsole()
    const target = join(dir, 'recipes')
    try {
      await client.login()
      await runReadmeExample(examples[5]!, { scope: { client, console, target, noteBodyToMarkdown } })
    } finally {
      await client.close()
    }
    expect(console.lines.slice(0, 3)).toEqual(['folder Notes', 'folder Recipes', 'folder Work'])
    expect(console.lines).toContain('Groceries true')
    expect(console.lines.at(-1)).toBe('1 exported')
  })
})
