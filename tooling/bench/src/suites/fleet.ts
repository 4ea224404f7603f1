import { createCloudKitClient, createSharedWebAuthTokenStore } from '@sigwire/cloudkit'
import { createMemorySharedState, createRequest, type SharedState, Transport } from '@sigwire/core'
import {
  startAppleNewsEmulator,
  startCloudKitEmulator,
  startICloudEmulator,
  startSafeCreativeEmulator,
} from '@sigwire/emulator'
import { createICloudClient, createSharedSessionStore } from '@sigwire/icloud'
import { createRedisSharedState } from '@sigwire/redis'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { startRedisServer } from '@sigwire/vitest-config/redis'
import type { FleetJob, FleetResult } from '../fleet/job.js'
import { runFleet } from '../fleet/workers.js'
import { percentile } from '../stats.js'
import type { Suite, SuiteContext } from '../suite.js'
import type { Table } from '../table.js'
import type { Target } from '../target.js'

const KEY = Buffer.alloc(32, 11).toString('base64')
const APPLE_ID = 'fleet@example.com'
const PASSWORD = 'correct horse battery staple'
const SC_APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
const SC_AUTH = { authkey: 'benchauthkey0000000000001', privateKey: 'benchprivatekey000000001' }

const failed = (results: readonly FleetResult[]) => results.reduce((n, r) => n + r.errors.length, 0)
const done = (results: readonly FleetResult[]) => results.reduce((n, r) => n + r.ok, 0)
const slowest = (results: readonly FleetResult[]) => Math.max(...results.map((r) => r.ms))
const codes = (results: readonly FleetResult[]) =>
  [...new Set(results.flatMap((r) => r.errors))].join(', ') || 'none'

function exactly(name: string, value: number, goal: number, note?: string): Target {
  return { name, goal: `${goal}`, measured: `${value}`, met: value === goal, ...(note ? { note } : {}) }
}

function atMost(name: string, value: number, goal: number, note?: string): Target {
  return { name, goal: `≤ ${goal}`, measured: `${value}`, met: value <= goal, ...(note ? { note } : {}) }
}

/** The largest number of 429s answered within one throttle window (the smallest Retry-After, 1 s). */
function mostPerWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0; i < sorted.length; i++) {
    let n = 0
    while (i + n < sorted.length && sorted[i + n]! - sorted[i]! < windowMs) n++
    most = Math.max(most, n)
  }
  return most
}

