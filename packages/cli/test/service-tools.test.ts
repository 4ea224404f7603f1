import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CloudKitEmulator,
  type SafeCreativeEmulator,
  startCloudKitEmulator,
  startSafeCreativeEmulator,
} from '@sigwire/emulator'
import { createMemoryAuthorizationStore, createSafeCreativeClient } from '@sigwire/safe-creative'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changesCommand, userClient } from './cloudkit-user.js'
import { runMain } from './run-main.js'

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-tools-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function bundle(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const path = join(dir, name)
  await mkdir(path)
  for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content)
  return path
}

const article = (components: unknown[]) =>
  JSON.stringify({
    version: '1.15',
    identifier: 'cli-story',
    language: 'en',
    title: 'A story',
    layout: { columns: 7, width: 1024 },
    components,
  })

describe('sigwire apple-news validate and doctor apple-news --bundle', () => {
  it('accepts a good bundle (exit 0) and reports each error of a bad one with its key path (exit 1)', async () => {
    const good = await bundle('good', {
      'article.json': article([
        { role: 'title', text: 'A story' },
        { role: 'photo', URL: 'bundle://photo.png' },
      ]),
      'metadata.json': JSON.stringify({ data: { isPaid: true, accessoryText: 'Opinion' } }),
      'photo.png': PNG,
    })
    const ok = await runMain(['apple-news', 'validate', good])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/article\.json, metadata\.json and 1 file/)
    expect(ok.stdout).toMatch(/ok: Apple News would accept this bundle/)

    const bad = await bundle('bad', {
      'article.json': article([
        { role: 'title', text: 'A story' },
        { role: 'photo', URL: 'bundle://logo.svg' },
        { role: 'image', URL: 'bundle://missing.jpg' },
      ]),
      'metadata.json': JSON.stringify({ isPaid: 'yes' }),
      'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'unused.png': PNG,
    })
    const human = await runMain(['apple-news', 'validate', bad])
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/error {3}FAILED_TO_PARSE_IMAGE at components\.1\.URL/)
    expect(human.stdout).toMatch(
      /error {3}INVALID_DOCUMENT at components\.2\.URL: No part of the request has this filename/,
    )
    expect(human.stdout).toMatch(/INVALID_TYPE at data\.isPaid/)
    expect(human.stdout).toMatch(/warning UNUSED_RESOURCE/)
    expect(human.stdout).toMatch(/Apple News answers the first one \(HTTP 400\)/)

    const json = await runMain(['apple-news', 'validate', bad, '--json'])
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout)
    expect(report.ok).toBe(false)
    expect(report.files.map((f: { filename: string }) => f.filename)).toEqual(['logo.svg', 'unused.png'])
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual(
      expect.arrayContaining(['FAILED_TO_PARSE_IMAGE', 'INVALID_DOCUMENT', 'INVALID_TYPE']),
    )

    // The doctor's bundle check is the same validator.
    const doctor = await runMain(['doctor', 'apple-news', '--bundle', bad, '--json'])
    expect(doctor.code).toBe(1)
    expect(JSON.parse(doctor.stdout).errors).toEqual(report.errors)
    expect((await runMain(['doctor', 'apple-news', '--bundle', good])).code).toBe(0)

    // As an update, the metadata must name the revision.
    const update = await runMain(['apple-news', 'validate', good, '--update', '--json'])
    expect(update.code).toBe(1)
    expect(JSON.parse(update.stdout).errors).toMatchObject([
      { code: 'MISSING', keyPath: ['data', 'revision'] },
    ])
  })
})

