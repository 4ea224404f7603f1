import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'hide my email password 1'
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'hider@example.com', password: PASSWORD, twoFactor: false }],
  })
  client = clientFor(emulator, { appleId: 'hider@example.com', password: PASSWORD })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

describe('Hide My Email against the emulator', () => {
  it('generates, reserves, updates, deactivates, reactivates and deletes an address', async () => {
    const address = await client.hme.generate()
    expect(address).toMatch(/^[a-z]+\.[a-z]+-[0-9a-f]{2}@icloud\.com$/)
    const reserved = await client.hme.reserve(address, { label: 'Shopping', note: 'for the shop' })
    expect(reserved).toMatchObject({ address, label: 'Shopping', note: 'for the shop', active: true })
    const listed: string[] = []
    for await (const a of client.hme.aliases()) listed.push(a.address)
    expect(listed).toEqual([address])
    const updated = await client.hme.update(address, { label: 'Shops' })
    expect(updated).toMatchObject({ label: 'Shops', note: 'for the shop' })
    const refused = await client.hme.remove(address).catch((e) => e)
    expect(isICloudError(refused, 'INVALID_ARGUMENT')).toBe(true)
    expect((await client.hme.deactivate(reserved.anonymousId)).active).toBe(false)
    expect((await client.hme.get(address)).active).toBe(false)
    expect((await client.hme.reactivate(address)).active).toBe(true)
    await client.hme.deactivate(address)
    await client.hme.remove(address)
    const gone = await client.hme.get(address).catch((e) => e)
    expect(isICloudError(gone, 'NOT_FOUND')).toBe(true)
    expect(gone.details).toMatchObject({ kind: 'address' })
  })

  it('refuses to reserve an address it did not generate, and a missing label', async () => {
    const foreign = await client.hme.reserve('made.up-00@icloud.com', { label: 'x' }).catch((e) => e)
    expect(isICloudError(foreign, 'SERVICE_ERROR')).toBe(true)
    expect(foreign.serviceCode).toBe('HME_NOT_GENERATED')
    const address = await client.hme.generate()
    const unlabeled = await client.hme.reserve(address, { label: ' ' }).catch((e) => e)
    expect(isICloudError(unlabeled, 'INVALID_ARGUMENT')).toBe(true)
  })
})
