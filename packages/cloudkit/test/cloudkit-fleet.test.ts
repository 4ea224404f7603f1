import { createCloudKitClient, createSharedWebAuthTokenStore } from '@sigwire/cloudkit'
import { createMemorySharedState } from '@sigwire/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

describe('CloudKit clients sharing one user token store', () => {
  let emulator: CloudKitEmulator
  beforeAll(async () => {
    emulator = await startCloudKitEmulator({ webAuthTokenReuse: 'reject' })
  })
  afterAll(() => emulator.close())

  it('take turns with the latest token: no token is sent twice (the emulator refuses reuse)', async () => {
    const shared = createMemorySharedState()
    const dev = emulator.dev!
    const first = emulator.issueWebAuthToken()
    const clients = Array.from({ length: 4 }, (_, i) =>
      createCloudKitClient({
        container: dev.container,
        environment: 'development',
        apiToken: dev.apiToken,
        // Only the first client is given the token; the others read it from the store.
        ...(i === 0 ? { webAuthToken: first } : {}),
        webAuthTokenStore: createSharedWebAuthTokenStore(shared, {
          container: dev.container,
          environment: 'development',
          user: 'user-1',
        }),
        baseUrl: emulator.url,
        transport: { proxy: false },
      }),
    )
    await clients[0]!.privateDatabase.zones.list()
    const results = await Promise.all(
      clients.flatMap((client) => Array.from({ length: 5 }, () => client.privateDatabase.zones.list())),
    )
    expect(results).toHaveLength(20)
    expect(emulator.log.entries().filter((e) => e.verdict === 'refused')).toEqual([])
    const stored = await createSharedWebAuthTokenStore(shared, {
      container: dev.container,
      environment: 'development',
      user: 'user-1',
    }).load()
    expect(stored).toBeTruthy()
    expect(stored).not.toBe(first)
    await Promise.all(clients.map((c) => c.close()))
  })
})
