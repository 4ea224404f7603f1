import { createCloudKitClient, createSharedWebAuthTokenStore, isCloudKitError } from '@sigwire/cloudkit'
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

  it('a token whose answer was lost is forgotten in the store; the renewed one is saved there for the others', async () => {
    const shared = createMemorySharedState()
    const dev = emulator.dev!
    const storeOf = () =>
      createSharedWebAuthTokenStore(shared, {
        container: dev.container,
        environment: 'development',
        user: 'user-2',
      })
    await storeOf().save(emulator.issueWebAuthToken())
    let renewals = 0
    const [a, b] = Array.from({ length: 2 }, (_, i) =>
      createCloudKitClient({
        container: dev.container,
        environment: 'development',
        apiToken: dev.apiToken,
        webAuthTokenStore: storeOf(),
        baseUrl: emulator.url,
        transport: { proxy: false, retry: { baseDelayMs: 1 } },
        ...(i === 0
          ? {
              renewWebAuthToken: async ({ redirectURL }: { redirectURL: string | undefined }) => {
                renewals++
                const response = await fetch(redirectURL!)
                return ((await response.json()) as { ckWebAuthToken: string }).ckWebAuthToken
              },
            }
          : {}),
      }),
    )
    const refusedBefore = emulator.rejections.length
    await a!.privateDatabase.zones.list()
    emulator.faults.inject('drop-after')
    const lost = await b!.privateDatabase.records
      .modify([
        { operationType: 'create', record: { recordName: 'fleet-lost', recordType: 'Note', fields: {} } },
      ])
      .catch((error: unknown) => error)
    expect(isCloudKitError(lost, 'OUTCOME_UNKNOWN')).toBe(true)
    // b forgot the token in the store, so a does not send it: it meets the sign-in and renews.
    expect(await storeOf().load()).toBeUndefined()
    await a!.privateDatabase.zones.list()
    expect(renewals).toBe(1)
    const renewed = await storeOf().load()
    expect(renewed).toBeTruthy()
    // b, which cannot renew, continues with the token a saved.
    await b!.privateDatabase.zones.list()
    expect(emulator.rejections.slice(refusedBefore).map((r) => r.reason)).not.toContain(
      'WEB_AUTH_TOKEN_REUSED',
    )
    await Promise.all([a!.close(), b!.close()])
  })
})