describe('sigwire cloudkit changes (against the emulator)', () => {
  const USER = '_cli0000000000000000000000000001'
  let emulator: CloudKitEmulator
  beforeAll(async () => {
    emulator = await startCloudKitEmulator({ users: [{ userRecordName: USER }] })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it('lists changed zones, then a zone’s records, keeping the sync token and the rotated web auth token in files', async () => {
    const app = userClient(emulator, USER)
    const db = app.privateDatabase
    await db.zones.modify([{ operationType: 'create', zone: { zoneID: { zoneName: 'Notes' } } }])
    await db.records.modify(
      ['a', 'b'].map((name) => ({
        operationType: 'create' as const,
        record: { recordName: name, recordType: 'Note', fields: { text: name } },
      })),
      { zoneID: { zoneName: 'Notes' } },
    )

    const webTokenFile = join(dir, 'ck-web-token')
    const syncFile = join(dir, 'ck-sync-token')
    const zoneSyncFile = join(dir, 'ck-zone-sync-token')
    const command = await changesCommand(emulator, join(dir, 'ck-api-token'))
    const firstWebToken = emulator.issueWebAuthToken({ userRecordName: USER })
    await writeFile(webTokenFile, `${firstWebToken}\n`)
    const changes = (...extra: string[]) =>
      runMain([...command, '--web-auth-token-file', webTokenFile, ...extra])

    const zones = await changes('--token-file', syncFile)
    expect(zones.code, zones.stderr).toBe(0)
    expect(zones.stdout).toMatch(/changed {2}zone Notes/)
    expect(zones.stdout).toMatch(/sync token: \S+ \(saved to /)
    const saved = (await readFile(syncFile, 'utf8')).trim()
    expect(saved).not.toBe('')
    // The spent token was replaced by the rotated one, which the next run uses.
    const rotated = (await readFile(webTokenFile, 'utf8')).trim()
    expect(rotated).not.toBe(firstWebToken)

    const nothing = await changes('--token-file', syncFile)
    expect(nothing.code, nothing.stderr).toBe(0)
    expect(nothing.stdout).toMatch(/^0 changes$/m)

    const records = await changes('--zone', 'Notes', '--token-file', zoneSyncFile, '--results-limit', '1')
    expect(records.code, records.stderr).toBe(0)
    expect(records.stdout).toMatch(/changed {2}a \(Note: text\)/)
    expect(records.stdout).toMatch(/changed {2}b \(Note: text\)/)
    expect(records.stdout).toMatch(/^2 changes$/m)

    await db.records.modify([{ operationType: 'forceDelete', record: { recordName: 'a' } }], {
      zoneID: { zoneName: 'Notes' },
    })
    const json = await changes('--zone', 'Notes', '--token-file', zoneSyncFile, '--json')
    expect(json.code, json.stderr).toBe(0)
    const pages = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(pages.flatMap((p: { records: unknown[] }) => p.records)).toMatchObject([
      { recordName: 'a', deleted: true },
    ])
    expect(await readFile(zoneSyncFile, 'utf8')).toContain(pages.at(-1).syncToken)
    await app.close()
  })

  it('a web auth token from the environment is spent: it says so', async () => {
    const dev = emulator.dev!
    const run = await runMain(
      ['cloudkit', 'changes', '--container', dev.container, '--base-url', emulator.url],
      {
        env: {
          SIGWIRE_CLOUDKIT_API_TOKEN: dev.apiToken,
          SIGWIRE_CLOUDKIT_WEB_AUTH_TOKEN: emulator.issueWebAuthToken({ userRecordName: USER }),
        },
      },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/is spent .* pass --web-auth-token-file/)
  })
})

describe('sigwire safe-creative search (against the emulator)', () => {
  const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
  let emulator: SafeCreativeEmulator
  beforeAll(async () => {
    emulator = await startSafeCreativeEmulator({ apps: [APP], autoApprove: 'MANAGE' })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it('--hash FILE hashes the file locally and finds the work registered with those bytes', async () => {
    const sc = createSafeCreativeClient({ ...APP, baseUrl: emulator.apiUrl, transport: { proxy: false } })
    const user = await sc.authorize({
      store: createMemoryAuthorizationStore(),
      level: 'MANAGE',
      intervalMs: 5,
      onAuthorizationUrl: () => {},
    })
    const path = join(dir, 'song.mp3')
    await writeFile(path, 'la la la, not really an mp3')
    const code = await user.registerFile(path, { title: 'Madrid song', worktype: 'music' })
    await sc.close()
    const sha1 = createHash('sha1')
      .update(await readFile(path))
      .digest('hex')

    const env = {
      SIGWIRE_SAFE_CREATIVE_SHARED_KEY: APP.sharedKey,
      SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY: APP.privateKey,
    }
    const search = (...extra: string[]) =>
      runMain(['safe-creative', 'search', '--base-url', emulator.apiUrl, ...extra], { env })

    const found = await search('--hash', path)
    expect(found.code, found.stderr).toBe(0)
    expect(found.stdout).toContain(`SHA-1 ${sha1}`)
    expect(found.stdout).toContain(`${code}  Madrid song`)
    expect(found.stdout).toMatch(/^1 work \(page 1 of 1\)$/m)
    expect(found.stdout + found.stderr).not.toContain(APP.privateKey)

    const json = JSON.parse((await search('--hash', path, '--json')).stdout)
    expect(json).toMatchObject({ sha1, recordTotal: 1, works: [{ code, title: 'Madrid song' }] })

    const other = join(dir, 'other.bin')
    await writeFile(other, 'different bytes')
    const none = await search('--hash', other)
    expect(none.code).toBe(1)
    expect(none.stdout).toMatch(/no registered work found/)

    expect((await search('--sha1', sha1)).code).toBe(0)
    const byText = await search('--query', 'madrid', '--json')
    expect(byText.code, byText.stderr).toBe(0)
    expect(JSON.parse(byText.stdout).works.map((w: { code: string }) => w.code)).toEqual([code])
  })
})
