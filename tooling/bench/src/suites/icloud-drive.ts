import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { discardLater, settleDisk } from '../disk.js'
import type { DriveChildInput } from '../drive-child.js'
import { MiB, writeBigFile } from '../memory/big-file.js'
import { startServers } from '../servers.js'
import { median } from '../stats.js'
import type { Suite } from '../suite.js'
import { formatRatio, type Table } from '../table.js'
import { atLeast, below, type Target } from '../target.js'

const here = dirname(fileURLToPath(import.meta.url))
const CLI = resolve(here, '../../../../packages/cli/dist/bin.js')
const CLI_MAIN = resolve(here, '../../../../packages/cli/dist/main.js')
const TREE_CHILD = resolve(here, '../tree-child.js')
const CHILD = resolve(here, '../drive-child.js')
const PYICLOUD_TREE = resolve(here, '../../peers/pyicloud_tree.py')

/** What a missed download row means (one 1 GiB transfer per subject and round). */
const DOWNLOAD_NOTE =
  'Both subjects fetch the same signed content URL from the emulator process, three rounds in alternating order, and the ratio is the median of the rounds. With the same Drive code the byte-counter row was 1.09x and 1.19x in the full runs committed in 2314d8f and 615738b, and 0.81x in the next, in which every timed subject ran slower (bare undici 379-442 MiB/s against 476-519, sigwire 314-365 against 567-648; results/latest.json, icloud-drive.download): the row follows the machine more than the code.'
const PYTHON = '/usr/bin/python3'
const APPLE_ID = 'bench@example.com'
const PASSWORD = 'bench drive password'
const TARGET_MIB = 128

interface ChildResult {
  readonly seconds: number
  readonly bytes: number
  readonly baselineMiB: number
  readonly peakMiB: number
}

/** Runs one command and resolves with its stdout; rejects on a non-zero exit. */
function run(command: string, args: readonly string[]): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now()
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000
      if (code === 0) resolvePromise({ stdout, seconds })
      else reject(new Error(`${command} ${args[0]} exited ${code}: ${stderr.slice(-400)}`))
    })
  })
}

async function transfer(input: DriveChildInput): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [CHILD, JSON.stringify(input)])
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult
}

/** Writes `count` files of 4 to 64 KiB into `folders` subfolders of `dir`. */
async function writeTree(dir: string, count: number, folders: number): Promise<number> {
  let bytes = 0
  for (let f = 0; f < folders; f++) {
    const sub = join(dir, `part-${String(f).padStart(2, '0')}`)
    await mkdir(sub, { recursive: true })
    for (let i = f; i < count; i += folders) {
      const size = 4096 + Math.floor(Math.random() * (60 * 1024 + 1))
      await writeFile(join(sub, `file-${String(i).padStart(4, '0')}.bin`), randomBytes(size))
      bytes += size
    }
  }
  return bytes
}

function pyicloudInstalled(): boolean {
  return spawnSync(PYTHON, ['-c', 'import pyicloud.services.drive'], { stdio: 'ignore' }).status === 0
}

const size = (bytes: number) =>
  bytes >= 1024 * MiB ? `${+(bytes / 1024 / MiB).toFixed(1)} GiB` : `${+(bytes / MiB).toFixed(1)} MiB`
const throughput = (r: ChildResult) => r.bytes / MiB / r.seconds

/**
 * iCloud Drive against the iCloud emulator in another process, on loopback: a large download with
 * sigwire and with bare undici fetching the same signed URL (and peak RSS), a large upload (peak
 * RSS), and `sigwire icloud drive get --recursive` of a tree of small files against pyicloud 1.0.0
 * downloading the same tree, then the same command again with everything unchanged.
 */
