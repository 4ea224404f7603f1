import { createICloudClient, createSharedSessionStore } from '@sigwire/icloud'
import { startICloudEmulator } from '@sigwire/icloud/emulator'
import { readmeExamples, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { describeWithRedis, startRedisServer } from '@sigwire/vitest-config/redis'
import * as vitest from 'vitest'
import { expect, it } from 'vitest'
import { createRedisSharedState } from '../src/index.js'

const examples = readmeExamples(repoPath('packages', 'redis', 'README.md'))

describeWithRedis(vitest, 'packages/redis/README.md examples', () => {
  it('has one example that runs and one that only shows the other services', () => {
    expect(examples.map((e) => e.run)).toEqual([true, false])
  })

  it('an iCloud client shares its session through Redis', async () => {
    const redis = await startRedisServer()
    const emulator = await startICloudEmulator({
      accounts: [{ appleId: 'readme@example.com', password: 'pw', twoFactor: false }],
    })
    const key = process.env.SIGWIRE_STORE_KEY
    process.env.SIGWIRE_STORE_KEY = Buffer.alloc(32, 2).toString('base64')
    try {
      const module = await runReadmeExample(examples[0]!, {
        scope: {
          createRedisSharedState,
          createICloudClient,
          createSharedSessionStore,
          appleId: 'readme@example.com',
          password: 'pw',
          process: { env: { SIGWIRE_STORE: redis.url } },
        },
        rewrite: [
          [
            'store: createSharedSessionStore(shared, appleId) })',
            `store: createSharedSessionStore(shared, appleId), endpoints: { authUrl: '${emulator.authUrl}', setupUrl: '${emulator.setupUrl}' }, allowHosts: ['127.0.0.1'], allowInsecureLoopback: true })`,
          ],
        ],
        after: 'export { usage }',
      })
      expect(module.usage).toBeDefined()
      expect(emulator.stats.snapshot().signIns).toBe(1)
    } finally {
      if (key === undefined) delete process.env.SIGWIRE_STORE_KEY
      else process.env.SIGWIRE_STORE_KEY = key
      await emulator.close()
      await redis.stop()
    }
  }, 60_000)
})
