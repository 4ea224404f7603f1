import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as diagnostics from 'node:diagnostics_channel'
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import jpeg from 'jpeg-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncState } from '../src/photos/state.js'
import { sha, signIn, tree } from './photos-harness.js'
import { BIN } from './run-cli.js'
import { runMain } from './run-main.js'

let root: string
let library: string
let sessions: string
let emulator: ICloudEmulator
const files: Record<string, Buffer> = {}

function put(name: string, bytes: Buffer, date: string): void {
  const path = join(library, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, bytes)
  utimesSync(path, new Date(date), new Date(date))
  files[name] = bytes
}

/** The emulator's requests from now on (read when called; the log keeps the last 500). */
function since(): () => ICloudEmulator['requests'] {
  const mark = emulator.requests.at(-1)
  // A mark that left the log was older than everything in it: indexOf gives -1, so all are newer.
  return () => emulator.requests.slice(mark === undefined ? 0 : emulator.requests.indexOf(mark) + 1)
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sigwire-cli-photos-'))
  library = join(root, 'library')
  sessions = join(root, 'sessions')
  put('IMG_0001.HEIC', randomBytes(40_000), '2021-01-01T10:00:00Z')
  put('IMG_0001.MOV', randomBytes(60_000), '2021-01-01T10:00:00Z')
  put('IMG_0002.JPG', randomBytes(30_000), '2021-02-02T10:00:00Z')
  put('IMG_0002.DNG', randomBytes(90_000), '2021-02-02T10:00:00Z')
  put('Holidays/IMG_0003.JPG', randomBytes(20_000), '2022-03-03T10:00:00Z')
  put('Holidays/IMG_0004.JPG', randomBytes(21_000), '2022-03-04T10:00:00Z')
  // Two different photos with the same name: neither may overwrite the other.
  put('Other/IMG_0003.JPG', randomBytes(22_000), '2022-03-03T12:00:00Z')
  put('shared/IMG_0005.JPG', randomBytes(25_000), '2023-04-05T10:00:00Z')
  for (let i = 0; i < 40; i++)
    put(
      `Bulk/IMG_1${String(i).padStart(3, '0')}.JPG`,
      randomBytes(150_000),
      `2020-05-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    )
  // Shared albums are not part of the library (nor of `files`, which the sync tests mirror).
  for (const [name, date] of [
    ['IMG_9002.JPG', '2024-06-02T10:00:00Z'],
    ['IMG_9001.JPG', '2024-06-01T10:00:00Z'],
  ] as const) {
    const path = join(library, 'shared-albums', 'Party', name)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, randomBytes(12_000))
    utimesSync(path, new Date(date), new Date(date))
  }
  emulator = await startICloudEmulator({ photosDir: library })
  await signIn(emulator, sessions)
})

afterAll(async () => {
  await emulator?.close()
  rmSync(root, { recursive: true, force: true })
})

const session = () => ['--session-dir', sessions]

/** `photos sync` into `to` with the saved session, and `extra` options. */
function syncArgs(to: string, ...extra: string[]): string[] {
  return ['icloud', 'photos', 'sync', ...session(), '--to', to, ...extra]
}

/** `photos sync` of the 40-photo Bulk album, one download at a time. */
function bulkSyncArgs(to: string): string[] {
  return syncArgs(to, '--album', 'Bulk', '--concurrency', '1', '--json')
}

/**
 * Runs `args` as the real binary with every answer 40 ms late, sends `signal` once `files` files are
 * complete under the target, and answers the exit code, stderr and how many files were complete.
 */
async function signalBulkSync(
  args: readonly string[],
  files: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; before: number }> {
  const to = args[args.indexOf('--to') + 1]!
  emulator.faults.latencyMs = 40
  try {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const closed = new Promise<number | null>((r) => child.on('close', r))
    const complete = () => {
      try {
        return [...tree(to).keys()].filter((p) => !p.includes('.sigwire-part')).length
      } catch {
        return 0
      }
    }
    for (let i = 0; i < 400 && complete() < files; i++) await new Promise((r) => setTimeout(r, 25))
    child.kill(signal)
    const code = await closed
    return { code, stderr, before: complete() }
  } finally {
    emulator.faults.latencyMs = 0
  }
}

describe('sigwire icloud photos', () => {
  it('lists albums with counts and assets', async () => {
    const albums = await runMain(['icloud', 'photos', 'albums', ...session(), '--json'])
    expect(albums.code, albums.stderr).toBe(0)
    const rows = JSON.parse(albums.stdout).albums as Array<{ library: string; name: string; count: number }>
    expect(rows.find((r) => r.library === 'private' && r.name === 'All Photos')!.count).toBe(45)
    expect(rows.find((r) => r.name === 'Holidays')!.count).toBe(2)
    const ls = await runMain([
      'icloud',
      'photos',
      'ls',
      ...session(),
      '--album',
      'Holidays',
      '--library',
      'private',
      '--json',
    ])
    expect(JSON.parse(ls.stdout).assets.map((a: { filename: string }) => a.filename)).toEqual([
      'IMG_0004.JPG',
      'IMG_0003.JPG',
    ])
    const missing = await runMain(['icloud', 'photos', 'ls', ...session(), '--album', 'Nope'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sigwire: NOT_FOUND: No album named "Nope"/)
    // Both libraries make one listing, newest first: the Shared Library's 2023 photo leads.
    const newest = await runMain(['icloud', 'photos', 'ls', ...session(), '--limit', '3', '--json'])
    const listed = JSON.parse(newest.stdout).assets as Array<{
      filename: string
      library: string
      created: string
    }>
    expect(listed.map((a) => a.created)).toEqual([
      '2023-04-05T10:00:00.000Z',
      '2022-03-04T10:00:00.000Z',
      '2022-03-03T12:00:00.000Z',
    ])
    expect(listed[0]!.library).toMatch(/^shared:/)
    const text = (await runMain(['icloud', 'photos', 'ls', ...session(), '--limit', '2'])).stdout.split('\n')
    expect(text[0]).toMatch(/^shared {3}2023-04-05T10:00:00.000Z {2}image +25000 {2}IMG_0005.JPG$/)
    expect(text[1]).toMatch(/^private {2}2022-03-04/)
  })

  it('ls --album reads every library that has the album: a user album from the private one, a smart album from all', async () => {
    // The default --library all: the Shared Library has no user albums, which is not an error.
    const user = await runMain(['icloud', 'photos', 'ls', ...session(), '--album', 'Holidays', '--json'])
    expect(user.code, user.stderr).toBe(0)
    expect(JSON.parse(user.stdout).assets.map((a: { filename: string }) => a.filename)).toEqual([
      'IMG_0004.JPG',
      'IMG_0003.JPG',
    ])
    const smart = await runMain(['icloud', 'photos', 'ls', ...session(), '--album', 'All Photos', '--json'])
    expect(smart.code, smart.stderr).toBe(0)
    const assets = JSON.parse(smart.stdout).assets as Array<{ library: string }>
    expect(assets.filter((a) => a.library === 'private')).toHaveLength(45)
    expect(assets.filter((a) => a.library !== 'private')).toHaveLength(1)
    // Each album's id is listed, the way to name one of two albums of the same name.
    const albums = await runMain(['icloud', 'photos', 'albums', ...session(), '--json'])
    const holidays = (JSON.parse(albums.stdout).albums as Array<{ id: string; name: string }>).find(
      (r) => r.name === 'Holidays',
    )!
    const byId = await runMain(['icloud', 'photos', 'ls', ...session(), '--album', holidays.id, '--json'])
    expect(JSON.parse(byId.stdout).assets).toHaveLength(2)
    // sync follows the same rule: a smart album of every library, a user album of the private one.
    const to = join(root, 'album-libraries')
    const plan = async (album: string) => {
      const run = await runMain(
        syncArgs(to, '--album', album, '--dry-run', '--folder-structure', 'none', '--json'),
      )
      expect(run.code, run.stderr).toBe(0)
      return JSON.parse(run.stdout) as { libraries: Record<string, string>; planned: string[] }
    }
    const all = await plan('All Photos')
    expect(Object.keys(all.libraries)).toHaveLength(2)
    expect(all.planned).toContain('IMG_0005.JPG')
    expect(Object.keys((await plan('Holidays')).libraries)).toEqual(['private'])
  })

  it('lists shared albums with the albums (or alone with --shared) and the assets of one with ls --shared-album', async () => {
    const albums = await runMain(['icloud', 'photos', 'albums', ...session(), '--json'])
    const rows = JSON.parse(albums.stdout).albums as Array<{
      library: string
      name: string
      kind: string
      count: number
    }>
    expect(rows.filter((r) => r.kind === 'shared')).toEqual([
      expect.objectContaining({
        library: 'shared-album',
        name: 'Party',
        kind: 'shared',
        count: 2,
        sharing: 'owned',
      }),
    ])
    expect(rows.find((r) => r.name === 'All Photos' && r.library === 'private')!.count).toBe(45)
    const only = await runMain(['icloud', 'photos', 'albums', ...session(), '--shared'])
    expect(only.code, only.stderr).toBe(0)
    expect(only.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^shared-album {2}shared\s+2 {2}Party$/),
    ])
    // The text form names libraries as --library does and keeps its columns aligned.
    const text = (await runMain(['icloud', 'photos', 'albums', ...session()])).stdout.trim().split('\n')
    expect(new Set(text.map((line) => line.split(/\s+/)[0]))).toEqual(
      new Set(['private', 'shared', 'shared-album']),
    )
    expect(new Set(text.map((line) => line.search(/ {2}(smart|album|folder|shared) /)))).toEqual(
      new Set([12]),
    )
    const ls = await runMain(['icloud', 'photos', 'ls', ...session(), '--shared-album', 'Party', '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const assets = JSON.parse(ls.stdout).assets as Array<{ filename: string; library: string; size: number }>
    expect(assets.map((a) => a.filename)).toEqual(['IMG_9001.JPG', 'IMG_9002.JPG'])
    expect(assets[0]).toMatchObject({ size: 12_000 })
    expect(assets[0]!.library).toMatch(/^shared-album:/)
    const missing = await runMain(['icloud', 'photos', 'ls', ...session(), '--shared-album', 'Nope'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sigwire: NOT_FOUND: No shared album is named "Nope"/)
  })

  it('mirrors the library byte for byte (live photos, RAW pairs, the Shared Library), then downloads nothing', async () => {
    const to = join(root, 'mirror')
    const firstRequests = since()
    const listed: string[][] = []
    const sent = ({ request }: { request: { path: string; body: unknown } }) => {
      if (request.path.includes('/records/query') && String(request.body).includes('startRank'))
        listed.push(JSON.parse(String(request.body)).desiredKeys)
    }
    diagnostics.subscribe('undici:request:create', sent as (message: unknown) => void)
    const first = await runMain([
      'icloud',
      'photos',
      'sync',
      ...session(),
      '--to',
      to,
      '--size',
      'original',
      '--size',
      'alternative',
      '--folder-structure',
      'none',
      '--json',
    ])
    diagnostics.unsubscribe('undici:request:create', sent as (message: unknown) => void)
    expect(first.code, first.stderr).toBe(0)
    // The listing asks for the renditions of the selection (and the live videos), not for every one.
    expect(listed.length).toBeGreaterThan(0)
    for (const keys of listed)
      expect(keys.filter((k) => k.endsWith('Res')).sort()).toEqual([
        'resOriginalAltRes',
        'resOriginalRes',
        'resOriginalVidComplRes',
      ])
    const summary = JSON.parse(first.stdout)
    expect(summary.failures).toEqual([])
    expect(summary.libraries).toMatchObject({ private: 'full' })
    const got = tree(to)
    // Every source file is there with equal bytes; the duplicate name got its size as a suffix.
    expect(got.size).toBe(Object.keys(files).length)
    for (const [name, bytes] of Object.entries(files)) {
      const base = name.split('/').pop()!
      const candidates = [...got.entries()].filter(
        ([p]) => p === base || p.startsWith(base.replace('.JPG', '-')),
      )
      expect(
        candidates.map(([, h]) => h),
        name,
      ).toContain(sha(bytes))
    }
    expect(statSync(join(to, 'IMG_0002.JPG')).mtime.toISOString()).toBe('2021-02-02T10:00:00.000Z')
    // zones/list once per database, together; each library's sync token comes from that answer.
    expect(firstRequests().filter((r) => r.path.endsWith('/zones/list'))).toHaveLength(2)
    const stateFile = join(to, '.sigwire-photos.sqlite')
    const stateBefore = readFileSync(stateFile)
    const secondRequests = since()
    const feeds: string[] = []
    const feedSent = ({ request }: { request: { path: string } }) => {
      if (request.path.includes('/changes/zone')) feeds.push('sent')
    }
    const feedAnswered = ({ request }: { request: { path: string } }) => {
      if (request.path.includes('/changes/zone')) feeds.push('answered')
    }
    diagnostics.subscribe('undici:request:create', feedSent as (message: unknown) => void)
    diagnostics.subscribe('undici:request:headers', feedAnswered as (message: unknown) => void)
    const second = await runMain([
      'icloud',
      'photos',
      'sync',
      ...session(),
      '--to',
      to,
      '--size',
      'original',
      '--size',
      'alternative',
      '--folder-structure',
      'none',
      '--json',
    ])
    diagnostics.unsubscribe('undici:request:create', feedSent as (message: unknown) => void)
    diagnostics.unsubscribe('undici:request:headers', feedAnswered as (message: unknown) => void)
    const again = JSON.parse(second.stdout)
    expect(again).toMatchObject({ downloaded: 0, bytes: 0, libraries: { private: 'incremental' } })
    // Both libraries' change feeds are asked for at once: one round trip, not one per library.
    expect(feeds).toEqual(['sent', 'sent', 'answered', 'answered'])
    // The re-run: the two zones/list, then each library's change feed, and nothing else of ckdatabasews.
    const ck = secondRequests().filter((r) => r.path.includes('/ckdatabasews/'))
    expect(ck.map((r) => r.path.split('/').slice(-2).join('/')).sort()).toEqual([
      'changes/zone',
      'changes/zone',
      'zones/list',
      'zones/list',
    ])
    // Nothing changed, so nothing was committed (the same sync token is not written again).
    expect(readFileSync(stateFile).equals(stateBefore)).toBe(true)
  })

  it('sync --shared-album mirrors a shared album byte for byte, with the library albums asked for, and again downloads nothing', async () => {
    const to = join(root, 'shared-album')
    const party = join(library, 'shared-albums', 'Party')
    const args = syncArgs(to, '--shared-album', 'Party', '--folder-structure', 'none', '--json')
    const first = await runMain(args)
    expect(first.code, first.stderr).toBe(0)
    const summary = JSON.parse(first.stdout)
    expect(summary).toMatchObject({ downloaded: 2, failures: [] })
    // Alone, --shared-album syncs the shared album and not the library.
    expect(Object.keys(summary.libraries)).toEqual([expect.stringMatching(/^shared-album:/)])
    expect(tree(to)).toEqual(
      new Map(['IMG_9001.JPG', 'IMG_9002.JPG'].map((n) => [n, sha(readFileSync(join(party, n)))])),
    )
    expect(statSync(join(to, 'IMG_9001.JPG')).mtime.toISOString()).toBe('2024-06-01T10:00:00.000Z')
    const again = await runMain(args)
    expect(JSON.parse(again.stdout)).toMatchObject({ downloaded: 0, skipped: 2 })
    // With --album, both; the shared album's files are known already.
    const both = await runMain(
      syncArgs(to, '--album', 'Holidays', '--shared-album', 'Party', '--folder-structure', 'none', '--json'),
    )
    expect(JSON.parse(both.stdout)).toMatchObject({ downloaded: 2, skipped: 2 })
    expect([...tree(to).keys()].sort()).toEqual([
      'IMG_0003.JPG',
      'IMG_0004.JPG',
      'IMG_9001.JPG',
      'IMG_9002.JPG',
    ])
    // --recent takes the most recent of a shared album too (it is listed oldest first).
    const recent = await runMain(
      syncArgs(
        join(root, 'shared-recent'),
        '--shared-album',
        'Party',
        '--recent',
        '1',
        '--dry-run',
        '--folder-structure',
        'none',
        '--json',
      ),
    )
    expect(JSON.parse(recent.stdout).planned).toEqual(['IMG_9002.JPG'])
    const missing = await runMain(syncArgs(to, '--shared-album', 'Nope'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sigwire: NOT_FOUND: /)
  })

  it('reads only the changes: an added file, a favourite, a removed file', async () => {
    const to = join(root, 'changes')
    const args = ['icloud', 'photos', 'sync', ...session(), '--to', to, '--library', 'private', '--json']
    expect((await runMain(args)).code).toBe(0)
    put('IMG_0099.JPG', randomBytes(12_345), '2024-09-09T09:00:00Z')
    await emulator.photos.seed()
    const run = JSON.parse((await runMain(args)).stdout)
    expect(run).toMatchObject({ downloaded: 1, assets: 1, libraries: { private: 'incremental' } })
    expect(readFileSync(join(to, '2024/09/09/IMG_0099.JPG')).equals(files['IMG_0099.JPG']!)).toBe(true)
    // A favourite changes an asset without changing its bytes; a removed file removes its asset.
    const favourite = emulator.photos.list().find((p) => p.filename === 'IMG_0002.JPG')!
    await emulator.photos.setFavorite(favourite.id, true)
    rmSync(join(library, 'IMG_0099.JPG'))
    delete files['IMG_0099.JPG']
    await emulator.photos.seed()
    const next = JSON.parse((await runMain(args)).stdout)
    expect(next).toMatchObject({
      downloaded: 0,
      assets: 1,
      skipped: 1,
      libraries: { private: 'incremental' },
    })
    expect(next.removedRemotely).toBeGreaterThan(0)
    // Without --auto-delete the removed asset's file stays.
    expect(existsSync(join(to, '2024/09/09/IMG_0099.JPG'))).toBe(true)
    await emulator.photos.setFavorite(favourite.id, false)
  })

  it('resumes after kill -9 without downloading verified files again, and leaves nothing partial', {
    timeout: 90_000,
  }, async () => {
    const to = join(root, 'killed')
    const args = bulkSyncArgs(to)
    const { before } = await signalBulkSync(args, 8, 'SIGKILL')
    expect(before).toBeGreaterThanOrEqual(8)
    expect(before).toBeLessThan(40)
    const resumed = await runMain(args)
    expect(resumed.code, resumed.stderr).toBe(0)
    const summary = JSON.parse(resumed.stdout)
    expect(summary.downloaded + summary.skipped).toBe(40)
    expect(summary.downloaded).toBeLessThanOrEqual(40 - before + 1)
    const all = [...tree(to).keys()]
    expect(all.filter((p) => p.includes('sigwire-part') || p.endsWith('.tmp'))).toEqual([])
    expect(all.length).toBe(40)
  })

  it('stops at Ctrl-C with INTERRUPTED, the finished files recorded and nothing partial at a final name', {
    timeout: 90_000,
  }, async () => {
    const to = join(root, 'interrupted')
    const args = bulkSyncArgs(to)
    const { code, stderr } = await signalBulkSync(args, 5, 'SIGINT')
    expect(code, stderr).toBe(1)
    expect(JSON.parse(stderr.trim().split('\n').at(-1)!).error.code).toBe('INTERRUPTED')
    const before = [...tree(to).keys()].filter((p) => !p.includes('.sigwire-part'))
    expect(before.length).toBeGreaterThanOrEqual(5)
    expect(before.length).toBeLessThan(40)
    expect(before.filter((p) => p.endsWith('.tmp'))).toEqual([])
    // The files finished before Ctrl-C were recorded on the way out (a kill -9 leaves the last batch
    // unrecorded, and the next run must recognise those files by their size).
    const state = openSyncState(to)
    try {
      expect(state.count()).toBe(before.length)
    } finally {
      state.close()
    }
    const next = await runMain(args)
    expect(next.code, next.stderr).toBe(0)
    const summary = JSON.parse(next.stdout)
    expect(summary).toMatchObject({ skipped: before.length, downloaded: 40 - before.length })
    expect([...tree(to).keys()].filter((p) => !p.startsWith('.sigwire'))).toHaveLength(40)
  })

  it('--watch goes on after a pass that failed for a passing reason, and Ctrl-C between passes ends it', {
    timeout: 90_000,
  }, async () => {
    const to = join(root, 'watched')
    // Every ckdatabasews connection is cut until the first pass has failed.
    emulator.faults.inject('drop', { pathPrefix: '/ws/ckdatabasews/', times: 1000 })
    const child = spawn(
      process.execPath,
      [BIN, ...syncArgs(to, '--album', 'Holidays', '--watch', '2', '--json')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const closed = new Promise<number | null>((r) => child.on('close', r))
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 1200 && !test() && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 25))
    }
    try {
      await until(() => stderr.includes('"error"'))
      emulator.faults.clear()
      expect(JSON.parse(stderr.trim().split('\n')[0]!).error, stderr).toMatchObject({ code: 'NETWORK_ERROR' })
      await until(() => stdout.includes('\n'))
      expect(JSON.parse(stdout.trim())).toMatchObject({ downloaded: 2, failures: [] })
      // The summary is printed just before the 2 s wait: this lands in it, and ends the watch without
      // an error of its own (exit 1: a pass failed).
      child.kill('SIGINT')
      expect(await closed).toBe(1)
      expect(stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      emulator.faults.clear()
      child.kill('SIGKILL')
    }
    expect(tree(to).size).toBe(2)
  })

  it('syncs real medium and thumbnail renditions of a JPEG (--size medium|thumb)', async () => {
    // A 1600×1200 photo, top half white and bottom half black.
    const width = 1600
    const height = 1200
    const data = Buffer.alloc(width * height * 4, 255)
    data.fill(0, (height / 2) * width * 4)
    for (let i = 3; i < data.length; i += 4) data[i] = 255
    put('Renditions/IMG_3000.JPG', jpeg.encode({ data, width, height }, 90).data, '2024-10-10T10:00:00Z')
    await emulator.photos.seed()
    const to = join(root, 'renditions')
    const run = await runMain([
      'icloud',
      'photos',
      'sync',
      ...session(),
      '--to',
      to,
      '--album',
      'Renditions',
      '--size',
      'medium',
      '--size',
      'thumb',
      '--folder-structure',
      'none',
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ downloaded: 2, failures: [] })
    const sizes = [...tree(to).keys()].sort().map((name) => {
      const image = jpeg.decode(readFileSync(join(to, name)), { useTArray: true })
      // The top rows are white, the bottom rows black: the photo, scaled, not a stand-in.
      const top = image.data[4 * image.width * 2]!
      const bottom = image.data[4 * image.width * (image.height - 3)]!
      expect([top > 240, bottom < 15], name).toEqual([true, true])
      return `${name} ${image.width}x${image.height}`
    })
    // 1600×1200 is within the medium budget (kept), and 480×360 for the thumbnail (§16.10).
    expect(sizes).toEqual(['IMG_3000-medium.JPG 1600x1200', 'IMG_3000-thumb.JPG 480x360'])
  })

  it('fsyncs each downloaded file only with --fsync', async () => {
    // FileHandle is not exported; its prototype is reached through a handle.
    const probe = await open(join(root, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> }
    await probe.close()
    const real = proto.sync
    let syncs = 0
    proto.sync = function (this: unknown) {
      syncs++
      return real.call(this)
    }
    const album = async (to: string, ...extra: string[]) => {
      syncs = 0
      const run = await runMain(
        syncArgs(to, '--album', 'Holidays', '--folder-structure', 'none', '--json', ...extra),
      )
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ downloaded: 2, failures: [] })
      return syncs
    }
    try {
      const plain = await album(join(root, 'no-fsync'))
      const synced = await album(join(root, 'fsync'), '--fsync')
      // A small file is fsynced through its descriptor (not seen here), then its directory after the
      // rename through a FileHandle: one each for the 2 files.
      expect(synced - plain).toBeGreaterThanOrEqual(2)
    } finally {
      proto.sync = real
    }
  })

  it('resumes a download an earlier run left partial, from its bytes (Range)', async () => {
    const big = randomBytes(1_000_000)
    put('Big/IMG_9000.JPG', big, '2024-11-11T10:00:00Z')
    await emulator.photos.seed()
    const to = join(root, 'partial')
    const args = [
      ...['icloud', 'photos', 'sync', ...session(), '--to', to, '--album', 'Big'],
      ...['--folder-structure', 'none', '--json'],
    ]
    // Every connection breaks after 100,000 bytes of the body: the run's own Range resumes (5) break
    // too, and the file fails with its received bytes kept in the partial file.
    emulator.faults.inject('drop', { afterBytes: 100_000, pathPrefix: '/photos-content/B/', times: 6 })
    const broken = await runMain(args)
    emulator.faults.clear()
    expect(JSON.parse(broken.stdout).failures).toHaveLength(1)
    const partials = readdirSync(to).filter((n) => n.endsWith('.sigwire-part'))
    expect(partials).toHaveLength(1)
    const kept = statSync(join(to, partials[0]!)).size
    expect(kept).toBeGreaterThan(0)
    const resumed = await runMain(args)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ downloaded: 1, resumedBytes: kept, failures: [] })
    expect(sha(readFileSync(join(to, 'IMG_9000.JPG')))).toBe(sha(big))
    expect(readdirSync(to).filter((n) => n.endsWith('.sigwire-part'))).toEqual([])
  })

  it('refuses bad input with typed errors', async () => {
    const file = join(root, 'a-file')
    writeFileSync(file, 'x')
    const notDir = await runMain(['icloud', 'photos', 'sync', ...session(), '--to', file])
    expect(notDir.code).toBe(2)
    expect(notDir.stderr).toMatch(/NOT_A_DIRECTORY/)
    const badSize = await runMain([
      'icloud',
      'photos',
      'sync',
      ...session(),
      '--to',
      join(root, 'x'),
      '--size',
      'huge',
    ])
    expect(badSize.code).toBe(2)
    expect(badSize.stderr).toMatch(/INVALID_OPTION/)
    const conflict = await runMain([
      'icloud',
      'photos',
      'sync',
      ...session(),
      '--to',
      join(root, 'x'),
      '--dry-run',
      '--delete-after-download',
    ])
    expect(conflict.stderr).toMatch(/CONFLICTING_OPTIONS/)
  })

  it('--auto-delete deletes the files of assets deleted in iCloud, not of hidden ones or files changed on disk', async () => {
    const names = ['IMG_7001.JPG', 'IMG_7002.JPG', 'IMG_7003.JPG', 'IMG_7004.JPG']
    for (const [i, name] of names.entries()) put(name, randomBytes(9_000 + i), `2025-07-0${i + 1}T10:00:00Z`)
    await emulator.photos.seed()
    const to = join(root, 'auto-delete')
    const args = syncArgs(to, '--library', 'private', '--folder-structure', 'none', '--auto-delete', '--json')
    expect((await runMain(args)).code).toBe(0)
    expect(names.every((name) => existsSync(join(to, name)))).toBe(true)
    const id = (name: string) => emulator.photos.list().find((p) => p.filename === name)!.id
    await emulator.photos.trash(id('IMG_7001.JPG'))
    await emulator.photos.expunge(id('IMG_7002.JPG'))
    await emulator.photos.setHidden(id('IMG_7003.JPG'), true)
    appendFileSync(join(to, 'IMG_7004.JPG'), 'edited here')
    await emulator.photos.trash(id('IMG_7004.JPG'))
    const run = await runMain(args)
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ libraries: { private: 'incremental' }, deletedLocally: 2 })
    expect(names.map((name) => existsSync(join(to, name)))).toEqual([false, false, true, true])
    // Forgotten by the state: a later run neither deletes nor downloads anything.
    expect(JSON.parse((await runMain(args)).stdout)).toMatchObject({ deletedLocally: 0, downloaded: 0 })
    const both = await runMain([...args, '--delete-after-download'])
    expect(both.code).toBe(2)
    expect(JSON.parse(both.stderr).error.code).toBe('CONFLICTING_OPTIONS')
  })

  it('--auto-delete on runs that list the library: Recently Deleted with --album, and also assets removed for good on a whole listing', async () => {
    const names = ['IMG_7101.JPG', 'IMG_7102.JPG', 'IMG_7103.JPG', 'IMG_7104.JPG']
    for (const [i, name] of names.entries())
      put(`Purge/${name}`, randomBytes(9_500 + i), `2025-08-0${i + 1}T10:00:00Z`)
    await emulator.photos.seed()
    const id = (name: string) => emulator.photos.list().find((p) => p.filename === name)!.id
    // An album is listed on every run (no change feed).
    const album = join(root, 'auto-delete-album')
    const albumArgs = syncArgs(
      album,
      '--album',
      'Purge',
      '--folder-structure',
      'none',
      '--auto-delete',
      '--json',
    )
    expect((await runMain(albumArgs)).code).toBe(0)
    const whole = join(root, 'auto-delete-whole')
    const wholeArgs = syncArgs(
      whole,
      '--library',
      'private',
      '--folder-structure',
      'none',
      '--auto-delete',
      '--json',
    )
    expect((await runMain(wholeArgs)).code).toBe(0)
    const before = tree(whole).size
    await emulator.photos.trash(id('IMG_7101.JPG'))
    await emulator.photos.expunge(id('IMG_7102.JPG'))
    await emulator.photos.setHidden(id('IMG_7103.JPG'), true)
    const inAlbum = await runMain(albumArgs)
    expect(inAlbum.code, inAlbum.stderr).toBe(0)
    expect(JSON.parse(inAlbum.stdout)).toMatchObject({ libraries: { private: 'full' }, deletedLocally: 1 })
    // An album's listing cannot tell an asset removed for good from one taken out of the album: kept.
    expect(names.map((name) => existsSync(join(album, name)))).toEqual([false, true, true, true])
    // Another selection: the whole library is listed again instead of reading the change feed.
    const listed = await runMain([...wholeArgs, '--live-photos', 'skip'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toMatchObject({ libraries: { private: 'full' }, deletedLocally: 2 })
    expect(names.map((name) => existsSync(join(whole, name)))).toEqual([false, false, true, true])
    expect(tree(whole).size).toBe(before - 2)
    // A dry run deletes nothing.
    await emulator.photos.trash(id('IMG_7104.JPG'))
    const dry = await runMain([...albumArgs, '--dry-run'])
    expect(JSON.parse(dry.stdout)).toMatchObject({ deletedLocally: 0 })
    expect(existsSync(join(album, 'IMG_7104.JPG'))).toBe(true)
  })

  it('--auto-delete deletes the files of photos taken out of a shared album read whole', async () => {
    const picnic = join(library, 'shared-albums', 'Picnic')
    mkdirSync(picnic, { recursive: true })
    for (const [i, name] of ['IMG_9101.JPG', 'IMG_9102.JPG', 'IMG_9103.JPG'].entries()) {
      writeFileSync(join(picnic, name), randomBytes(11_000 + i))
      utimesSync(
        join(picnic, name),
        new Date(`2024-07-0${i + 1}T10:00:00Z`),
        new Date(`2024-07-0${i + 1}T10:00:00Z`),
      )
    }
    expect((await emulator.photos.seed()).sharedAlbums).toMatchObject({ changed: 1 })
    const to = join(root, 'shared-auto-delete')
    const args = syncArgs(
      to,
      '--shared-album',
      'Picnic',
      '--folder-structure',
      'none',
      '--auto-delete',
      '--json',
    )
    expect(JSON.parse((await runMain(args)).stdout)).toMatchObject({ downloaded: 3, deletedLocally: 0 })
    rmSync(join(picnic, 'IMG_9102.JPG'))
    expect((await emulator.photos.seed()).sharedAlbums).toMatchObject({ changed: 1 })
    // --recent reads part of the album: it cannot tell what left it, so nothing is deleted.
    const part = await runMain([...args, '--recent', '1'])
    expect(JSON.parse(part.stdout)).toMatchObject({ deletedLocally: 0 })
    expect(existsSync(join(to, 'IMG_9102.JPG'))).toBe(true)
    const whole = await runMain(args)
    expect(whole.code, whole.stderr).toBe(0)
    expect(JSON.parse(whole.stdout)).toMatchObject({ downloaded: 0, deletedLocally: 1 })
    expect([...tree(to).keys()].filter((p) => p.endsWith('.JPG')).sort()).toEqual([
      'IMG_9101.JPG',
      'IMG_9103.JPG',
    ])
  })

  it('uploads photos into the library and a user album, and checks every file first', async () => {
    const a = join(root, 'upload-a.jpg')
    const b = join(root, 'upload-b.jpg')
    const pixels = (shade: number) => Buffer.alloc(16 * 16 * 4, shade)
    writeFileSync(a, jpeg.encode({ data: pixels(40), width: 16, height: 16 }, 90).data)
    writeFileSync(b, jpeg.encode({ data: pixels(200), width: 16, height: 16 }, 90).data)
    const before = emulator.photos.list().length
    const missing = await runMain(['icloud', 'photos', 'upload', ...session(), a, join(root, 'nope.jpg')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sigwire: FILE_NOT_FOUND: /)
    const smart = await runMain(['icloud', 'photos', 'upload', ...session(), a, '--album', 'Favorites'])
    expect(smart.stderr).toMatch(/^sigwire: INVALID_OPTION: --album names the smart album "Favorites"/)
    // Nothing was sent for either.
    expect(emulator.photos.list()).toHaveLength(before)
    const run = await runMain(['icloud', 'photos', 'upload', ...session(), a, b, '--album', 'Bulk', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const uploaded = JSON.parse(run.stdout).uploaded as Array<{ file: string; id: string; filename: string }>
    expect(uploaded.map((u) => [u.file, u.filename])).toEqual([
      [a, 'upload-a.jpg'],
      [b, 'upload-b.jpg'],
    ])
    const ls = await runMain(['icloud', 'photos', 'ls', ...session(), '--album', 'Bulk', '--json'])
    const ids = (JSON.parse(ls.stdout).assets as Array<{ id: string }>).map((x) => x.id)
    for (const u of uploaded) expect(ids).toContain(u.id)
    // The bytes in iCloud are the file's.
    const to = join(root, 'uploaded')
    await runMain(syncArgs(to, '--album', 'Bulk', '--folder-structure', 'none'))
    expect(sha(readFileSync(join(to, 'upload-b.jpg')))).toBe(sha(readFileSync(b)))
  })

  // Last: it expires the account's sessions. The sync opens its state while the session check is in
  // flight (commands/while-request-in-flight.ts), so both failures below happen with the state open.
  it('refuses a directory another sync holds, and a refused session leaves the state closed and unlocked', async () => {
    const held = join(root, 'held')
    mkdirSync(held)
    const other = spawn('sleep', ['60'], { stdio: 'ignore' })
    try {
      writeFileSync(join(held, '.sigwire-photos.sqlite.pid'), String(other.pid))
      const busy = await runMain(['icloud', 'photos', 'sync', ...session(), '--to', held])
      expect(busy.code).not.toBe(0)
      expect(busy.stderr).toMatch(new RegExp(`FILE_EXISTS: Another sync \\(pid ${other.pid}\\)`))
      expect(readFileSync(join(held, '.sigwire-photos.sqlite.pid'), 'utf8')).toBe(String(other.pid))
    } finally {
      other.kill()
    }

    await fetch(`${emulator.url}/_emulator/expire-sessions`, {
      method: 'POST',
      body: JSON.stringify({ sessionTokens: true }),
    })
    const target = join(root, 'expired')
    const refused = await runMain(['icloud', 'photos', 'sync', ...session(), '--to', target])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/AUTHENTICATION_REQUIRED/)
    const left = readdirSync(target)
    expect(left).toContain('.sigwire-photos.sqlite')
    expect(left).not.toContain('.sigwire-photos.sqlite.pid')
    expect(left).not.toContain('.sigwire-photos.sqlite.lock')
  })
})
