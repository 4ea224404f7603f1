import type { AccountDevice, ICloudClient } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'account page password 1'
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'page@example.com', password: PASSWORD, twoFactor: false, firstName: 'Pat' }],
  })
  client = clientFor(emulator, { appleId: 'page@example.com', password: PASSWORD })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

describe('the account page against the emulator', () => {
  it('lists the signed-in devices and the family, on the account host of the webservices', async () => {
    const devices: AccountDevice[] = []
    for await (const d of client.accountPage.devices()) devices.push(d)
    expect(devices.map((d) => [d.name, d.model, d.osVersion])).toEqual([
      ["Pat's iPhone", 'iPhone16,1', 'iOS;18.1'],
      ["Pat's MacBook Pro", 'MacBookPro18,3', 'OSX;15.1'],
    ])
    const family = await client.accountPage.family()
    expect(family.members.map((m) => [m.firstName, m.organizer, m.hasParentalPrivileges])).toEqual([
      ['Pat', true, true],
      ['Sam', false, false],
    ])
    expect(family.familyId).toBeDefined()
    const paths = emulator.requests.filter((r) => r.path.includes('/setup/web/')).map((r) => r.path)
    expect(paths).toEqual([
      '/ws/account/setup/web/device/getDevices',
      '/ws/account/setup/web/family/getFamilyDetails',
    ])
  })
})
