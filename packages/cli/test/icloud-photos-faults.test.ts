import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha, signIn, tree } from './photos-harness.js'
import { runMain } from './run-main.js'

// `sigwire icloud photos sync` against the faults the issue names: throttling and outages (honoured,
// then the sync continues), a session that expires mid-sync (renewed once, then it continues) and a
// full disk (a typed error, nothing partial under a final name). The library has more assets than the
// sync queues ahead of its downloads (256 files), so its listing still reads pages after the expiry.

const ASSETS = 600
let root: string
let library: string
let sessions: string
let emulator: ICloudEmulator
const files = new Map<string, string>()

/** `sigwire icloud photos sync` into `to`, flat, on the saved session, with `extra` options. */
const syncArgs = (to: string, ...extra: string[]) => [
  'icloud',
  'photos',
  'sync',
  '--session-dir',
  sessions,
  '--to',
  to,
  '--folder-structure',
  'none',
  ...extra,
]
/** Files the user sees: not the state, not partial downloads. */
const visible = (name: string) => !name.startsWith('.')

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sigwire-cli-photos-faults-'))
  library = join(root, 'library')
  sessions = join(root, 'sessions')
  mkdirSync(library)
  for (let i = 0; i < ASSETS; i++) {
    const name = `IMG_${String(i).padStart(4, '0')}.JPG`
    const bytes = Buffer.concat([
      Buffer.from('ffd8ffe000104a46494600', 'hex'),
      randomBytes(1_000 + (i % 7) * 300),
    ])
    writeFileSync(join(library, name), bytes)
    const date = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000)
    utimesSync(join(library, name), date, date)
    files.set(name, sha(bytes))
  }
  emulator = await startICloudEmulator({ photosDir: library })
  await signIn(emulator, sessions)
})

afterAll(async () => {
  await emulator?.close()
  rmSync(root, { recursive: true, force: true })
})

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return (await response.json()) as Record<string, unknown>
}

/**
 * Expires the account's sessions (`body` as `/_emulator/expire-sessions` takes it) once `dir` holds
 * `files` visible files, then ends the emulator's added latency; says whether it came to that within
 * 10 s.
 */
async function expireSessionsAt(dir: string, files: number, body: object): Promise<boolean> {
  const count = () => {
    try {
      return readdirSync(dir).filter(visible).length
    } catch {
      return 0
    }
  }
  try {
    for (let i = 0; i < 2_000; i++) {
      if (count() >= files) {
        await admin('POST', 'expire-sessions', body)
        return true
      }
      await new Promise((r) => setTimeout(r, 5))
    }
    return false
  } finally {
    emulator.faults.latencyMs = 0
  }
}

