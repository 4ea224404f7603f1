import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeTerminal } from './fake-terminal.js'
import { icloudLogin } from './icloud-harness.js'
import { BIN, runCli } from './run-cli.js'
import { runMain } from './run-main.js'

const APPLE_ID = 'drive@example.com'
const PASSWORD = 'drive cli password'
let dir: string
let seed: string
let sessions: string
let emulator: ICloudEmulator

/** Every file below `root`, as relative path -> [bytes, mtime in whole seconds]. */
async function tree(root: string): Promise<Map<string, [Buffer, number]>> {
  const out = new Map<string, [Buffer, number]>()
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) await walk(path)
      else
        out.set(relative(root, path), [await readFile(path), Math.floor((await stat(path)).mtimeMs / 1000)])
    }
  }
  await walk(root)
  return out
}

const drive = (...args: string[]) => ['icloud', 'drive', ...args, '--session-dir', sessions]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-drive-'))
  seed = join(dir, 'seed')
  sessions = join(dir, 'sessions')
  await mkdir(join(seed, 'Documents', 'Reports', 'Q1'), { recursive: true })
  await mkdir(join(seed, 'Photos'))
  const when = new Date('2024-05-06T07:08:09Z')
  for (let i = 0; i < 25; i++) {
    const file = join(seed, 'Documents', 'Reports', i % 2 ? 'Q1' : '', `r${i}.bin`)
    await writeFile(file, randomBytes(1000 + i * 997))
    await utimes(file, when, new Date(when.getTime() + i * 1000))
  }
  await writeFile(join(seed, 'Photos', 'ünïcode name.jpg'), randomBytes(70_000))
  await writeFile(join(seed, 'empty.txt'), '')
  emulator = await startICloudEmulator({
    accounts: [
      { appleId: APPLE_ID, password: PASSWORD, twoFactor: false },
      { appleId: 'adp@example.com', password: PASSWORD, twoFactor: false },
    ],
    drive: { seedDir: seed, adpAccounts: ['adp@example.com'] },
  })
  await writeFile(join(dir, 'password'), PASSWORD)
  await icloudLogin(runMain, emulator, {
    appleId: APPLE_ID,
    passwordFile: join(dir, 'password'),
    sessionDir: sessions,
  })
})