export const iCloudDriveSuite: Suite = {
  id: 'icloud-drive',
  title: 'iCloud Drive: downloads, uploads and a tree of small files',
  async run({ quick, log }) {
    const bigBytes = quick ? 32 * MiB : 1024 * MiB
    const uploadBytes = quick ? 32 * MiB : 256 * MiB
    const treeFiles = quick ? 200 : 2000
    const rounds = quick ? 1 : 3
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-bench-drive-'))
    const rows: string[][] = []
    const targets: Target[] = []
    const raw: Record<string, unknown> = {}
    try {
      log(`bench: drive, writing a ${size(bigBytes)} file and ${treeFiles} small files`)
      const seed = join(dir, 'seed')
      await mkdir(join(seed, 'Big'), { recursive: true })
      await mkdir(join(seed, 'Uploads'))
      await writeBigFile(join(seed, 'Big', 'big.bin'), bigBytes)
      const treeBytes = await writeTree(join(seed, 'Bench'), treeFiles, 10)
      const upload = join(dir, 'upload.bin')
      await writeBigFile(upload, uploadBytes)
      const servers = await startServers({
        icloud: {
          legacyAuth: true,
          accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: false }],
          drive: { seedDir: seed },
        },
      })
      try {
        const { authUrl, setupUrl } = servers.info.icloud!.dev as { authUrl: string; setupUrl: string }
        const base = { authUrl, setupUrl, appleId: APPLE_ID, password: PASSWORD }

        // A large download: sigwire and bare undici, to a file and to a byte counter, in A B B A order.
        const file = join(dir, 'download.bin')
        const pairs = { file: [] as number[], stream: [] as number[] }
        const results: Record<string, ChildResult[]> = {}
        const one = async (op: DriveChildInput['op']) => {
          settleDisk()
          const result = await transfer({ ...base, op, drivePath: '/Big/big.bin', file })
          const list = results[op] ?? []
          list.push(result)
          results[op] = list
          await rm(file, { force: true })
          return result
        }
        for (let round = 0; round < rounds; round++) {
          for (const kind of ['file', 'stream'] as const) {
            log(`bench: drive, ${size(bigBytes)} download to a ${kind}, round ${round + 1}`)
            const first = round % 2 === 0
            const a = await one(first ? `undici-${kind}` : `sigwire-${kind}`)
            const b = await one(first ? `sigwire-${kind}` : `undici-${kind}`)
            const [sigwire, undici] = first ? [b, a] : [a, b]
            pairs[kind].push(throughput(sigwire) / throughput(undici))
          }
        }
        raw.download = results
        for (const kind of ['file', 'stream'] as const) {
          const ratio = median(pairs[kind])
          const where = kind === 'file' ? 'to a file (fsynced, renamed)' : 'streamed to a byte counter'
          for (const who of ['undici', 'sigwire'] as const) {
            const list = results[`${who}-${kind}`]!
            rows.push([
              `${size(bigBytes)} download ${where}`,
              who === 'undici'
                ? 'bare undici request()'
                : `sigwire drive.${kind === 'file' ? 'downloadToFile' : 'download'}`,
              `${median(list.map(throughput)).toFixed(0)} MiB/s`,
              `${Math.max(...list.map((r) => r.peakMiB)).toFixed(0)} MiB`,
              who === 'undici' ? '1.00x' : formatRatio(ratio),
            ])
          }
          targets.push(
            atLeast(
              `Drive ${size(bigBytes)} download ${where}: sigwire vs bare undici`,
              ratio,
              0.9,
              DOWNLOAD_NOTE,
            ),
          )
        }
        const peakDownload = Math.max(...results['sigwire-file']!.map((r) => r.peakMiB))
        targets.push(below(`Drive ${size(bigBytes)} download to a file: peak RSS`, peakDownload, TARGET_MIB))

        log(`bench: drive, ${size(uploadBytes)} upload`)
        const uploaded = await transfer({
          ...base,
          op: 'sigwire-upload',
          drivePath: '/Uploads',
          file: upload,
        })
        raw.upload = uploaded
        rows.push([
          `${size(uploadBytes)} upload (multipart, streamed from the file)`,
          'sigwire drive.upload',
          `${throughput(uploaded).toFixed(0)} MiB/s`,
          `${uploaded.peakMiB.toFixed(0)} MiB`,
          '',
        ])
        targets.push(below(`Drive ${size(uploadBytes)} upload: peak RSS`, uploaded.peakMiB, TARGET_MIB))

        // The tree: the CLI (a whole process: start, session, listing, downloads) against pyicloud.
        const sessions = join(dir, 'sessions')
        const passwordFile = join(dir, 'password')
        await writeFile(passwordFile, PASSWORD)
        await run(process.execPath, [
          CLI,
          'icloud',
          'login',
          '--apple-id',
          APPLE_ID,
          '--auth-url',
          authUrl,
          '--setup-url',
          setupUrl,
          '--session-dir',
          sessions,
          '--password-file',
          passwordFile,
        ])
        const peer = pyicloudInstalled()
        const tree = { sigwire: [] as number[], again: [] as number[], pyicloud: [] as number[] }
        for (let round = 0; round < rounds; round++) {
          const out = join(dir, `tree-${round}`)
          log(`bench: drive, get --recursive of ${treeFiles} files, round ${round + 1}`)
          const get = [
            'icloud',
            'drive',
            'get',
            '/Bench',
            '--recursive',
            '--out',
            out,
            '--session-dir',
            sessions,
            '--json',
          ]
          // Which goes first alternates by round, and the ratio is taken per round (then the median).
          const runSigwire = async () => {
            settleDisk()
            const { stdout } = await run(process.execPath, [
              TREE_CHILD,
              JSON.stringify({ cli: CLI_MAIN, argv: get }),
            ])
            const [first, again] = JSON.parse(stdout.trim().split('\n').at(-1)!) as Array<{
              seconds: number
              report: { downloaded: number; skipped: number }
            }>
            if (first!.report.downloaded !== treeFiles)
              throw new Error(`get --recursive downloaded ${first!.report.downloaded} files`)
            if (again!.report.skipped !== treeFiles)
              throw new Error('the second get --recursive did not skip every file')
            tree.sigwire.push(first!.seconds)
            tree.again.push(again!.seconds)
          }
          const runPeer = async () => {
            if (peer) {
              settleDisk()
              const py = await run(PYTHON, [
                PYICLOUD_TREE,
                JSON.stringify({
                  ...base,
                  cookieDir: join(dir, 'pycookies'),
                  folder: 'Bench',
                  out: join(dir, `py-${round}`),
                }),
              ])
              const result = JSON.parse(py.stdout.trim().split('\n').at(-1)!) as {
                seconds: number
                files: number
              }
              if (result.files !== treeFiles) throw new Error(`pyicloud downloaded ${result.files} files`)
              tree.pyicloud.push(result.seconds)
            }
          }
          if (round % 2 === 0) {
            await runSigwire()
            await runPeer()
          } else {
            await runPeer()
            await runSigwire()
          }
          // Both trees stay until the whole run ends (see discardLater): removing 4,000 files slowed the
          // file creation of the next round.
        }
        raw.tree = { files: treeFiles, bytes: treeBytes, ...tree }
        const sigwireTree = median(tree.sigwire)
        const again = median(tree.again)
        const label = `${treeFiles} files of 4-64 KiB (${size(treeBytes)})`
        if (peer) {
          const pyicloud = median(tree.pyicloud)
          const ratio = median(tree.sigwire.map((seconds, round) => tree.pyicloud[round]! / seconds))
          rows.push([
            `${label}, tree download`,
            'pyicloud 1.0.0, node.open(stream=True), one by one',
            `${pyicloud.toFixed(2)} s`,
            '',
            '1.00x',
          ])
          rows.push([
            `${label}, tree download`,
            'sigwire icloud drive get --recursive',
            `${sigwireTree.toFixed(2)} s`,
            '',
            formatRatio(ratio),
          ])
          targets.push(
            atLeast(
              `Drive tree of ${treeFiles} small files: get --recursive vs pyicloud`,
              ratio,
              5,
              "Each file is two requests (download/by_id, then the content URL) and one new file, renamed into place with its mtime set, like pyicloud's two requests and one file, but 8 at a time: the client, the emulator and the kernel's file work then share the machine's 2 cores, which are busy for the whole run (in three development runs the client took about 1.9 s of CPU and the emulator 0.75-1.3 s for 1.4-1.75 s of downloads), so the ratio is bounded by the emulator's cost per request as much as by the client's. With `--fsync` (each file fsynced before its rename, the default until this run) the same tree took a fifth to a quarter longer.",
            ),
          )
        } else {
          rows.push([
            `${label}, tree download`,
            'sigwire icloud drive get --recursive',
            `${sigwireTree.toFixed(2)} s`,
            '',
            'pyicloud not installed (apt-get install -y python3-pyicloud)',
          ])
        }
        rows.push([
          `${label}, again, all unchanged`,
          'sigwire icloud drive get --recursive',
          `${again.toFixed(2)} s`,
          '',
          `${((again / sigwireTree) * 100).toFixed(1)}% of the first run`,
        ])
        const share = (again / sigwireTree) * 100
        targets.push({
          name: `Drive tree of ${treeFiles} small files: a re-run with everything unchanged, vs the first run`,
          goal: '< 10%',
          measured: `${share.toFixed(1)}%`,
          met: share < 10,
        })
      } finally {
        await servers.stop()
      }
    } finally {
      discardLater(dir)
    }
    const table: Table = {
      title: 'iCloud Drive against the iCloud emulator (another process, loopback)',
      columns: ['case', 'subject', 'throughput or time', 'peak RSS', 'ratio'],
      rows,
      notes: [
        'Downloads: each transfer runs in a fresh Node.js process (signed in first, not timed) against one emulator process that serves the file from disk with Range support; sigwire and bare undici `request()` fetch the same signed content URL (`drive.contentUrl`), alternating which goes first, and the ratio is the median of per-round throughput ratios. "To a file" writes a temporary file, fsyncs and renames it in both cases. Peak RSS is the process maximum (VmHWM). The upload streams the file as multipart/form-data (`upload/web`, the bytes, `update/documents`). The tree: `sigwire icloud drive get /Bench --recursive` (the CLI `main` function, in a process that imported it first: session check, listing, 8 downloads at a time, each to a temporary file renamed into place with its mtime set, without `--fsync`; every directory is removed only when the whole benchmark run ends and the disk is synced before each timed run, see tooling/bench/src/disk.ts) against pyicloud 1.0.0 (Debian python3-pyicloud) timed from after its import and sign-in, walking `get_children()` and copying `node.open(stream=True)` responses one after another as its README shows; the re-run finds every file with the same size and mtime and fetches nothing.',
      ],
    }
    return { tables: [table], targets, raw }
  },
}