async function admin(
  url: string,
  method: string,
  name: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/_emulator/${name}`, {
    method,
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return (await response.json()) as Record<string, unknown>
}

/** Per-call latencies (ms) of `call`, `count` times in a row. */
async function latencies(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await call()
    out.push(performance.now() - started)
  }
  return out
}

/** p50 and p99 of in-process and Redis subjects measured in alternating blocks. */
async function overhead(
  rounds: number,
  perRound: number,
  make: (shared: SharedState) => Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }>,
  redis: SharedState,
): Promise<{ memory: number[]; redis: number[] }> {
  const memory = await make(createMemorySharedState())
  const shared = await make(redis)
  const out = { memory: [] as number[], redis: [] as number[] }
  await memory.call()
  await shared.call()
  for (let round = 0; round < rounds; round++) {
    out.memory.push(...(await latencies(perRound, memory.call)))
    out.redis.push(...(await latencies(perRound, shared.call)))
  }
  await memory.close()
  await shared.close()
  return out
}

const ms = (value: number) => `${value.toFixed(2)} ms`

async function run(context: SuiteContext) {
  const { quick, log } = context
  const processes = quick ? 3 : 8
  const redis = await startRedisServer()
  const tables: Table[] = []
  const targets: Target[] = []
  const raw: Record<string, unknown> = {}
  const base = { redis: redis.url, key: KEY }
  try {
    // iCloud: every process starts on a session that just expired (web sessions and session tokens).
    const icloudCalls = quick ? 5 : 50
    const icloud = await startICloudEmulator({
      accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: false }],
    })
    try {
      const shared = createRedisSharedState({ url: redis.url, key: KEY })
      const first = createICloudClient({
        appleId: APPLE_ID,
        password: PASSWORD,
        store: createSharedSessionStore(shared, APPLE_ID),
        endpoints: { authUrl: icloud.authUrl, setupUrl: icloud.setupUrl },
        allowHosts: ['127.0.0.1'],
        allowInsecureLoopback: true,
        transport: { proxy: false },
      })
      await first.login()
      await first.close()
      await shared.close()
      log(`fleet: iCloud, ${processes} processes x ${icloudCalls} calls from an expired session`)
      const job: FleetJob = {
        ...base,
        service: 'icloud',
        calls: icloudCalls,
        concurrency: 4,
        appleId: APPLE_ID,
        password: PASSWORD,
        authUrl: icloud.authUrl,
        setupUrl: icloud.setupUrl,
      }
      const results = await runFleet(Array(processes).fill(job), async () => {
        await admin(icloud.url, 'DELETE', 'stats')
        await admin(icloud.url, 'POST', 'expire-sessions', { sessionTokens: true })
      })
      const stats = icloud.stats.snapshot()
      raw.icloud = { results, stats }
      tables.push({
        title: `Fleet: iCloud, ${processes} processes x ${icloudCalls} storage calls starting on an expired session`,
        columns: ['calls', 'failed', 'sign-ins (SRP)', 'accountLogin', 'slowest process'],
        rows: [
          [
            `${done(results)}`,
            `${failed(results)}`,
            `${stats.signIns}`,
            `${stats.accountLogins}`,
            ms(slowest(results)),
          ],
        ],
        notes: [
          `Errors: ${codes(results)}. The emulator's web sessions and session tokens were expired after every process had signed in, so renewing needs a full SRP sign-in; one process does it under the account's lease, the others wait and reuse its session.`,
        ],
      })
      targets.push(
        exactly(
          'Fleet: iCloud sign-ins, 8 processes starting on an expired session',
          Number(stats.signIns),
          1,
        ),
      )
      targets.push(exactly('Fleet: iCloud failed calls', failed(results), 0))
    } finally {
      await icloud.close()
    }

    // Safe Creative: every process registers works on the same authkey.
    const registrations = quick ? 10 : 250
    const sc = await startSafeCreativeEmulator({ apps: [SC_APP], authkeys: [SC_AUTH] })
    try {
      log(`fleet: Safe Creative, ${processes} processes x ${registrations} work.register on one authkey`)
      const job: FleetJob = {
        ...base,
        service: 'safe-creative',
        calls: registrations,
        concurrency: 2,
        ...SC_APP,
        baseUrl: sc.apiUrl,
        authkey: SC_AUTH.authkey,
        authPrivateKey: SC_AUTH.privateKey,
      }
      const results = await runFleet(Array(processes).fill(job))
      const stats = sc.stats.snapshot()
      raw.safeCreative = { results, stats }
      const seconds = slowest(results) / 1000
      tables.push({
        title: `Fleet: Safe Creative, ${processes} processes x ${registrations} work.register on one authkey`,
        columns: ['registered', 'failed', 'nonce rejections', 'registrations/s (fleet)'],
        rows: [
          [
            `${done(results)}`,
            `${failed(results)}`,
            `${stats.nonceRejections}`,
            (done(results) / seconds).toFixed(0),
          ],
        ],
        notes: [
          `Errors: ${codes(results)}. The nonce step (authkey.state, then work.register) runs one at a time per authkey across the fleet, so the fleet registers at the pace of one round trip pair.`,
        ],
      })
      targets.push(
        exactly(
          'Fleet: Safe Creative nonce rejections, 8 x 250 register on one authkey',
          Number(stats.nonceRejections),
          0,
        ),
      )
    } finally {
      await sc.close()
    }

    // Apple News: a channel whose quota is 10 writes per second: each process alone, the shared gate
    // with pauses only, and the shared gate with a rate at the channel's quota.
    const articles = quick ? 4 : 12
    const QUOTA = 10
    const variants: ReadonlyArray<{ key: string; title: string; gate: FleetJob['gate'] }> = [
      { key: 'appleNewsNoGate', title: 'without a gate (each process backs off alone)', gate: false },
      { key: 'appleNewsPauseOnly', title: 'with the shared gate, pauses only (no rate)', gate: true },
      {
        key: 'appleNewsGate',
        // The section's title from before the pause-only row existed, so an --only run replaces it.
        title: 'with the shared gate',
        gate: { ratePerSecond: QUOTA },
      },
    ]
    for (const variant of variants) {
      const news = await startAppleNewsEmulator({ quota: QUOTA, quotaWindowMs: 1000 })
      try {
        log(`fleet: Apple News, ${processes} processes x ${articles} articles, ${variant.title}`)
        const dev = news.dev!
        const job: FleetJob = {
          ...base,
          service: 'apple-news',
          calls: articles,
          concurrency: 2,
          channelId: dev.channelId,
          keyId: dev.keyId,
          secret: dev.secret,
          baseUrl: news.url,
          gate: variant.gate,
        }
        const throttledAt: number[] = []
        news.log.subscribe((entry) => {
          if (entry.status === 429) throttledAt.push(Date.parse(entry.at))
        })
        const results = await runFleet(Array(processes).fill(job))
        const most = mostPerWindow(throttledAt, 1000)
        raw[variant.key] = { results, throttled: throttledAt.length, most }
        tables.push({
          title: `Fleet: Apple News, ${processes} processes x ${articles} articles to one channel (quota ${QUOTA} per second), ${variant.title}`,
          columns: [
            'published',
            'failed',
            '429 answers',
            'most 429s in one throttle window',
            'slowest process',
          ],
          rows: [
            [
              `${done(results)}`,
              `${failed(results)}`,
              `${throttledAt.length}`,
              `${most}`,
              ms(slowest(results)),
            ],
          ],
          notes: [
            `Errors: ${codes(results)}. A throttle window is the 1 s the 429's Retry-After asks for (the emulator's smallest); a failed publish was still refused after the client's retries.${variant.gate === false || variant.gate === true ? '' : ` The gate's rate is the channel's quota, ${QUOTA} a second (burst 1).`}`,
          ],
        })
        if (variant.key === 'appleNewsGate')
          targets.push(
            atMost('Fleet: Apple News 429s answered per throttle window, 8 processes, shared gate', most, 1),
            // A run where nothing was published says nothing about the gate.
            atMost('Fleet: Apple News failed publishes, 8 processes, shared gate', failed(results), 0),
          )
      } finally {
        await news.close()
      }
    }

    // Overhead of the Redis stores per call, against the in-process ones (one client, calls in a row).
    const rounds = quick ? 1 : 5
    const perRound = quick ? 10 : 60
    const shared = createRedisSharedState({ url: redis.url, key: KEY })
    const ck = await startCloudKitEmulator({ webAuthTokenReuse: 'allow-until-expiry' })
    const sc2 = await startSafeCreativeEmulator({ apps: [SC_APP], authkeys: [SC_AUTH] })
    const an = await startAppleNewsEmulator()
    try {
      const rows: string[][] = []
      const add = (name: string, result: { memory: number[]; redis: number[] }) => {
        const m50 = percentile(result.memory, 50)
        const r50 = percentile(result.redis, 50)
        const m99 = percentile(result.memory, 99)
        const r99 = percentile(result.redis, 99)
        rows.push([name, ms(m50), ms(r50), ms(r50 - m50), ms(m99), ms(r99), ms(r99 - m99)])
        raw[`overhead ${name}`] = { memory: [m50, m99], redis: [r50, r99] }
      }
      log('fleet: overhead of the Redis stores per call')
      const dev = ck.dev!
      let user = 0
      add(
        'CloudKit user call (token store: lease, read, rotate)',
        await overhead(
          rounds,
          perRound,
          async (state) => {
            const store = createSharedWebAuthTokenStore(state, {
              container: dev.container,
              environment: 'development',
              user: `u${user++}`,
            })
            await store.save(ck.issueWebAuthToken())
            const client = createCloudKitClient({
              container: dev.container,
              environment: 'development',
              apiToken: dev.apiToken,
              webAuthTokenStore: store,
              baseUrl: ck.url,
              transport: { proxy: false },
            })
            return { call: () => client.privateDatabase.zones.list(), close: () => client.close() }
          },
          shared,
        ),
      )
      add(
        'Safe Creative work.register (nonce lease, claim, ledger)',
        await overhead(
          rounds,
          perRound,
          async (state) => {
            const client = createSafeCreativeClient({
              ...SC_APP,
              baseUrl: sc2.apiUrl,
              shared: state,
              transport: { proxy: false },
            })
            const u = client.user(SC_AUTH)
            let n = 0
            return { call: () => u.registerText(`t${n}`, { title: `o${n++}` }), close: () => client.close() }
          },
          shared,
        ),
      )
      add(
        'Apple News GET channel (gate: one admit)',
        await overhead(
          rounds,
          perRound,
          async (state) => {
            const transport = new Transport({
              proxy: false,
              gate: state.gate('apple-news:overhead', { ratePerSecond: 1e6, burst: 1e6 }),
            })
            const url = `${an.url}/channels/${an.dev!.channelId}/quota`
            return {
              call: () => transport.send(createRequest({ method: 'GET', url })),
              close: () => transport.close(),
            }
          },
          shared,
        ),
      )
      tables.push({
        title: 'Fleet: overhead of the Redis stores per call, against the in-process stores (loopback Redis)',
        columns: [
          'call',
          'p50 in-process',
          'p50 Redis',
          'p50 added',
          'p99 in-process',
          'p99 Redis',
          'p99 added',
        ],
        rows,
        notes: [
          `${rounds * perRound} calls of each, in a row, in alternating blocks of ${perRound}. The Apple News row measures the gate alone: its calls are unauthenticated reads of /quota that the emulator answers 401, the same for both subjects.`,
        ],
      })
    } finally {
      await shared.close()
      await ck.close()
      await sc2.close()
      await an.close()
    }
  } finally {
    await redis.stop()
  }
  return { tables, targets, raw }
}

/** `fleet`: many processes, one account, shared state on a real Redis (issue 19). */
export const fleetSuite: Suite = {
  id: 'fleet',
  title: 'fleet: processes sharing one account through Redis',
  run,
  ownSection: true,
}
