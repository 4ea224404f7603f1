import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'find my password 1'
const ACCOUNT = { appleId: 'finder@example.com', password: PASSWORD, twoFactor: false, firstName: 'Fay' }
// The emulator's clock starts at the real time: its cookies expire by it, and the client's cookie jar
// judges them by the real clock (a fixed date in the past made every cookie arrive expired).
let clock = Date.now()
let emulator: ICloudEmulator
let client: ICloudClient
let dir: string

async function start(): Promise<void> {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: dir, now: () => clock })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: PASSWORD })
  await client.login()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-findmy-'))
  await start()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Find My against the emulator', () => {
  it('lists own and family devices with location, battery, status and model', async () => {
    const { devices, members } = await client.findMy.refresh()
    expect(devices.map((d) => d.name)).toEqual(["Fay's iPhone", "Fay's MacBook Pro", "Sam's iPhone"])
    const phone = devices[0]!
    expect(phone).toMatchObject({
      displayName: 'iPhone 15 Pro',
      rawModel: 'iPhone16,1',
      status: 'online',
      batteryStatus: 'NotCharging',
      family: false,
      can: { sound: true, message: true, lostMode: true, wipe: true, locate: true },
    })
    expect(phone.batteryLevel).toBeGreaterThan(0)
    expect(phone.location?.latitude).toBeCloseTo(37.33, 1)
    expect(devices[2]).toMatchObject({ family: true, personId: members[0]?.personId })
    expect(members[0]).toMatchObject({ firstName: 'Sam', deviceFetchStatus: 'DONE' })
    const own: string[] = []
    for await (const d of client.findMy.devices({ family: false })) own.push(d.name)
    expect(own).toEqual(["Fay's iPhone", "Fay's MacBook Pro"])
    // initClient first, then refreshClient with the server context.
    const calls = emulator.requests
      .filter((r) => r.path.includes('/fmipservice/'))
      .map((r) => r.path.split('/').pop())
    expect(calls.slice(0, 2)).toEqual(['initClient', 'refreshClient'])
  })

  it('moves the devices along their track and drains the battery as the clock runs', async () => {
    const before = await client.findMy.device("Fay's iPhone")
    clock += 30 * 60_000
    const after = await client.findMy.device("Fay's iPhone")
    expect(after.location?.latitude).not.toBe(before.location?.latitude)
    expect(after.batteryLevel!).toBeLessThan(before.batteryLevel!)
    const mac = await client.findMy.device("Fay's MacBook Pro")
    expect(mac.batteryStatus).toBe('Charged')
  })

  it('plays a sound, sends a message and enables lost mode, each visible on the next refresh', async () => {
    const sounded = await client.findMy.playSound("Fay's iPhone")
    expect(sounded.sound?.statusCode).toBe('200')
    await client.findMy.sendMessage("Fay's iPhone", { text: 'Hello finder', sound: true })
    await client.findMy.lostMode("Fay's iPhone", { phoneNumber: '+1 408 555 0100', text: 'Please call me' })
    const phone = await client.findMy.device("Fay's iPhone")
    expect(phone.sound?.createdAt.getTime()).toBe(clock)
    expect(phone.message?.statusCode).toBe('200')
    expect(phone.raw.msg).toMatchObject({ text: 'Hello finder', playSound: true })
    expect(phone.lostModeEnabled).toBe(true)
    expect(phone.lostMode).toMatchObject({ ownerNumber: '+1 408 555 0100', text: 'Please call me' })
  })

  it('refuses a wipe without the device name typed, and wipes with it', async () => {
    const error = await client.findMy.remoteWipe("Sam's iPhone", { confirm: 'yes' }).catch((e) => e)
    expect(isICloudError(error, 'CONFIRMATION_REQUIRED')).toBe(true)
    expect((await client.findMy.device("Sam's iPhone")).wipeInProgress).toBe(false)
    const wiped = await client.findMy.remoteWipe("Sam's iPhone", { confirm: "Sam's iPhone" })
    expect(wiped.wipeInProgress).toBe(true)
    expect(wiped.location).toBeUndefined()
  })

  it('names an unknown device and bad arguments with typed errors', async () => {
    const unknown = await client.findMy.playSound('no such phone').catch((e) => e)
    expect(isICloudError(unknown, 'NOT_FOUND')).toBe(true)
    expect(unknown.details).toMatchObject({ kind: 'device' })
    expect(unknown.status).toBeUndefined()
    const phone = await client.findMy
      .lostMode("Fay's iPhone", { phoneNumber: 'call me maybe' })
      .catch((e) => e)
    expect(isICloudError(phone, 'INVALID_ARGUMENT')).toBe(true)
    const text = await client.findMy.sendMessage("Fay's iPhone", { text: 'x'.repeat(161) }).catch((e) => e)
    expect(isICloudError(text, 'INVALID_ARGUMENT')).toBe(true)
  })

  it('keeps the actions across a restart of the emulator', async () => {
    await client.close()
    await emulator.close()
    await start()
    const phone = await client.findMy.device("Fay's iPhone")
    expect(phone.lostModeEnabled).toBe(true)
    expect((await client.findMy.device("Sam's iPhone")).wipeInProgress).toBe(true)
  })
})
