import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServers } from '../servers.js'
import type { Suite } from '../suite.js'
import type { Table } from '../table.js'
import { below, type Target } from '../target.js'
import { MiB, writeBigFile } from './big-file.js'
import { CASES } from './case-list.js'
import { type ChildResult, runChild } from './run-child.js'

const TARGET_MIB = 128
const FULL_BYTES = 1024 * MiB
const QUICK_BYTES = 32 * MiB

const size = (bytes: number) => (bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`)

/** The emulators of the memory cases, with their size limits raised above the body size. */
function serverSpec(bytes: number, dir: string): Record<string, Record<string, unknown>> {
  const big = bytes + 16 * MiB
  return {
    appleNews: {
      tls: true,
      publicOrigin: 'https://127.0.0.1',
      detectDuplicates: false,
      maxPreviewArticles: 1e9,
      partLimits: { body: big, bundle: big, image: big, font: big, attachment: big },
    },
    cloudkit: { maxAssetBytes: big },
    safeCreative: { autoApprove: 'ADD' },
    files: { dir },
  }
}

/**
 * Peak RSS while signing and sending a large file body, each case in its own child process with the
 * emulators in another, so only the client's memory is counted. 1 GiB in a full run, 32 MiB with --quick.
 */
export const memorySuite: Suite = {
  id: 'memory',
  title: 'Memory: signing and sending a large file body',
  async run({ quick, log }) {
    const bytes = quick ? QUICK_BYTES : FULL_BYTES
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-bench-memory-'))
    const rows: string[][] = []
    const targets: Target[] = []
    const raw: Record<string, ChildResult & { bytes: number }> = {}
    try {
      log(`bench: writing a ${size(bytes)} file`)
      const files = new Map<number, string>()
      const fileOf = async (length: number) => {
        let path = files.get(length)
        if (path === undefined) {
          path = join(dir, `photo-${length}.jpg`)
          await writeBigFile(path, length)
          files.set(length, path)
        }
        return path
      }
      const servers = await startServers(serverSpec(bytes, dir))
      try {
        for (const info of CASES) {
          const length = Math.min(bytes, info.maxBytes ?? bytes)
          log(`bench: memory, ${info.title} (${size(length)})`)
          const result = await runChild(info.module, {
            servers: servers.info,
            file: await fileOf(length),
            bytes: length,
          })
          raw[info.id] = { ...result, bytes: length }
          rows.push([
            info.title,
            info.subject === 'sigwire' ? 'sigwire' : 'peer (buffers)',
            size(length),
            `${result.baselineMiB.toFixed(0)} MiB`,
            `${result.peakMiB.toFixed(0)} MiB`,
            `${(result.peakMiB - result.baselineMiB).toFixed(0)} MiB`,
            `${result.seconds.toFixed(1)} s`,
          ])
          if (info.subject === 'sigwire')
            targets.push(
              below(`Peak RSS, ${size(length)} body: ${info.title}`, result.peakMiB, TARGET_MIB, info.note),
            )
        }
      } finally {
        await servers.stop()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const table: Table = {
      title: `Peak RSS while signing and sending a ${size(bytes)} file body (client process only)`,
      columns: ['case', 'subject', 'body', 'baseline RSS', 'peak RSS', 'peak − baseline', 'time'],
      rows,
      notes: [
        `Target: peak RSS under ${TARGET_MIB} MiB for sigwire. Each case runs in a fresh Node.js process; the emulators (verifying, with their size limits raised) and a file server run in another. Baseline: RSS after imports and building the client, before sending; peak: the process's maximum RSS (\`process.resourceUsage().maxRSS\`, VmHWM). The file is written from one random MiB repeated, so it has real blocks and starts with a JPEG signature. sigwire hashes a file body in one pass and streams it in a second. CloudKit's client refuses assets over 50 MiB (Apple's limit), so the larger body goes through the signed \`assets/upload\` call and then the same transport call \`assets.uploadBytes\` makes. The apple-news npm package takes bundle files only as URLs; it downloads the file into memory, builds the multipart body in memory and concatenates it with the signed head.`,
      ],
    }
    return { tables: [table], targets, raw }
  },
}
