import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ICloudClient } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const ACCOUNT = { appleId: 'durable@example.com', password: 'durable services 1', twoFactor: false }
let emulator: ICloudEmulator
let client: ICloudClient
let dir: string

async function start(): Promise<void> {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: dir })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: ACCOUNT.password })
  await client.login()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-services-durable-'))
  await start()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Hide My Email, Reminders and contact changes survive a restart of the emulator', () => {
  it('keeps an address, a reminder and a contact made before the restart', async () => {
    const address = await client.hme.generate()
    await client.hme.reserve(address, { label: 'Kept' })
    await client.hme.deactivate(address)
    const token = await client.reminders.syncToken()
    const reminder = await client.reminders.create({ title: 'Kept reminder', list: 'Groceries', priority: 9 })
    const contact = await client.contacts.create({ firstName: 'Kept', lastName: 'Card' })
    await client.close()
    await emulator.close()
    await start()
    expect(await client.hme.get(address)).toMatchObject({ label: 'Kept', active: false })
    expect(await client.reminders.get(reminder.id)).toMatchObject({ title: 'Kept reminder', priority: 9 })
    // A sync token from before the restart still reads the changes since (the zone is the same one).
    const changes = await client.reminders.changes(token)
    expect(changes.reminders.map((r) => r.title)).toEqual(['Kept reminder'])
    const cards = []
    for await (const c of client.contacts.iterate()) cards.push(c)
    expect(cards.find((c) => c.contactId === contact.contactId)).toMatchObject({
      firstName: 'Kept',
      etag: contact.etag,
    })
  })
})