describe('sigwire icloud photos sync under faults', () => {
  it('rides out throttling and outages, renews a session that expires mid-sync once, and mirrors byte for byte', async () => {
    const to = join(root, 'mirror')
    await admin('DELETE', 'stats')
    // Throttles and outages on downloads, drawn at random, and on the listing, queued.
    emulator.faults.randomize({
      rate: 0.05,
      kinds: ['throttle', 'unavailable'],
      pathPrefix: '/photos-content',
      retryAfterSeconds: 0,
      seed: 7,
    })
    emulator.faults.inject('throttle', { times: 2, pathPrefix: '/ws/ckdatabasews', retryAfterSeconds: 0 })
    emulator.faults.latencyMs = 3
    const run = runMain(syncArgs(to, '--concurrency', '2', '--json'), { timeoutMs: 120_000 })
    // The web session expires once a sixth of the files are in, while the listing still has pages to read.
    const expired = await expireSessionsAt(to, ASSETS / 6, {})
    const result = await run
    emulator.faults.clear()
    expect(expired).toBe(true)
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({ downloaded: ASSETS, failures: [] })
    expect(tree(to, visible)).toEqual(files)
    const stats = (await admin('GET', 'stats')) as {
      accountLogins: number
      signIns: number
      requests: Record<string, Record<string, number>>
    }
    // Renewed once with the session token (no second sign-in), after at least one 421.
    expect(stats.accountLogins).toBe(1)
    expect(stats.signIns).toBe(0)
    // Faults are answered before routing: the emulator's stats file them under "(no route)".
    expect(
      stats.requests['POST /ws/ckdatabasews/database/1/:container/:environment/:database/*op']?.['421'],
    ).toBe(1)
    expect(stats.requests['POST (no route)']?.['503']).toBe(2)
    expect(stats.requests['GET (no route)']?.['503']).toBeGreaterThanOrEqual(1)
  })

  // Needs a small file system: a 400 KiB tmpfs, mounted where root may mount (CI runs as root); skipped
  // elsewhere.
  it('stops on a full disk with FILE_WRITE_FAILED, every file under a final name complete', async (context) => {
    const small = join(root, 'small')
    mkdirSync(small)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', small], { stdio: 'ignore' })
    } catch {
      console.warn('skipped: mounting a small tmpfs needs root')
      context.skip()
    }
    try {
      const result = await runMain(syncArgs(small, '--json'), { timeoutMs: 60_000 })
      expect(result.code).toBe(2)
      const failure = JSON.parse(result.stderr).error
      expect(failure.code).toBe('FILE_WRITE_FAILED')
      expect(failure.message).toMatch(/\(ENOSPC\): the disk or quota is full, free space|disk I\/O error/)
      const written = tree(small, visible)
      expect(written.size).toBeGreaterThan(0)
      expect(written.size).toBeLessThan(ASSETS)
      for (const [name, digest] of written) expect(digest, name).toBe(files.get(name))
      // Stopped, not still writing: no download starts after the error is reported, and the state is
      // closed and unlocked.
      const downloads = async () => {
        const stats = (await admin('GET', 'stats')) as { requests: Record<string, Record<string, number>> }
        return Object.values(stats.requests['GET /photos-content/B/:asset/*file'] ?? {}).reduce(
          (a, b) => a + b,
          0,
        )
      }
      const reported = await downloads()
      await new Promise((r) => setTimeout(r, 300))
      expect(await downloads()).toBe(reported)
      const left = readdirSync(small)
      expect(left).not.toContain('.sigwire-photos.sqlite.pid')
      expect(left).not.toContain('.sigwire-photos.sqlite.lock')
      // With room again, the next run completes the mirror.
      execFileSync('mount', ['-o', 'remount,size=8m', small], { stdio: 'ignore' })
      const again = await runMain(syncArgs(small, '--json'), { timeoutMs: 60_000 })
      expect(again.code, again.stderr).toBe(0)
      expect(tree(small, visible)).toEqual(files)
      expect(readdirSync(small).filter((n) => n.endsWith('.sigwire-part'))).toEqual([])
    } finally {
      execFileSync('umount', [small])
    }
  })

  // Last: it expires the session tokens too, so nothing can renew the session afterwards.
  it('stops with AUTHENTICATION_REQUIRED when the session cannot be renewed, after the downloads in flight complete', async () => {
    const to = join(root, 'unrenewable')
    emulator.faults.latencyMs = 3
    const run = runMain(syncArgs(to, '--concurrency', '4'), { timeoutMs: 120_000 })
    const expired = await expireSessionsAt(to, ASSETS / 6, { sessionTokens: true })
    const result = await run
    expect(expired).toBe(true)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/^sigwire: AUTHENTICATION_REQUIRED: /)
    // The downloads that had started finished (no partial file left) and every file is whole.
    expect(readdirSync(to).filter((n) => n.endsWith('.sigwire-part'))).toEqual([])
    const written = tree(to, visible)
    expect(written.size).toBeGreaterThan(ASSETS / 6)
    expect(written.size).toBeLessThan(ASSETS)
    for (const [name, digest] of written) expect(digest, name).toBe(files.get(name))
  })
})
