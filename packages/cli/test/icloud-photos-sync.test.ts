import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, consecutiveFreePorts } from './run-cli.js'

// A maintained real-world client, unmodified, syncing a whole library through `sigwire emulate --icloud
// --photos-dir DIR`: icloud-photos-sync 4.0.0 (steilerDev/icloud-photos-sync, GPL-3, a pinned dev
// dependency installed from npm; none of its code is in this repository). Its hosts are fixed
// (idmsa.apple.com, setup.icloud.com, the ckdatabasews and content hosts), so it runs as its own Node
// process with a preload (test/peers/connect-to-emulator.mjs) that sends every TLS connection to the
// emulator's port, the way /etc/hosts and a port forward would, and refuses plain connections beyond
// loopback (no crash reports, no telemetry). `--host-name icloud.com` gives the emulator's cookies
// `Domain=icloud.com`, as Apple's carry `Domain=.icloud.com`: it sends only cookies whose domain occurs
// in the URL (network-manager.ts l. 150-159 at c6dc1dd). docs/protocols/icloud.md §26.
//
// It needs Node >= 22 (its `engines`). On Node 22+ the test runs with this Node; on Node 20 with the
// Node 22 that .ci/run installs, when present; else it is skipped: CI's Node 22 pass runs it.

const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'connect-to-emulator.mjs')
const NODE_22 = join(process.env.TMPDIR ?? '/tmp', 'sigwire-ci-node-22', 'node_modules', '.bin', 'node')
const INSTALL = 'pnpm install (icloud-photos-sync 4.0.0 is a dev dependency of @sigwire/cli)'

/** The Node to run icloud-photos-sync with, or why there is none. */
function peerNode(): { node: string } | { skip: string } {
  if (Number(process.versions.node.split('.')[0]) >= 22) return { node: process.execPath }
  if (existsSync(NODE_22)) return { node: NODE_22 }
  return {
    skip: `icloud-photos-sync needs Node >= 22 and ${NODE_22} is absent; CI's Node 22 pass runs this test (.ci/run installs that Node)`,
  }
}

/** The installed icloud-photos-sync entry point, or undefined (under CI=true its absence throws). */
function peerMain(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('icloud-photos-sync/package.json')
    const main = join(dirname(manifest), 'bin', 'main.js')
    if (existsSync(main)) return main
  } catch {
    // absent: below
  }
  if (process.env.CI === 'true') throw new Error(`icloud-photos-sync is missing on CI: ${INSTALL}`)
  return undefined
}

const NODE = peerNode()
const MAIN = 'node' in NODE ? peerMain() : undefined
const skip = 'skip' in NODE ? NODE.skip : MAIN === undefined ? `icloud-photos-sync is absent: ${INSTALL}` : ''
if (skip) console.warn(`skipped: ${skip}`)

const APPLE_ID = 'ips@example.com'
const PASSWORD = 'ips password 1'
const CODE = '246810'

let root: string
let library: string
let data: string
let emulator: ChildProcess | undefined
let icloud: { url: string; certificateFile: string }
const seeded: Record<string, Buffer> = {}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** A file's bytes: the format's magic, then random bytes (the emulator reads headers only). */
function bytes(kind: 'jpeg' | 'png' | 'heic' | 'mov' | 'dng', size: number): Buffer {
  const magic = {
    jpeg: Buffer.from('ffd8ffe000104a46494600', 'hex'),
    png: Buffer.from('89504e470d0a1a0a', 'hex'),
    heic: Buffer.from('0000001866747970686569630000000068656963', 'hex'),
    mov: Buffer.from('0000001466747970717420200000000071742020', 'hex'),
    dng: Buffer.from('49492a0008000000', 'hex'),
  }[kind]
  return Buffer.concat([magic, randomBytes(size)])
}

async function seed(name: string, content: Buffer): Promise<void> {
  const path = join(library, name)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
  seeded[name] = content
}

/** `sigwire emulate --icloud --tls --photos-dir DIR` and its JSON line. */
function emulate(config: string): Promise<{ url: string; certificateFile: string }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'emulate',
      '--icloud',
      '--tls',
      '--no-ui',
      '--host-name',
      'icloud.com',
      '--photos-dir',
      library,
      '--config',
      config,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  emulator = child
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const newline = out.indexOf('\n')
      if (newline !== -1) resolve(JSON.parse(out.slice(0, newline)).icloud)
    })
    child.on('close', (code) => reject(new Error(`sigwire emulate exited ${code}: ${err}`)))
  })
}

