import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { type DriveItem, type ICloudClient, ICloudError, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const APPLE_ID = 'drive@example.com'
const ADP_ID = 'adp@example.com'
const PASSWORD = 'drive password 1'
const REPORT = randomBytes(300_000)
const MTIME = new Date('2024-03-01T10:20:30Z')

let seed: string
let work: string
let emulator: ICloudEmulator
let client: ICloudClient

async function failure(promise: Promise<unknown>): Promise<ICloudError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ICloudError)
  return error as ICloudError
}

beforeAll(async () => {
  seed = await mkdtemp(join(tmpdir(), 'sigwire-drive-seed-'))
  work = await mkdtemp(join(tmpdir(), 'sigwire-drive-work-'))
  await mkdir(join(seed, 'Documents', 'sub'), { recursive: true })
  await mkdir(join(seed, 'Keynote'))
  await writeFile(join(seed, 'Documents', 'report.pdf'), REPORT)
  await utimes(join(seed, 'Documents', 'report.pdf'), MTIME, MTIME)
  await writeFile(join(seed, 'Documents', 'sub', 'a.txt'), 'alpha')
  await writeFile(join(seed, 'Keynote', 'talk.key'), 'slides')
  await writeFile(join(seed, 'top.txt'), 'top')
  emulator = await startICloudEmulator({
    accounts: [
      { appleId: APPLE_ID, password: PASSWORD, twoFactor: false },
      { appleId: ADP_ID, password: PASSWORD, twoFactor: false },
    ],
    drive: { seedDir: seed, adpAccounts: [ADP_ID] },
  })
  client = clientFor(emulator, { appleId: APPLE_ID, password: PASSWORD })
  await client.login()
})

