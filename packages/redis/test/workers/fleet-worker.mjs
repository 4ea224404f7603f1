// One process of a test fleet: runs the built packages (not the sources), as a user's worker would.
// Argument: a JSON job. Prints `ready` once set up, waits for `go` on stdin, runs the job's calls and
// prints one JSON line with the outcome (error codes only: messages could name a secret).
import { createInterface } from 'node:readline'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { createCloudKitClient, createSharedWebAuthTokenStore } from '@sigwire/cloudkit'
import { createICloudClient, createSharedSessionStore } from '@sigwire/icloud'
import { createRedisSharedState } from '@sigwire/redis'
import { createSafeCreativeClient } from '@sigwire/safe-creative'

const job = JSON.parse(process.argv[2])
const shared = createRedisSharedState({
  url: job.redis,
  key: job.key,
  reconnectForMs: job.reconnectForMs ?? 10_000,
})
const lines = createInterface({ input: process.stdin })
const go = new Promise((resolve) => lines.once('line', resolve))

async function pool(count, concurrency, call) {
  const errors = []
  let next = 0
  let ok = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++
        try {
          await call(i)
          ok++
        } catch (error) {
          errors.push(error?.code ?? error?.name ?? 'unknown')
        }
      }
    }),
  )
  return { ok, errors }
}

let result
if (job.service === 'icloud') {
  const client = createICloudClient({
    appleId: job.appleId,
    password: job.password,
    store: createSharedSessionStore(shared, job.appleId, { leaseTtlMs: job.leaseTtlMs ?? 15_000 }),
    endpoints: { authUrl: job.authUrl, setupUrl: job.setupUrl, homeUrl: 'https://www.icloud.com' },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
    transport: { proxy: false },
  })
  await client.login()
  process.stdout.write('ready\n')
  await go
  result = await pool(job.calls, job.concurrency ?? 4, () => client.storage.usage())
  await client.close()
} else if (job.service === 'safe-creative') {
  const client = createSafeCreativeClient({
    sharedKey: job.sharedKey,
    privateKey: job.privateKey,
    baseUrl: job.baseUrl,
    shared,
    transport: { proxy: false },
  })
  const user = client.user({ authkey: job.authkey, privateKey: job.authPrivateKey })
  process.stdout.write('ready\n')
  await go
  const codes = []
  result = await pool(job.calls, job.concurrency ?? 4, async (i) => {
    codes.push(await user.registerText(`work ${process.pid} ${i}`, { title: `T ${process.pid} ${i}` }))
  })
  result.codes = codes
  await client.close()
} else if (job.service === 'cloudkit') {
  const client = createCloudKitClient({
    container: job.container,
    environment: 'development',
    apiToken: job.apiToken,
    webAuthTokenStore: createSharedWebAuthTokenStore(shared, {
      container: job.container,
      environment: 'development',
      user: job.user,
    }),
    baseUrl: job.baseUrl,
    transport: { proxy: false },
  })
  process.stdout.write('ready\n')
  await go
  result = await pool(job.calls, job.concurrency ?? 2, () => client.privateDatabase.zones.list())
  await client.close()
} else if (job.service === 'apple-news') {
  // job.gate: the gate's settings, or absent for none (each process backs off alone).
  const client = createAppleNewsClient({
    channelId: job.channelId,
    keyId: job.keyId,
    secret: job.secret,
    baseUrl: job.baseUrl,
    transport: {
      proxy: false,
      retry: { maxAttempts: 10 },
      ...(job.gate ? { gate: shared.gate(`apple-news:${job.keyId}`, job.gate) } : {}),
    },
  })
  process.stdout.write('ready\n')
  await go
  result = await pool(job.calls, job.concurrency ?? 2, (i) =>
    client.articles.create({
      article: {
        version: '1.7',
        identifier: `a${i}`,
        language: 'en',
        title: `${process.pid} ${i}`,
        layout: { columns: 7, width: 1024 },
        components: [{ role: 'title', text: `${process.pid} ${i}` }],
      },
    }),
  )
  await client.close()
}
await shared.close()
lines.close()
process.stdout.write(`${JSON.stringify(result)}\n`)