/** `GET {url}/_emulator/requests`: the emulator's request log (no header values, targets redacted). */
async function requestLog(): Promise<Array<{ id: number; method: string; target: string; status: number }>> {
  const ca = await readFile(icloud.certificateFile)
  return new Promise((resolve, reject) => {
    const req = request(`${icloud.url}/_emulator/requests`, { ca }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => {
        resolve((JSON.parse(body) as { requests: never }).requests)
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * One `icloud-photos-sync sync` against the emulator. Its MFA server (`POST /api/mfa?code=`, web-server.ts
 * l. 435-469) answers 412 until it waits for a code; the code is posted until one is taken.
 */
async function sync(): Promise<{ code: number | null; output: string; mfaPosted: boolean }> {
  const mfaPort = await consecutiveFreePorts(1)
  const child = spawn(
    (NODE as { node: string }).node,
    ['--import', PRELOAD, MAIN!, 'sync', '--max-retries', '1', '--log-level', 'info', '--mfa-timeout', '50'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // 4.0.0 reads its resource file (the trust token) relative to the working directory at startup,
      // before it knows the data dir, then rewrites it in the data dir: run anywhere else, it drops the
      // stored trust token and asks for a code every run (resource-manager.ts l. 31 and 90-95 at c6dc1dd).
      cwd: data,
      env: {
        PATH: process.env.PATH,
        HOME: root,
        TMPDIR: root,
        NO_COLOR: '1',
        APPLE_ID_USER: APPLE_ID,
        APPLE_ID_PWD: PASSWORD,
        DATA_DIR: data,
        PORT: String(mfaPort),
        SIGWIRE_EMULATOR_TLS_PORT: new URL(icloud.url).port,
        NODE_EXTRA_CA_CERTS: icloud.certificateFile,
      },
    },
  )
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  let done = false
  let mfaPosted = false
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      done = true
      resolve(code)
    }),
  )
  void (async () => {
    while (!done && !mfaPosted) {
      await new Promise((r) => setTimeout(r, 200))
      // Its console says so once the server waits for a code (a code sent earlier is a warning).
      if (!output.includes('MFA code required')) continue
      const answer = await fetch(`http://127.0.0.1:${mfaPort}/api/mfa?code=${CODE}`, {
        method: 'POST',
      }).catch(() => undefined)
      if (answer?.status === 200) mfaPosted = true
    }
  })()
  return { code: await exited, output, mfaPosted }
}

/** Every regular file under `dir` (symbolic links followed to their target), by path relative to `dir`. */
async function tree(dir: string): Promise<Map<string, { sha: string; target: string }>> {
  const out = new Map<string, { sha: string; target: string }>()
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.icloud-photos-sync')) continue
      const path = join(d, entry.name)
      const target = await realpath(path)
      if ((await stat(target)).isDirectory()) await walk(path)
      else out.set(relative(dir, path), { sha: sha(await readFile(target)), target })
    }
  }
  await walk(dir)
  return out
}

beforeAll(async () => {
  if (skip) return
  root = await mkdtemp(join(tmpdir(), 'sigwire-icloud-photos-sync-'))
  library = join(root, 'library')
  data = join(root, 'photos')
  await mkdir(data)
  // A live photo, a RAW+JPEG pair, an edited photo, a PNG, a video, an album in a folder, a top-level
  // album and a photo of the Shared Library.
  await seed('IMG_0001.HEIC', bytes('heic', 40_000))
  await seed('IMG_0001.MOV', bytes('mov', 60_000))
  await seed('IMG_0002.JPG', bytes('jpeg', 30_000))
  await seed('IMG_0002.DNG', bytes('dng', 90_000))
  await seed('IMG_0003.JPG', bytes('jpeg', 25_000))
  await seed('IMG_E0003.JPG', bytes('jpeg', 26_000))
  await seed('IMG_0004.PNG', bytes('png', 12_000))
  await seed('MOV_0005.MOV', bytes('mov', 150_000))
  await seed('Trips/Paris/IMG_0006.JPG', bytes('jpeg', 21_000))
  await seed('Family/IMG_0007.JPG', bytes('jpeg', 22_000))
  await seed('shared/IMG_0008.JPG', bytes('jpeg', 23_000))
  const config = join(root, 'config.json')
  await writeFile(
    config,
    JSON.stringify({
      icloud: { accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: true, fixedCode: CODE }] },
    }),
  )
  icloud = await emulate(config)
}, 30_000)

afterAll(async () => {
  emulator?.kill('SIGTERM')
  if (emulator && emulator.exitCode === null) await new Promise((r) => emulator!.once('close', r))
  if (root) await rm(root, { recursive: true, force: true })
})