afterAll(async () => {
  await client?.close()
  await emulator?.close()
  await rm(seed, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
})

describe('browsing', () => {
  it('lists the seeded root with the app libraries, and finds items by path', async () => {
    const root = await client.drive.root()
    expect(root.drivewsid).toBe('FOLDER::com.apple.CloudDocs::root')
    expect(root.items.map((i) => [i.name, i.type])).toEqual([
      ['Documents', 'FOLDER'],
      ['Keynote', 'APP_LIBRARY'],
      ['Numbers', 'APP_LIBRARY'],
      ['Pages', 'APP_LIBRARY'],
      ['top.txt', 'FILE'],
    ])
    const report = await client.drive.lookup('/Documents/report.pdf')
    expect(report).toMatchObject({ type: 'FILE', size: REPORT.length, zone: 'com.apple.CloudDocs' })
    expect(report.drivewsid).toBe(`FILE::com.apple.CloudDocs::${report.docwsid}`)
    expect(report.dateModified?.getTime()).toBe(MTIME.getTime())
    expect((await client.drive.lookup('/')).drivewsid).toBe(root.drivewsid)
  })

  it('names the missing part of a path, and refuses names Drive cannot have', async () => {
    const missing = await failure(client.drive.lookup('/Documents/nope/x.txt'))
    expect(missing.code).toBe('NOT_FOUND')
    expect(missing.details).toMatchObject({ missing: 'nope' })
    expect((await failure(client.drive.lookup('/top.txt/inside'))).code).toBe('NOT_FOUND')
    expect((await failure(client.drive.lookup('/Documents/../etc'))).code).toBe('INVALID_NAME')
    const before = emulator.log.entries().length
    const root = await client.drive.root()
    for (const name of ['a/b', 'nul\u0000', 'x'.repeat(256), '', '..'])
      expect((await failure(client.drive.createFolder(root, name))).code).toBe('INVALID_NAME')
    // Refused before anything was sent: only the root listing reached the emulator.
    expect(emulator.log.entries().length - before).toBe(1)
  })

  it('lists app libraries and their contents in the app zone', async () => {
    const libraries = await client.drive.appLibraries()
    expect(libraries.map((l) => l.drivewsid)).toEqual([
      'FOLDER::com.apple.Keynote::documents',
      'FOLDER::com.apple.Numbers::documents',
      'FOLDER::com.apple.Pages::documents',
    ])
    const keynote = await client.drive.folder(libraries[0]!)
    expect(keynote.items.map((i) => [i.name, i.zone])).toEqual([['talk.key', 'com.apple.Keynote']])
  })

  it('walks a tree level by level with paths', async () => {
    const paths: string[] = []
    for await (const entry of client.drive.walk('FOLDER::com.apple.CloudDocs::root')) paths.push(entry.path)
    expect(paths).toEqual([
      'Documents',
      'Keynote',
      'Numbers',
      'Pages',
      'top.txt',
      'Documents/report.pdf',
      'Documents/sub',
      'Keynote/talk.key',
      'Documents/sub/a.txt',
    ])
  })
})

describe('downloads', () => {
  it('downloads to a file atomically with the mtime and progress', async () => {
    const report = await client.drive.lookup('/Documents/report.pdf')
    const calls: Array<[number, number, number]> = []
    const target = join(work, 'report.pdf')
    const result = await client.drive.downloadToFile(report, target, {
      onProgress: (n, total, rate) => calls.push([n, total, rate]),
    })
    expect(result).toMatchObject({ bytes: REPORT.length, resumedFrom: 0, resumes: 0 })
    expect((await readFile(target)).equals(REPORT)).toBe(true)
    expect((await stat(target)).mtime.getTime()).toBe(MTIME.getTime())
    expect(calls[0]).toEqual([0, REPORT.length, 0])
    expect(calls.at(-1)?.[0]).toBe(REPORT.length)
    expect(calls.at(-1)?.[2]).toBeGreaterThan(0)
    expect((await readdir(work)).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('streams a download', async () => {
    const report = await client.drive.lookup('/Documents/report.pdf')
    const chunks: Buffer[] = []
    for await (const chunk of await client.drive.download(report)) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).equals(REPORT)).toBe(true)
  })

  it('resumes with Range when the connection drops mid-body', async () => {
    const report = await client.drive.lookup('/Documents/report.pdf')
    emulator.faults.inject('drop', { afterBytes: 100_000, pathPrefix: '/drive-content/B/', times: 2 })
    const target = join(work, 'resumed.pdf')
    const result = await client.drive.downloadToFile(report, target)
    expect(result.resumes).toBe(2)
    expect((await readFile(target)).equals(REPORT)).toBe(true)
    const ranges = emulator.log.entries().filter((e) => e.target.startsWith('/drive-content/B/'))
    expect(ranges.slice(-3).map((e) => e.status)).toEqual([200, 206, 206])
  })

  /**
   * The outcomes every download path owes: no file after a failure or an abort (a file already there is
   * unchanged), the received bytes kept in a partial file when asked, and a resume from them.
   */
  async function expectAtomicOutcomes(
    item: DriveItem,
    bytes: Buffer,
    name: string,
    dropAfter: number,
    extra: { syncFile?: boolean } = {},
  ) {
    const target = join(work, name)
    const mine = (n: string) => n.startsWith(`.${name}`)
    await writeFile(target, 'previous')
    emulator.faults.inject('drop', { afterBytes: dropAfter, pathPrefix: '/drive-content/B/' })
    const broken = await failure(client.drive.downloadToFile(item, target, { ...extra, resumeAttempts: 0 }))
    expect(broken.code).toBe('NETWORK_ERROR')
    expect(await readFile(target, 'utf8')).toBe('previous')
    expect((await readdir(work)).filter(mine)).toEqual([])

    const controller = new AbortController()
    const aborted = await failure(
      client.drive.downloadToFile(item, target, {
        ...extra,
        signal: controller.signal,
        onProgress: (n) => n > 0 && controller.abort(),
      }),
    )
    expect(aborted.code).toBe('ABORTED')
    expect(await readFile(target, 'utf8')).toBe('previous')
    expect((await readdir(work)).filter(mine)).toEqual([])

    emulator.faults.inject('drop', { afterBytes: dropAfter, pathPrefix: '/drive-content/B/' })
    await failure(
      client.drive.downloadToFile(item, target, { ...extra, resumeAttempts: 0, keepPartial: true }),
    )
    const partials = (await readdir(work)).filter((n) => mine(n) && n.endsWith('.partial'))
    expect(partials).toHaveLength(1)
    const kept = await readFile(join(work, partials[0]!))
    expect(kept.byteLength).toBeGreaterThan(0)
    expect(kept.equals(bytes.subarray(0, kept.byteLength))).toBe(true)
    const result = await client.drive.downloadToFile(item, target, { ...extra, keepPartial: true })
    expect(result.resumedFrom).toBe(kept.byteLength)
    expect((await readFile(target)).equals(bytes)).toBe(true)
    expect((await readdir(work)).filter((n) => n.endsWith('.partial'))).toEqual([])
  }

  it('leaves no file when a download fails or is aborted, unless asked to keep it', async () => {
    await expectAtomicOutcomes(
      await client.drive.lookup('/Documents/report.pdf'),
      REPORT,
      'kept.pdf',
      120_000,
    )
  })

  // A file of up to 256 KiB is gathered in memory and written once complete: the same outcomes.
  it('a small file: no file after a failure or an abort, the received bytes kept when asked, resumed', async () => {
    const bytes = randomBytes(100_000)
    const local = join(work, 'small-source.bin')
    await writeFile(local, bytes)
    const small = await client.drive.upload(local, await client.drive.lookup('/Keynote'))
    await expectAtomicOutcomes(small, bytes, 'small.bin', 40_000)
    // Without fsync the file is created only once its bytes are in (no create in the thread pool).
    await expectAtomicOutcomes(small, bytes, 'small-nosync.bin', 40_000, { syncFile: false })
    // Each of those fails before the file is created, and the resume takes the streamed path: a whole
    // download without fsync is the one that creates its file with the write and the rename.
    const nosync = await client.drive.downloadToFile(small, join(work, 'small-nosync-whole.bin'), {
      syncFile: false,
    })
    expect(nosync).toMatchObject({ bytes: bytes.byteLength, resumedFrom: 0 })
    expect((await readFile(join(work, 'small-nosync-whole.bin'))).equals(bytes)).toBe(true)
    expect((await readdir(work)).filter((n) => n.startsWith('.small-nosync-whole.bin'))).toEqual([])
    const whole = await client.drive.downloadToFile(small, join(work, 'small-again.bin'))
    expect(whole).toMatchObject({ bytes: bytes.byteLength, resumedFrom: 0 })
    expect((await readFile(join(work, 'small-again.bin'))).equals(bytes)).toBe(true)
    // After slow synchronous placements (a network mount), small files take the streamed path.
    const { smallFiles } = await import('../src/client/content/download-to-file.js')
    const before = smallFiles.averageMs
    smallFiles.averageMs = 100
    try {
      const streamed = await client.drive.downloadToFile(small, join(work, 'small-streamed.bin'))
      expect(streamed).toMatchObject({ bytes: bytes.byteLength, resumedFrom: 0 })
      expect((await readFile(join(work, 'small-streamed.bin'))).equals(bytes)).toBe(true)
    } finally {
      smallFiles.averageMs = before
    }
  })

  it('a progress listener that throws stops the download with PROGRESS_LISTENER_FAILED, on both paths', async () => {
    // a.txt (5 bytes) is gathered in memory from data events; report.pdf (300 kB) is streamed.
    for (const [path, name] of [
      ['/Documents/sub/a.txt', 'listener-small.txt'],
      ['/Documents/report.pdf', 'listener-large.pdf'],
    ] as const) {
      const target = join(work, name)
      await writeFile(target, 'previous')
      const thrown = await failure(
        client.drive.downloadToFile(await client.drive.lookup(path), target, {
          onProgress: (n) => {
            if (n > 0) throw new Error('listener bug')
          },
        }),
      )
      expect(thrown.code).toBe('PROGRESS_LISTENER_FAILED')
      expect(await readFile(target, 'utf8')).toBe('previous')
      expect((await readdir(work)).filter((n) => n.startsWith(`.${name}`))).toEqual([])
    }
  })

  it('refuses to download a folder, or into a directory', async () => {
    const documents = await client.drive.lookup('/Documents')
    expect((await failure(client.drive.downloadToFile(documents, join(work, 'x')))).code).toBe(
      'INVALID_ARGUMENT',
    )
    const report = await client.drive.lookup('/Documents/report.pdf')
    // A directory target is found by the rename: the error names it and no temporary file stays beside it,
    // on the small-file path (a.txt, 5 bytes) and on the streamed one (report.pdf, 300 kB > 256 KiB).
    for (const item of [await client.drive.lookup('/Documents/sub/a.txt'), report]) {
      const intoDirectory = await failure(client.drive.downloadToFile(item, work))
      expect(intoDirectory.code).toBe('FILE_WRITE_FAILED')
      expect(intoDirectory.message).toContain(`${work} is a directory`)
      const leftovers = (await readdir(dirname(work))).filter((name) =>
        name.startsWith(`.${basename(work)}.`),
      )
      expect(leftovers).toEqual([])
    }
    // A file that cannot be created (no such directory): the same typed error on the streamed path, and
    // on the small-file path whether the file is created early in the thread pool (with syncFile) or on
    // the event loop once the bytes are in (without).
    const small = await client.drive.lookup('/Documents/sub/a.txt')
    for (const [item, options] of [
      [report, {}],
      [small, {}],
      [small, { syncFile: false }],
    ] as const) {
      const target = join(work, 'no', 'such', 'f')
      const missingDir = await failure(client.drive.downloadToFile(item, target, options))
      expect(missingDir.code).toBe('FILE_WRITE_FAILED')
      expect(missingDir.message).toContain(`Could not write ${target} (ENOENT)`)
    }
  })
})

describe('uploads', () => {
  it('uploads a file streamed, keeping its mtime, and counts it against the storage', async () => {
    const local = join(work, 'notes.txt')
    const bytes = randomBytes(2 * 1024 * 1024 + 7)
    await writeFile(local, bytes)
    const mtime = new Date('2023-11-05T08:09:10Z')
    await utimes(local, mtime, mtime)
    const before = await client.storage.usage()
    const documents = await client.drive.lookup('/Documents')
    const progress: number[] = []
    const item = await client.drive.upload(local, documents, { onProgress: (n) => progress.push(n) })
    expect(item).toMatchObject({ name: 'notes.txt', size: bytes.length, type: 'FILE' })
    expect(progress.at(-1)).toBe(bytes.length)
    const listed = await client.drive.lookup('/Documents/notes.txt')
    expect(listed.dateModified?.getTime()).toBe(mtime.getTime())
    expect(listed.etag).toBe(item.etag)
    const back = join(work, 'notes-back.txt')
    await client.drive.downloadToFile(listed, back)
    expect((await readFile(back)).equals(bytes)).toBe(true)
    const after = await client.storage.usage()
    expect(after.usedBytes - before.usedBytes).toBe(bytes.length)
    expect(after.byMedia.find((m) => m.mediaKey === 'docs')?.usageInBytes).toBeGreaterThanOrEqual(
      bytes.length,
    )
  })

  it('uploads and downloads an empty file', async () => {
    const local = join(work, 'empty.txt')
    await writeFile(local, '')
    const documents = await client.drive.lookup('/Documents')
    const item = await client.drive.upload(local, documents)
    expect(item.size).toBe(0)
    const target = join(work, 'empty-back.txt')
    expect((await client.drive.downloadToFile(item, target)).bytes).toBe(0)
    expect((await readFile(target)).length).toBe(0)
  })

  it('refuses a taken name, and replaces a file as a new version with its etag', async () => {
    const local = join(work, 'v.txt')
    await writeFile(local, 'version 1')
    const documents = await client.drive.lookup('/Documents')
    const first = await client.drive.upload(local, documents)
    await writeFile(local, 'version 2!')
    expect((await failure(client.drive.upload(local, documents))).code).toBe('CONFLICT')
    const renamed = await client.drive.rename(first, 'v.txt')
    expect(renamed.etag).not.toBe(first.etag)
    // The stale item (old etag) cannot be replaced.
    expect((await failure(client.drive.upload(local, documents, { replace: first }))).code).toBe('CONFLICT')
    const second = await client.drive.upload(local, documents, { replace: renamed })
    expect(second.size).toBe(10)
    const chunks: Buffer[] = []
    for await (const c of await client.drive.download(await client.drive.lookup('/Documents/v.txt')))
      chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('version 2!')
    const trash = await client.drive.trash()
    expect(
      trash.items.some((i) => i.drivewsid === first.drivewsid && i.restorePath === 'Documents/v.txt'),
    ).toBe(true)
  })

  it('fails with QUOTA_EXCEEDED when the storage is full', async () => {
    const usage = await client.storage.usage()
    const quota = emulator.drive.quotaBytes
    emulator.drive.quotaBytes = usage.usedBytes + 1000
    try {
      const local = join(work, 'big.bin')
      await writeFile(local, randomBytes(5000))
      const error = await failure(client.drive.upload(local, await client.drive.lookup('/Documents')))
      expect(error.code).toBe('QUOTA_EXCEEDED')
      expect(error.status).toBe(413)
    } finally {
      emulator.drive.quotaBytes = quota
    }
  })

  it('uploads into an app library, in the app zone', async () => {
    const local = join(work, 'deck.key')
    await writeFile(local, 'deck')
    const [keynote] = await client.drive.appLibraries()
    const item = await client.drive.upload(local, keynote!)
    expect(item.zone).toBe('com.apple.Keynote')
    expect((await client.drive.lookup('/Keynote/deck.key')).size).toBe(4)
  })
})

describe('changes with etags', () => {
  it('creates, renames, moves, trashes, restores and deletes', async () => {
    const root = await client.drive.root()
    const folder = await client.drive.createFolder(root, 'Projects')
    expect(folder).toMatchObject({ name: 'Projects', type: 'FOLDER', parentId: root.drivewsid })
    expect((await failure(client.drive.createFolder(root, 'Projects'))).code).toBe('CONFLICT')
    const top = await client.drive.lookup('/top.txt')
    const renamed = await client.drive.rename(top, 'renamed.md')
    expect(renamed.name).toBe('renamed.md')
    // The old etag no longer matches: the change is refused, not applied over the rename.
    const stale = await failure(client.drive.rename(top, 'again.md'))
    expect(stale.code).toBe('CONFLICT')
    expect(stale.details).toMatchObject({ etag: renamed.etag })
    const moved = await client.drive.move(renamed, folder)
    expect(moved.parentId).toBe(folder.drivewsid)
    expect((await client.drive.lookup('/Projects/renamed.md')).etag).toBe(moved.etag)
    const trashed = await client.drive.moveToTrash(moved)
    expect(trashed).toMatchObject({ parentId: 'TRASH_ROOT', restorePath: 'Projects/renamed.md' })
    expect((await failure(client.drive.lookup('/Projects/renamed.md'))).code).toBe('NOT_FOUND')
    const inTrash = (await client.drive.trash()).items.find((i) => i.drivewsid === moved.drivewsid)!
    const restored = await client.drive.restore(inTrash)
    expect(restored.parentId).toBe(folder.drivewsid)
    await client.drive.deleteForever(await client.drive.lookup('/Projects/renamed.md'))
    expect((await client.drive.folder(folder)).items).toEqual([])
    expect((await failure(client.drive.rename(restored, 'x'))).code).toBe('NOT_FOUND')
  })

  it('moves a folder with its contents to the trash and refuses a move into itself', async () => {
    const root = await client.drive.root()
    const outer = await client.drive.createFolder(root, 'Outer')
    const inner = await client.drive.createFolder(outer, 'Inner')
    const outerNow = (await client.drive.root()).items.find((i) => i.name === 'Outer')!
    expect((await failure(client.drive.move(outerNow, inner))).code).toBe('SERVICE_ERROR')
    const trashed = await client.drive.moveToTrash(outerNow)
    const listing = await client.drive.folder(trashed)
    expect(listing.items.map((i) => i.name)).toEqual(['Inner'])
    await client.drive.deleteForever((await client.drive.trash()).items.find((i) => i.name === 'Outer')!)
    expect((await client.drive.trash()).items.some((i) => i.name === 'Outer')).toBe(false)
  })
})

describe('Advanced Data Protection', () => {
  it('answers WEB_ACCESS_REQUIRED until the PCS flow ran', async () => {
    const adp = clientFor(emulator, { appleId: ADP_ID, password: PASSWORD })
    try {
      await adp.login()
      const error = await failure(adp.drive.root())
      // The client asked the devices itself (no onWebAccessApproval given, so it could not wait).
      expect(error.code).toBe('WEB_ACCESS_REQUIRED')
      await adp.drive.requestAccess({ pollMs: 5 })
      expect((await adp.drive.root()).items.map((i) => i.name)).toContain('Documents')
      // A non-ADP account has nothing to do.
      await client.drive.requestAccess({ pollMs: 5 })
    } finally {
      await adp.close()
    }
  })
})

describe('faults on Drive routes', () => {
  it('retries a throttled listing and types a throttled change', async () => {
    emulator.faults.inject('throttle', {
      pathPrefix: '/ws/drivews/retrieveAppLibraries',
      retryAfterSeconds: 0,
    })
    const retrying = clientFor(emulator, {
      appleId: APPLE_ID,
      password: PASSWORD,
      transport: { proxy: false, retry: { maxAttempts: 3, baseDelayMs: 1 } },
    })
    try {
      await retrying.login()
      expect(await retrying.drive.appLibraries()).toHaveLength(3)
      emulator.faults.inject('unavailable', { pathPrefix: '/ws/drivews/createFolders', retryAfterSeconds: 0 })
      const error = await failure(retrying.drive.createFolder(await retrying.drive.root(), 'Throttled'))
      expect(isICloudError(error, 'THROTTLED')).toBe(true)
    } finally {
      await retrying.close()
    }
  })
})

describe('state', () => {
  it('keeps items and bytes across a restart with a state directory', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sigwire-drive-state-'))
    try {
      const config = {
        accounts: [{ appleId: 'p@example.com', password: PASSWORD, twoFactor: false as const }],
      }
      let first: ICloudEmulator | undefined = await startICloudEmulator({ ...config, stateDir })
      let item: DriveItem
      const local = join(work, 'persist.bin')
      const bytes = randomBytes(70_000)
      await writeFile(local, bytes)
      const c1 = clientFor(first, { appleId: 'p@example.com', password: PASSWORD })
      try {
        await c1.login()
        item = await c1.drive.upload(local, await c1.drive.lookup('/Documents'))
      } finally {
        await c1.close()
        await first.close()
        first = undefined
      }
      const second = await startICloudEmulator({ ...config, stateDir })
      const c2 = clientFor(second, { appleId: 'p@example.com', password: PASSWORD })
      try {
        await c2.login()
        const found = await c2.drive.lookup('/Documents/persist.bin')
        expect(found.etag).toBe(item.etag)
        const back = join(work, 'persist-back.bin')
        await c2.drive.downloadToFile(found, back)
        expect((await readFile(back)).equals(bytes)).toBe(true)
      } finally {
        await c2.close()
        await second.close()
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true })
    }
  })
})
