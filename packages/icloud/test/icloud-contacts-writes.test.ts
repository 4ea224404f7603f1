import { type Contact, type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'contacts writes password 1'
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'cw@example.com', password: PASSWORD, twoFactor: false }],
  })
  client = clientFor(emulator, { appleId: 'cw@example.com', password: PASSWORD })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

async function all(pageSize = 7): Promise<Contact[]> {
  const out: Contact[] = []
  for await (const c of client.contacts.iterate({ pageSize })) out.push(c)
  return out
}

describe('contact changes against the emulator', () => {
  it('pages through every contact lazily', async () => {
    const contacts = await all()
    expect(contacts).toHaveLength(25)
    const pages = emulator.requests.filter((r) => r.path.endsWith('/co/contacts'))
    expect(pages).toHaveLength(4)
  })

  it('creates, updates (etag checked) and deletes a contact', async () => {
    const created = await client.contacts.create({
      firstName: 'Katherine',
      lastName: 'Johnson',
      emailAddresses: [{ field: 'kj@example.com', label: 'work' }],
      phones: [{ field: '+1 757 555 0100' }],
    })
    expect(created.contactId).toMatch(/^[0-9A-F-]{36}$/)
    let contacts = await all()
    expect(contacts).toHaveLength(26)
    expect(contacts.find((c) => c.contactId === created.contactId)).toMatchObject({
      firstName: 'Katherine',
      emailAddresses: [{ field: 'kj@example.com', label: 'WORK' }],
    })
    const updated = await client.contacts.update(created.contactId, { companyName: 'NASA' })
    expect(updated.etag).not.toBe(created.etag)
    const stale = await client.contacts
      .update(created.contactId, { companyName: 'NACA', etag: created.etag })
      .catch((e) => e)
    expect(isICloudError(stale, 'SERVICE_ERROR')).toBe(true)
    expect(stale).toMatchObject({ status: 412, serviceCode: 'ETAG_MISMATCH' })
    contacts = await all()
    expect(contacts.find((c) => c.contactId === created.contactId)).toMatchObject({
      firstName: 'Katherine',
      companyName: 'NASA',
    })
    await client.contacts.remove(created.contactId)
    expect(await all()).toHaveLength(25)
    const gone = await client.contacts.remove(created.contactId).catch((e) => e)
    expect(isICloudError(gone, 'NOT_FOUND')).toBe(true)
    expect(gone.details).toMatchObject({ kind: 'contact' })
  })

  it('refuses a contact without a name and an address that is not one', async () => {
    const nameless = await client.contacts.create({ notes: 'who?' }).catch((e) => e)
    expect(isICloudError(nameless, 'INVALID_ARGUMENT')).toBe(true)
    const address = await client.contacts
      .create({ firstName: 'X', emailAddresses: [{ field: 'not an address' }] })
      .catch((e) => e)
    expect(isICloudError(address, 'INVALID_ARGUMENT')).toBe(true)
  })
})