afterAll(async () => {
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('sigwire icloud drive', () => {
  it('round-trips the seeded tree byte for byte with get / --recursive (the real binary), then skips it all', async () => {
    const out = join(dir, 'out')
    const first = await runCli([...drive('get', '/', '--recursive', '--out', out, '--json')])
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, downloaded: 27, skipped: 0, failed: [] })
    const want = await tree(seed)
    const got = await tree(out)
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
    for (const [path, [bytes, mtime]] of want) {
      expect(got.get(path)![0].equals(bytes), path).toBe(true)
      expect(got.get(path)![1], path).toBe(mtime)
    }
    // The app libraries come along as (empty) folders.
    expect((await readdir(out)).sort()).toEqual([
      'Documents',
      'Keynote',
      'Numbers',
      'Pages',
      'Photos',
      'empty.txt',
    ])
    const second = await runMain(drive('get', '/', '-r', '--out', out, '--json'))
    expect(second.code, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ downloaded: 0, skipped: 27 })
    const downloads = emulator.log.entries().filter((e) => e.target.startsWith('/drive-content/B/')).length
    await runMain(drive('get', '/', '-r', '--out', out))
    expect(emulator.log.entries().filter((e) => e.target.startsWith('/drive-content/B/')).length).toBe(
      downloads,
    )
  })

  it('stops a tree download at Ctrl-C with INTERRUPTED, every file left whole', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, 'interrupted')
    emulator.faults.latencyMs = 40
    const child = spawn(
      process.execPath,
      [BIN, ...drive('get', '/', '--recursive', '--out', out, '--concurrency', '1', '--json')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    )
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const closed = new Promise<number | null>((r) => child.on('close', r))
    const count = async () => (await tree(out).catch(() => new Map())).size
    for (let i = 0; i < 400 && (await count()) < 3; i++) await new Promise((r) => setTimeout(r, 25))
    child.kill('SIGINT')
    const code = await closed
    emulator.faults.latencyMs = 0
    expect(code, stderr).toBe(1)
    expect(JSON.parse(stderr.trim().split('\n').at(-1)!).error.code).toBe('INTERRUPTED')
    const want = await tree(seed)
    const got = await tree(out)
    expect(got.size).toBeGreaterThanOrEqual(3)
    expect(got.size).toBeLessThan(want.size)
    // Whatever is there is whole: no partial file, no temporary name.
    for (const [path, [bytes]] of got) expect(want.get(path)?.[0].equals(bytes), path).toBe(true)
  })

  it('lists, in short, long and JSON forms', async () => {
    const short = await runMain(drive('ls'))
    expect(short.code, short.stderr).toBe(0)
    expect(short.stdout.trim().split('\n')).toEqual([
      'Documents/',
      'Keynote/',
      'Numbers/',
      'Pages/',
      'Photos/',
      'empty.txt',
    ])
    const long = await runMain(drive('ls', '/Documents/Reports', '--long'))
    expect(long.stdout).toMatch(/^-\s+1000 B\s+2024-05-06 07:08\s+r0\.bin$/m)
    expect(long.stdout).toMatch(/^d\s+-\s+-\s+Q1\/$/m)
    const json = JSON.parse((await runMain(drive('ls', '/Photos', '--json'))).stdout)
    expect(json.items).toEqual([
      expect.objectContaining({ name: 'ünïcode name.jpg', size: 70_000, type: 'FILE' }),
    ])
    const file = JSON.parse((await runMain(drive('ls', '/empty.txt', '--json'))).stdout)
    expect(file.items).toEqual([expect.objectContaining({ name: 'empty.txt', size: 0 })])
  })

  it('puts files keeping their names and mtimes, refuses a taken name, replaces with --replace', async () => {
    const local = join(dir, 'upload.dat')
    const bytes = randomBytes(1_500_000)
    await writeFile(local, bytes)
    const mtime = new Date('2022-02-02T02:02:02Z')
    await utimes(local, mtime, mtime)
    const put = await runMain(drive('put', local, '/Documents/', '--json'))
    expect(put.code, put.stderr).toBe(0)
    expect(JSON.parse(put.stdout).items[0]).toMatchObject({ name: 'upload.dat', size: bytes.length })
    const again = await runMain(drive('put', local, '/Documents'))
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^sigwire: CONFLICT: .*--replace/m)
    await writeFile(local, 'new version')
    expect((await runMain(drive('put', local, '/Documents', '--replace'))).code).toBe(0)
    const back = join(dir, 'back.dat')
    const get = await runMain(drive('get', '/Documents/upload.dat', '--out', back))
    expect(get.code, get.stderr).toBe(0)
    expect(await readFile(back, 'utf8')).toBe('new version')
    const trash = JSON.parse((await runMain(drive('ls', '--trash', '--json'))).stdout)
    expect(trash.items.map((i: { restorePath: string }) => i.restorePath)).toContain('Documents/upload.dat')
    // One file as a new name.
    expect((await runMain(drive('put', local, '/Documents/renamed.dat'))).code).toBe(0)
    expect((await runMain(drive('ls', '/Documents/renamed.dat'))).stdout.trim()).toBe('renamed.dat')
  })

  it('makes folders, moves and renames, trashes, restores and deletes for good', async () => {
    expect((await runMain(drive('mkdir', '/Work/2024/Q3', '-p'))).code).toBe(0)
    const exists = await runMain(drive('mkdir', '/Work'))
    expect(exists.code).toBe(2)
    expect(exists.stderr).toMatch(/CONFLICT/)
    expect((await runMain(drive('mkdir', '/Nope/Inner'))).stderr).toMatch(/NOT_FOUND: .*--parents/)
    expect((await runMain(drive('mv', '/empty.txt', '/Work/2024/'))).code).toBe(0)
    expect((await runMain(drive('mv', '/Work/2024/empty.txt', '/Work/zero.txt'))).code).toBe(0)
    expect((await runMain(drive('ls', '/Work'))).stdout.trim().split('\n')).toEqual(['2024/', 'zero.txt'])
    expect((await runMain(drive('rm', '/Work'))).code).toBe(0)
    expect((await runMain(drive('ls', '/Work'))).stderr).toMatch(/NOT_FOUND/)
    const restored = await runMain(drive('restore', '/Work', '--json'))
    expect(restored.code, restored.stderr).toBe(0)
    expect((await runMain(drive('ls', '/Work/2024'))).stdout.trim()).toBe('Q3/')
    expect((await runMain(drive('rm', '/Work/zero.txt', '--forever'))).code).toBe(0)
    const trash = JSON.parse((await runMain(drive('ls', '--trash', '--json'))).stdout)
    expect(trash.items.some((i: { name: string }) => i.name === 'zero.txt')).toBe(false)
    expect((await runMain(drive('restore', '/never-there'))).stderr).toMatch(/NOT_FOUND/)
  })

  it('draws a progress bar on a terminal, and nothing with --json', async () => {
    const terminal = fakeTerminal()
    const target = join(dir, 'photo.jpg')
    const run = await runMain(drive('get', '/Photos/ünïcode name.jpg', '--out', target), {
      isTTY: true,
      progressStream: terminal,
    })
    expect(run.code, run.stderr).toBe(0)
    expect(terminal.written).toMatch(/ünïcode name\.jpg \[/)
    expect(terminal.written).toMatch(/68 KiB/)
    const quiet = fakeTerminal()
    await runMain(drive('get', '/Photos/ünïcode name.jpg', '--out', target, '--json'), {
      isTTY: true,
      progressStream: quiet,
    })
    expect(quiet.written).toBe('')
  })

  it('waits for the approval of an Advanced Data Protection account, then lists', {
    timeout: 30_000,
  }, async () => {
    const adpSessions = join(dir, 'adp-sessions')
    const login = await icloudLogin(runMain, emulator, {
      appleId: 'adp@example.com',
      passwordFile: join(dir, 'password'),
      sessionDir: adpSessions,
    })
    const run = await runMain(['icloud', 'drive', 'ls', '/Photos', '--session-dir', adpSessions])
    expect(run.code, run.stderr).toBe(0)
    // The sign-in already asked the devices (the account has ADP), so the listing needs no second approval.
    expect(login.stderr).toMatch(/uses Advanced Data Protection: approve "Access iCloud Data on the Web"/)
    expect(run.stdout.trim()).toBe('ünïcode name.jpg')
  })

  it('uses the saved endpoints after login, and says how to continue when the session expired', async () => {
    emulator.accounts.expireSessions(APPLE_ID, { sessionTokens: true })
    const run = await runMain(drive('ls'))
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/AUTHENTICATION_REQUIRED: .*sigwire icloud login --apple-id drive@example.com/)
  })
})
