import { compareLoad, type LoadResult } from '../load.js'
import { type ServerInfo, startServers } from '../servers.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio, type Table } from '../table.js'
import { atLeast, type Target } from '../target.js'
import {
  APPLE_NEWS_ROUNDTRIP_EMULATOR,
  appleNewsCreatePair,
  appleNewsReadPair,
} from './roundtrip-apple-news.js'
import { cloudKitPair } from './roundtrip-cloudkit.js'
import type { Pair } from './roundtrip-pair.js'
import { safeCreativePair } from './roundtrip-safe-creative.js'

const CONCURRENCY = [1, 16, 128]
const TARGET_CONCURRENCY = 16

/**
 * Why a round-trip target at concurrency 16 is missed, from this run's figures: the time per request of
 * each side, what the goal leaves for sigwire's extra work, and what one signature costs alone.
 */
function missed(pair: Pair, result: { a: LoadResult; b: LoadResult }): string {
  const ours = 1e6 / result.a.requestsPerSec
  const bare = 1e6 / result.b.requestsPerSec
  const allowed = bare / pair.target - bare
  let signature = ''
  if (pair.sign) {
    const n = 2000
    for (let i = 0; i < 200; i++) pair.sign()
    const started = performance.now()
    for (let i = 0; i < n; i++) pair.sign()
    const micros = ((performance.now() - started) * 1000) / n
    signature = ` One signature (which bare undici sends pre-computed) took ${micros.toFixed(1)} µs on its own${micros > allowed ? ', more than the goal leaves for all of the extra work' : ''}.`
  }
  return `In this run, at c=16, sigwire finished a request every ${ours.toFixed(1)} µs and bare undici every ${bare.toFixed(1)} µs: ${(ours - bare).toFixed(1)} µs more per request, where the goal leaves ${allowed.toFixed(1)} µs.${signature} The client and the emulator share the two cores, so each microsecond of client CPU per request is taken from the server. sigwire's extra: ${pair.profile}. The harness runs A B B A rounds, so drift does not bias the ratio (an A/A run reads 0.85-1.13x).`
}

/** Pairs that run against one set of emulators. */
interface PairGroup {
  readonly spec: Record<string, Record<string, unknown>>
  pairs(info: Record<string, ServerInfo>): Promise<Pair[]>
  /**
   * Start fresh emulators for each concurrency level: creating articles grows the emulator's state
   * (tens of thousands of articles per run), and its GC pauses would otherwise grow level by level.
   */
  readonly freshPerLevel?: boolean
}

const GROUPS: readonly PairGroup[] = [
  {
    spec: {
      cloudkit: { verify: false },
      safeCreative: { verify: false, autoApprove: 'MANAGE' },
      appleNews: APPLE_NEWS_ROUNDTRIP_EMULATOR,
    },
    pairs: async (info) => [
      await cloudKitPair(info.cloudkit!),
      await safeCreativePair(info.safeCreative!),
      await appleNewsReadPair(info.appleNews!),
    ],
  },
  {
    spec: { appleNews: APPLE_NEWS_ROUNDTRIP_EMULATOR },
    pairs: async (info) => [await appleNewsCreatePair(info.appleNews!)],
    freshPerLevel: true,
  },
]

/** Signed round trips against the emulators (verification off) vs bare undici with the same requests. */
export const roundTripSuite: Suite = {
  id: 'roundtrip',
  title: 'Round trips against the emulators vs bare undici',
  async run({ quick, log }) {
    const rows: string[][] = []
    const targets: Target[] = []
    const raw: unknown[] = []
    for (const group of GROUPS) {
      for (const levels of group.freshPerLevel ? CONCURRENCY.map((c) => [c]) : [CONCURRENCY]) {
        const servers = await startServers(group.spec)
        const pairs: Pair[] = []
        try {
          pairs.push(...(await group.pairs(servers.info)))
          for (const pair of pairs) {
            for (const concurrency of levels) {
              log(`bench: ${pair.service} ${pair.operation} at concurrency ${concurrency}`)
              const result = await compareLoad(
                pair.sigwire,
                pair.bare,
                concurrency,
                quick ? 1 : 5,
                quick ? 150 : 1000,
              )
              raw.push({ service: pair.service, operation: pair.operation, concurrency, ...result })
              rows.push([
                `${pair.service} ${pair.operation}`,
                String(concurrency),
                formatOps(result.a.requestsPerSec),
                `${result.a.p50Ms.toFixed(2)} / ${result.a.p99Ms.toFixed(2)}`,
                formatOps(result.b.requestsPerSec),
                `${result.b.p50Ms.toFixed(2)} / ${result.b.p99Ms.toFixed(2)}`,
                formatRatio(result.ratio),
              ])
              if (concurrency === TARGET_CONCURRENCY)
                targets.push(
                  atLeast(
                    `Round trip vs bare undici at c=16: ${pair.service} ${pair.operation}`,
                    result.ratio,
                    pair.target,
                    result.ratio < pair.target ? missed(pair, result) : undefined,
                  ),
                )
            }
          }
        } finally {
          for (const pair of pairs) await pair.close()
          await servers.stop()
        }
      }
    }
    const table: Table = {
      title:
        'Signed round trips vs bare undici (same method, path and body; emulator in another process, verification off)',
      columns: [
        'request',
        'concurrency',
        'sigwire req/s',
        'sigwire p50 / p99 ms',
        'undici req/s',
        'undici p50 / p99 ms',
        'ratio',
      ],
      rows,
      notes: [
        'Article creates run against a fresh emulator for each concurrency level (they grow its state). sigwire includes signing, the transport (retry policy, timeout, redaction) and decoding the answer; bare undici sends pre-built bytes (with signature-shaped values where the protocol has them) and reads the text. Targets at concurrency 16: 0.9x for Apple News, 0.85x for Safe Creative, 0.75x for CloudKit. Both sides use 64 keep-alive connections per origin.',
      ],
    }
    return { tables: [table], targets, raw }
  },
}
