// One process of the `fleet` benchmark: set up (sign in, connect), print `ready`, wait for `go` on
// stdin, run the job's calls with a small pool, print one JSON line: successes, error codes, elapsed ms.
import { createInterface } from 'node:readline'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { createICloudClient, createSharedSessionStore } from '@sigwire/icloud'
import { createRedisSharedState } from '@sigwire/redis'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import type { FleetJob, FleetResult } from './job.js'

const job = JSON.parse(process.argv[2]!) as FleetJob
const shared = createRedisSharedState({ url: job.redis, key: job.key, reconnectForMs: 10_000 })
const lines = createInterface({ input: process.stdin })
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()))

async function pool(call: (i: number) => Promise<unknown>): Promise<FleetResult> {
  const errors: string[] = []
  let next = 0
  let ok = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.calls) {
        const i = next++
        try {
          await call(i)
          ok++
        } catch (error) {
          errors.push((error as { code?: string }).code ?? (error as Error).name)
        }
      }
    }),
  )
  return { ok, errors, ms: performance.now() - started }
}

let run: (i: number) => Promise<unknown>
let close: () => Promise<void>
if (job.service === 'icloud') {
  const client = createICloudClient({
    appleId: job.appleId!,
    password: job.password!,
    store: createSharedSessionStore(shared, job.appleId!),
    endpoints: { authUrl: job.authUrl!, setupUrl: job.setupUrl! },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
    transport: { proxy: false },
  })
  await client.login()
  run = () => client.storage.usage()
  close = () => client.close()
} else if (job.service === 'safe-creative') {
  const client = createSafeCreativeClient({
    sharedKey: job.sharedKey!,
    privateKey: job.privateKey!,
    baseUrl: job.baseUrl!,
    shared,
    transport: { proxy: false },
  })
  const user = client.user({ authkey: job.authkey!, privateKey: job.authPrivateKey! })
  run = (i) => user.registerText(`work ${process.pid} ${i}`, { title: `${process.pid}-${i}` })
  close = () => client.close()
} else {
  const client = createAppleNewsClient({
    channelId: job.channelId!,
    keyId: job.keyId!,
    secret: job.secret!,
    baseUrl: job.baseUrl!,
    transport: {
      proxy: false,
      ...(job.gate
        ? { gate: shared.gate(`apple-news:${job.keyId}`, job.gate === true ? {} : job.gate) }
        : {}),
    },
  })
  run = (i) =>
    client.articles.create({
      article: {
        version: '1.7',
        identifier: `a${i}`,
        language: 'en',
        title: `${process.pid} ${i}`,
        layout: { columns: 7, width: 1024 },
        components: [{ role: 'title', text: `${process.pid} ${i}` }],
      },
    })
  close = () => client.close()
}
process.stdout.write('ready\n')
await go
const result = await pool(run)
await close()
await shared.close()
lines.close()
process.stdout.write(`${JSON.stringify(result)}\n`)