describe.skipIf(Boolean(skip))(
  'icloud-photos-sync 4.0.0 (unmodified) against sigwire emulate --icloud',
  () => {
    it('signs in with a code, syncs every original and edit with equal bytes and the albums, then a second run downloads nothing', {
      timeout: 60_000,
    }, async () => {
      const first = await sync()
      expect(first.code, first.output).toBe(0)
      expect(first.mfaPosted).toBe(true)
      const log = await readFile(join(data, '.icloud-photos-sync.log'), 'utf8')
      expect(log).toContain('Completed sync!')
      // Nothing the emulator answered made it warn (count mismatches, unreadable records, missing parents).
      expect(log.split('\n').filter((l) => / (WARN|ERROR) /.test(l))).toEqual([])

      const synced = await tree(data)
      // Assets land in _All-Photos/, those of the Shared Library (the seed's shared/) in _Shared-Photos/.
      const all = [...synced].filter(([path]) => /^_(All|Shared)-Photos\//.test(path))
      expect(all.filter(([path]) => path.startsWith('_Shared-Photos/')).map(([, f]) => f.sha)).toEqual([
        sha(seeded['shared/IMG_0008.JPG']!),
      ])
      // It syncs each asset's original (`resOriginalRes`) and its edit (`resJPEGFullRes`), not the video
      // of a live photo nor the RAW of a RAW+JPEG pair (helper.ts convertCPLAssets at c6dc1dd, l. 47-77;
      // query-builder.ts QUERY_KEYS asks for neither).
      const expected = [
        'IMG_0001.HEIC',
        'IMG_0002.JPG',
        'IMG_0003.JPG',
        'IMG_E0003.JPG',
        'IMG_0004.PNG',
        'MOV_0005.MOV',
        'Trips/Paris/IMG_0006.JPG',
        'Family/IMG_0007.JPG',
        'shared/IMG_0008.JPG',
      ]
      expect(all.map(([, f]) => f.sha).sort()).toEqual(expected.map((n) => sha(seeded[n]!)).sort())
      const notSynced = ['IMG_0001.MOV', 'IMG_0002.DNG'].map((n) => sha(seeded[n]!))
      expect(all.some(([, f]) => notSynced.includes(f.sha))).toBe(false)
      // Albums are folders (links to hidden UUID folders) of links into _All-Photos, under their folder.
      const albumFile = (prefix: string) =>
        [...synced].filter(([path]) => path.startsWith(prefix)).map(([, f]) => f.sha)
      expect(albumFile('Trips/Paris/')).toEqual([sha(seeded['Trips/Paris/IMG_0006.JPG']!)])
      expect(albumFile('Family/')).toEqual([sha(seeded['Family/IMG_0007.JPG']!)])
      expect((await lstat(join(data, 'Trips'))).isSymbolicLink()).toBe(true)

      const downloads = (entries: Awaited<ReturnType<typeof requestLog>>) =>
        entries.filter((e) => e.method === 'GET' && e.target.startsWith('/photos-content/'))
      const before = await requestLog()
      // The emulator refused nothing but the password step of an untrusted sign-in (409: a code is due).
      expect(before.filter((e) => e.status >= 400).map((e) => `${e.status} ${e.target}`)).toEqual([
        '409 /appleauth/auth/signin/complete?isRememberMeEnabled=true',
      ])
      expect(downloads(before)).toHaveLength(expected.length)
      expect(downloads(before).every((e) => e.status === 200)).toBe(true)
      const last = Math.max(...before.map((e) => e.id))
      const mtimes = new Map(
        await Promise.all(all.map(async ([p]) => [p, (await stat(join(data, p))).mtimeMs] as const)),
      )

      // Second run: the trust token it stored skips the code; the library is complete, nothing is fetched.
      const second = await sync()
      expect(second.code, second.output).toBe(0)
      expect(second.mfaPosted).toBe(false)
      const after = (await requestLog()).filter((e) => e.id > last)
      expect(after.some((e) => e.target.includes('/records/query'))).toBe(true)
      expect(downloads(after)).toEqual([])
      expect(after.filter((e) => e.status >= 400)).toEqual([])
      expect(after.filter((e) => e.target.includes('/verify/'))).toEqual([])
      const again = await tree(data)
      expect(
        [...again].filter(([p]) => /^_(All|Shared)-Photos\//.test(p)).map(([p, f]) => [p, f.sha]),
      ).toEqual(all.map(([p, f]) => [p, f.sha]))
      for (const [p, mtime] of mtimes) expect((await stat(join(data, p))).mtimeMs).toBe(mtime)
    })
  },
)
