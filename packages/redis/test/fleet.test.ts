import { startCloudKitEmulator } from '@sigwire/cloudkit/emulator'
import { sharedKey } from '@sigwire/core'
import { createICloudClient, createSharedSessionStore } from '@sigwire/icloud'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/icloud/emulator'
import { startSafeCreativeEmulator } from '@sigwire/safe-creative/emulator'
import { describeWithRedis, startRedisServer, type TestRedisServer } from '@sigwire/vitest-config/redis'
import { Redis } from 'ioredis'
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisSharedState } from '../src/index.js'
import { startWorker, type Worker } from './fleet-processes.js'

const KEY = Buffer.alloc(32, 5).toString('base64')
const APPLE_ID = 'fleet@example.com'
const PASSWORD = 'correct horse battery staple'
const LONG = 240_000

async function admin(url: string, method: string, name: string, body?: unknown) {
  const response = await fetch(`${url}/_emulator/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return (await response.json()) as Record<string, unknown>
}

async function allReady(workers: readonly Worker[]) {
  await Promise.all(workers.map((w) => w.ready))
}

describeWithRedis(vitest, 'a fleet of OS processes sharing one Redis', () => {
  let redis: TestRedisServer
  let icloud: ICloudEmulator
  beforeAll(async () => {
    redis = await startRedisServer()
    icloud = await startICloudEmulator({
      accounts: [{ appleId: APPLE_ID, password: PASSWORD, twoFactor: false }],
    })
    // The first sign-in, saved in Redis: the workers start from it.
    const shared = createRedisSharedState({ url: redis.url, key: KEY })
    const client = createICloudClient({
      appleId: APPLE_ID,
      password: PASSWORD,
      store: createSharedSessionStore(shared, APPLE_ID),
      endpoints: { authUrl: icloud.authUrl, setupUrl: icloud.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      transport: { proxy: false },
    })
    await client.login()
    await client.close()
    await shared.close()
  }, LONG)
  afterAll(async () => {
    await icloud?.close()
    await redis?.stop()
  })

  const icloudJob = (extra: Record<string, unknown> = {}) => ({
    service: 'icloud',
    redis: redis.url,
    key: KEY,
    appleId: APPLE_ID,
    password: PASSWORD,
    authUrl: icloud.authUrl,
    setupUrl: icloud.setupUrl,
    calls: 12,
    concurrency: 3,
    ...extra,
  })

  it(
    'iCloud: processes starting on an expired session sign in once between them, and lose no session',
    async () => {
      const workers = Array.from({ length: 4 }, () => startWorker(icloudJob()))
      await allReady(workers)
      await admin(icloud.url, 'DELETE', 'stats')
      await admin(icloud.url, 'POST', 'expire-sessions', { sessionTokens: true })
      for (const w of workers) w.go()
      const results = await Promise.all(workers.map((w) => w.done))
      for (const [i, r] of results.entries()) expect(r, workers[i]!.stderr()).toEqual({ ok: 12, errors: [] })
      expect(icloud.stats.snapshot()).toMatchObject({ signIns: 1, accountLogins: 1 })
      // No lost session: what the fleet saved still works, without signing in.
      const shared = createRedisSharedState({ url: redis.url, key: KEY })
      const client = createICloudClient({
        appleId: APPLE_ID,
        store: createSharedSessionStore(shared, APPLE_ID),
        endpoints: { authUrl: icloud.authUrl, setupUrl: icloud.setupUrl },
        allowHosts: ['127.0.0.1'],
        allowInsecureLoopback: true,
        transport: { proxy: false },
      })
      expect((await client.resume())?.method).toBe('validate')
      await client.close()
      await shared.close()
    },
    LONG,
  )

  it(
    'iCloud: a lease holder killed with SIGKILL mid-sign-in is replaced after its lease expires; still one sign-in',
    async () => {
      const workers = Array.from({ length: 4 }, () => startWorker(icloudJob({ leaseTtlMs: 4000 })))
      await allReady(workers)
      await admin(icloud.url, 'DELETE', 'stats')
      await admin(icloud.url, 'POST', 'expire-sessions', { sessionTokens: true })
      const raw = new Redis(redis.port, '127.0.0.1')
      const leaseKey = `sigwire:lease:${sharedKey('icloud:account', APPLE_ID)}`
      // The holder's signin/init is answered 3 s late, and the holder is killed as soon as the lease names
      // it: it dies before signin/complete however loaded the machine is.
      icloud.faults.inject('latency', { pathPrefix: '/appleauth/auth/signin/init', latencyMs: 3000 })
      let killed: number | undefined
      const killedOne = (async () => {
        for (;;) {
          const pid = Number((await raw.get(leaseKey))?.split(':')[1])
          const holder = workers.find((w) => w.pid === pid)
          if (holder) {
            killed = pid
            holder.child.kill('SIGKILL')
            return
          }
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      })()
      for (const w of workers) w.go()
      await killedOne
      const results = await Promise.all(workers.map((w) => w.done))
      await raw.quit()
      expect(workers.some((w) => w.pid === killed)).toBe(true)
      for (const [i, r] of results.entries()) {
        if (workers[i]!.pid === killed) expect(r).toBeUndefined()
        else expect(r, workers[i]!.stderr()).toEqual({ ok: 12, errors: [] })
      }
      const stats = icloud.stats.snapshot()
      const signInLog = icloud.log
        .entries()
        .filter((e) => e.target.includes('/appleauth/') || e.target.includes('/accountLogin'))
        .map((e) => `${e.at} ${e.target.split('?')[0]} ${e.status}`)
      expect(stats.signIns, signInLog.join('\n')).toBe(1)
      expect(stats.requests['POST /appleauth/auth/*rest']).toBeDefined()
    },
    LONG,
  )

  it(
    'Safe Creative: registrations from several processes on one authkey never spend a nonce twice, across a Redis restart',
    async () => {
      const app = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
      const auth = { authkey: 'fleetauthkey0000000000002', privateKey: 'fleetprivatekey000000002' }
      const emulator = await startSafeCreativeEmulator({ apps: [app], authkeys: [auth] })
      try {
        const workers = Array.from({ length: 3 }, () =>
          startWorker({
            service: 'safe-creative',
            redis: redis.url,
            key: KEY,
            ...app,
            baseUrl: emulator.apiUrl,
            authkey: auth.authkey,
            authPrivateKey: auth.privateKey,
            calls: 15,
            concurrency: 2,
          }),
        )
        await allReady(workers)
        let registered = 0
        let restarted: Promise<void> | undefined
        emulator.log.subscribe((entry) => {
          if (entry.target.includes('work.register') && entry.status === 200 && ++registered === 12)
            restarted = redis.restart(200)
        })
        for (const w of workers) w.go()
        const results = await Promise.all(workers.map((w) => w.done))
        await restarted
        expect(restarted).toBeDefined()
        const codes = results.flatMap((r) => r?.codes ?? [])
        const errors = results.flatMap((r) => r?.errors ?? [])
        // Calls that met the outage fail closed with a typed error; none spends a nonce twice.
        for (const code of errors) expect(['STORE_UNAVAILABLE', 'LEASE_LOST']).toContain(code)
        expect(codes.length + errors.length).toBe(45)
        expect(codes.length).toBeGreaterThan(30)
        expect(new Set(codes).size).toBe(codes.length)
        expect(emulator.stats.snapshot().nonceRejections).toBe(0)
      } finally {
        await emulator.close()
      }
    },
    LONG,
  )

  it(
    'CloudKit: processes sharing one user token take turns, so no token is sent twice (the emulator refuses reuse)',
    async () => {
      const emulator = await startCloudKitEmulator({ webAuthTokenReuse: 'reject' })
      try {
        const dev = emulator.dev!
        const user = 'user-1'
        const shared = createRedisSharedState({ url: redis.url, key: KEY })
        const { createSharedWebAuthTokenStore } = await import('@sigwire/cloudkit')
        await createSharedWebAuthTokenStore(shared, {
          container: dev.container,
          environment: 'development',
          user,
        }).save(emulator.issueWebAuthToken())
        await shared.close()
        const workers = Array.from({ length: 3 }, () =>
          startWorker({
            service: 'cloudkit',
            redis: redis.url,
            key: KEY,
            container: dev.container,
            apiToken: dev.apiToken,
            baseUrl: emulator.url,
            user,
            calls: 8,
          }),
        )
        await allReady(workers)
        for (const w of workers) w.go()
        const results = await Promise.all(workers.map((w) => w.done))
        for (const [i, r] of results.entries()) expect(r, workers[i]!.stderr()).toEqual({ ok: 8, errors: [] })
        expect(emulator.log.entries().filter((e) => e.verdict === 'refused')).toEqual([])
      } finally {
        await emulator.close()
      }
    },
    LONG,
  )
})
