import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareLoad } from '../load.js'
import { type ServerInfo, startServers } from '../servers.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio, type Table } from '../table.js'
import { bareAgent, bareText } from './roundtrip-pair.js'

const CONCURRENCY = [1, 16, 64]

interface WriteCase {
  readonly service: string
  readonly operation: string
  readonly spec: (stateDir: string | undefined) => Record<string, Record<string, unknown>>
  /** One write against `info`; `n` makes each one new. */
  readonly write: (info: ServerInfo, n: number) => { url: string; method: 'GET' | 'POST'; body?: Uint8Array }
}

const CASES: readonly WriteCase[] = [
  {
    service: 'CloudKit',
    operation: 'records/modify (one create)',
    spec: (stateDir) => ({ cloudkit: { verify: false, ...(stateDir ? { stateDir } : {}) } }),
    write: (info, n) => ({
      url: `${info.url}/database/1/${info.dev!.container}/development/public/records/modify`,
      method: 'POST',
      body: Buffer.from(
        JSON.stringify({
          operations: [
            {
              operationType: 'create',
              record: { recordType: 'Note', recordName: `r${n}`, fields: { title: { value: `note ${n}` } } },
            },
          ],
        }),
      ),
    }),
  },
  {
    service: 'Safe Creative',
    operation: 'authkey.create',
    spec: (stateDir) => ({ safeCreative: { verify: false, ...(stateDir ? { stateDir } : {}) } }),
    write: (info) => ({
      url: `${info.url}?component=authkey.create&sharedkey=${info.dev!.sharedKey}&ztime=${Date.now()}`,
      method: 'GET',
    }),
  },
]

/**
 * What durability costs: the same writes against an emulator without a state directory (memory only)
 * and one with a state directory (each write fsynced to its journal before the answer, commits that
 * arrive together sharing one fsync). Emulators run in a child process, signature checks off.
 */
export const emulatorWritesSuite: Suite = {
  id: 'emulator-writes',
  title: 'Emulator write throughput with and without a state directory',
  async run({ quick, log }) {
    const rows: string[][] = []
    const raw: unknown[] = []
    for (const c of CASES) {
      const dir = await mkdtemp(join(tmpdir(), 'sigwire-bench-state-'))
      const memory = await startServers(c.spec(undefined))
      const durable = await startServers(c.spec(join(dir, 'state')))
      const agent = bareAgent()
      const key = Object.keys(c.spec(undefined))[0]!
      let n = 0
      const call = (info: ServerInfo) => async () => {
        const w = c.write(info, n++)
        const text = await bareText(agent, w.url, w.method, w.body, { 'content-type': 'application/json' })
        if (text.includes('serverErrorCode') || text.includes('<error>')) throw new Error(text.slice(0, 200))
      }
      try {
        for (const concurrency of CONCURRENCY) {
          log(`bench: ${c.service} ${c.operation} at concurrency ${concurrency}`)
          const result = await compareLoad(
            call(durable.info[key]!),
            call(memory.info[key]!),
            concurrency,
            quick ? 1 : 5,
            quick ? 150 : 1000,
          )
          raw.push({ service: c.service, operation: c.operation, concurrency, ...result })
          rows.push([
            `${c.service} ${c.operation}`,
            String(concurrency),
            formatOps(result.b.requestsPerSec),
            formatOps(result.a.requestsPerSec),
            `${result.a.p50Ms.toFixed(2)} / ${result.a.p99Ms.toFixed(2)}`,
            formatRatio(result.ratio),
          ])
        }
      } finally {
        await agent.close()
        await memory.stop()
        await durable.stop()
        await rm(dir, { recursive: true, force: true })
      }
    }
    const table: Table = {
      title:
        'Emulator writes: memory only vs durable state directory (emulator in another process, verification off)',
      columns: [
        'write',
        'concurrency',
        'memory req/s',
        'durable req/s',
        'durable p50 / p99 ms',
        'durable ÷ memory',
      ],
      rows,
      notes: [
        'Durable: every write is in the fsynced journal before its 2xx (kill -9 loses none); writes that arrive while an fsync runs share the next one (group commit), so the cost per write falls as concurrency rises. A B B A rounds, ratio per round, median.',
      ],
    }
    return { tables: [table], raw }
  },
}
