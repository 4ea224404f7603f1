import { createMemorySharedState } from '@sigwire/core'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
const AUTH = { authkey: 'fleetauthkey0000000000001', privateKey: 'fleetprivatekey000000001' }

describe('Safe Creative clients sharing their state', () => {
  let emulator: SafeCreativeEmulator
  beforeAll(async () => {
    emulator = await startSafeCreativeEmulator({ apps: [APP], authkeys: [AUTH] })
  })
  afterAll(() => emulator.close())

  it('register concurrently on one authkey without spending a nonce twice, and share the clock offset', async () => {
    const shared = createMemorySharedState()
    const clients = Array.from({ length: 3 }, () =>
      createSafeCreativeClient({ ...APP, baseUrl: emulator.apiUrl, shared, transport: { proxy: false } }),
    )
    const codes = await Promise.all(
      clients.flatMap((client, c) =>
        Array.from({ length: 6 }, (_, i) =>
          client.user(AUTH).registerText(`text ${c}-${i}`, { title: `T${c}-${i}` }),
        ),
      ),
    )
    expect(new Set(codes).size).toBe(18)
    const stats = emulator.stats.snapshot()
    expect(stats.nonceRejections).toBe(0)
    // One client measured the clock; the others took its offset.
    expect(emulator.log.entries().filter((e) => e.target.includes('component=ztime'))).toHaveLength(1)
    await Promise.all(clients.map((c) => c.close()))
  })
})
