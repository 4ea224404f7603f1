import { createCloudKitClient } from '@sigwire/cloudkit'
import { Transport } from '@sigwire/core'
import { SafeCreativeClient } from '@sigwire/safe-creative'
import { Agent, request } from 'undici'
import { compareLoad } from '../load.js'
import { startServers } from '../servers.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio, type Table } from '../table.js'
import { LocalDispatcher } from './local-dispatcher.js'

const CONCURRENCY = [1, 16, 128]

/** One service's pair of clients: the sigwire client and bare undici sending the same request. */
interface Pair {
  readonly service: string
  readonly operation: string
  readonly sigwire: () => Promise<unknown>
  readonly bare: () => Promise<unknown>
  readonly target: string
  close(): Promise<void>
}

const agentOptions = { connections: 64, keepAliveTimeout: 30_000 }

async function bareJson(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  body?: Uint8Array,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await request(url, {
    method,
    body: body ? Buffer.from(body) : null,
    headers,
    dispatcher: agent,
  })
  return res.body.text()
}

async function cloudKitPair(url: string, dev: Record<string, string>): Promise<Pair> {
  const transport = new Transport({ proxy: false })
  const client = createCloudKitClient({
    container: dev.container!,
    environment: 'development',
    serverToServer: { keyId: dev.keyId!, privateKey: dev.privateKeyPem! },
    baseUrl: url,
    transport,
  })
  const query = { recordType: 'Note' }
  // Learn the exact path and body the client sends, so bare undici sends the same bytes.
  const capture = new LocalDispatcher({ records: [] })
  const captureTransport = new Transport({ dispatcher: capture })
  await createCloudKitClient({
    container: dev.container!,
    environment: 'development',
    serverToServer: { keyId: dev.keyId!, privateKey: dev.privateKeyPem! },
    transport: captureTransport,
  }).publicDatabase.records.query(query)
  const sent = capture.last!
  const agent = new Agent(agentOptions)
  return {
    service: 'CloudKit',
    operation: 'POST records/query (signed)',
    target: sent.path,
    sigwire: () => client.publicDatabase.records.query(query),
    bare: () => bareJson(agent, url + sent.path, 'POST', sent.body, { 'content-type': 'text/plain' }),
    async close() {
      await client.close()
      await transport.close()
      await agent.close()
    },
  }
}

async function safeCreativePair(url: string, dev: Record<string, string>): Promise<Pair> {
  const client = new SafeCreativeClient({
    apiUrl: url,
    sharedKey: dev.sharedKey!,
    privateKey: dev.privateKey!,
    proxy: false,
  })
  const auth = await client.createAuthkey()
  const user = client.user(auth)
  await user.listWorksPage(1)
  const agent = new Agent(agentOptions)
  // The emulator runs with verification off: bare undici sends the same parameters with a fresh ztime
  // and a signature-shaped value, so the server does the same work for both.
  const signature = 'a'.repeat(40)
  return {
    service: 'Safe Creative',
    operation: 'GET work.list (signed)',
    target: '/v2/?component=work.list&page=1&authkey=…&ztime=…&signature=…',
    sigwire: () => user.listWorksPage(1),
    bare: () =>
      bareJson(
        agent,
        `${url}?authkey=${auth.authkey}&component=work.list&page=1&ztime=${Date.now()}&signature=${signature}`,
        'GET',
      ),
    async close() {
      await client.close()
      await agent.close()
    },
  }
}

/** Signed round trips against the emulators (verification off) vs bare undici with the same requests. */
export const roundTripSuite: Suite = {
  id: 'roundtrip',
  title: 'Round trips against the emulators vs bare undici',
  async run({ quick, log }) {
    const servers = await startServers({
      cloudkit: { verify: false },
      safeCreative: { verify: false, autoApprove: 'MANAGE' },
    })
    const pairs = [
      await cloudKitPair(servers.info.cloudkit!.url, servers.info.cloudkit!.dev!),
      await safeCreativePair(servers.info.safeCreative!.url, servers.info.safeCreative!.dev!),
    ]
    const rows: string[][] = []
    const raw: unknown[] = []
    try {
      for (const pair of pairs) {
        for (const concurrency of CONCURRENCY) {
          log(`bench: ${pair.service} at concurrency ${concurrency}`)
          const result = await compareLoad(
            pair.sigwire,
            pair.bare,
            concurrency,
            quick ? 1 : 3,
            quick ? 150 : 1500,
          )
          raw.push({ service: pair.service, concurrency, ...result })
          rows.push([
            pair.service,
            String(concurrency),
            formatOps(result.a.requestsPerSec),
            `${result.a.p50Ms.toFixed(2)} / ${result.a.p99Ms.toFixed(2)}`,
            formatOps(result.b.requestsPerSec),
            `${result.b.p50Ms.toFixed(2)} / ${result.b.p99Ms.toFixed(2)}`,
            formatRatio(result.ratio),
          ])
        }
      }
    } finally {
      for (const pair of pairs) await pair.close()
      await servers.stop()
    }
    const table: Table = {
      title:
        'Signed round trips vs bare undici (same method, path and body; emulator in another process, verification off)',
      columns: [
        'service',
        'concurrency',
        'sigwire req/s',
        'sigwire p50 / p99 ms',
        'undici req/s',
        'undici p50 / p99 ms',
        'ratio',
      ],
      rows,
      notes: [
        `Requests: ${pairs.map((p) => `${p.service} ${p.operation}`).join('; ')}. sigwire includes signing, the transport (retry policy, timeout, redaction) and decoding the answer; bare undici sends pre-built bytes and reads the text. Targets at concurrency 16: 0.9x for Apple News and Safe Creative, 0.75x for CloudKit. Both sides use 64 keep-alive connections per origin.`,
      ],
    }
    return { tables: [table], raw }
  },
}
