import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { textBody } from '@sigwire/core'
import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceCaller } from '../src/client/service-caller.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'contact groups password 1'
const ACCOUNT = { appleId: 'groups@example.com', password: PASSWORD, twoFactor: false }
let emulator: ICloudEmulator
let client: ICloudClient
let dir: string

async function start(): Promise<void> {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT], stateDir: dir })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: PASSWORD })
  await client.login()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-contact-groups-'))
  await start()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

/** A group change sent as is, to see what the emulator itself refuses. */
function sendGroups(method: string, groups: unknown[]) {
  const caller = (client.contacts as unknown as { caller: ServiceCaller }).caller
  return caller.call('contacts', 'POST', '/co/groups/card/', {
    query: { prefToken: 'p', syncToken: 's', method },
    body: textBody(JSON.stringify({ groups })),
  })
}

const failureOf = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e)

describe('contact groups against the emulator', () => {
  it('lists the groups and a group with its members', async () => {
    const groups = await client.contacts.groups()
    expect(groups).toEqual([
      { groupId: 'GROUP-1', name: 'Work', contactIds: ['A1B2C3D4-0001'], etag: 'G=1@U=GROUP-1' },
    ])
    const work = await client.contacts.group('Work')
    expect(work.group.groupId).toBe('GROUP-1')
    expect(work.members.map((m) => m.firstName)).toEqual(['Ada'])
    expect((await client.contacts.group('GROUP-1')).group.name).toBe('Work')
  })

  it('creates a group, adds and removes members, and deletes it; the cards stay', async () => {
    const created = await client.contacts.createGroup('Family', { contactIds: ['A1B2C3D4-0002'] })
    expect(created.groupId).toMatch(/^[0-9A-F-]{36}$/)
    expect(created.contactIds).toEqual(['A1B2C3D4-0002'])

    const added = await client.contacts.addToGroup('Family', ['A1B2C3D4-0001', 'A1B2C3D4-0002'])
    expect(added.contactIds).toEqual(['A1B2C3D4-0002', 'A1B2C3D4-0001'])
    expect(added.etag).not.toBe(created.etag)
    const members = await client.contacts.group(created.groupId)
    expect(members.members.map((m) => m.contactId)).toEqual(['A1B2C3D4-0002', 'A1B2C3D4-0001'])

    const fewer = await client.contacts.removeFromGroup(created.groupId, ['A1B2C3D4-0002'])
    expect(fewer.contactIds).toEqual(['A1B2C3D4-0001'])

    await client.contacts.removeGroup('Family')
    expect((await client.contacts.groups()).map((g) => g.name)).toEqual(['Work'])
    const cards = await client.contacts.all()
    expect(cards.map((c) => c.contactId)).toContain('A1B2C3D4-0002')
  })

  it('refuses unknown groups and contacts, duplicate names and empty names with typed errors', async () => {
    const changes = () => emulator.requests.filter((r) => r.path.endsWith('/co/groups/card/')).length
    const before = changes()
    const noGroup = await failureOf(client.contacts.group('Nope'))
    expect(isICloudError(noGroup, 'NOT_FOUND')).toBe(true)
    expect(noGroup).toMatchObject({ details: { kind: 'group' } })
    expect((noGroup as Error).message).toContain('contacts groups ls')

    const noContact = await failureOf(client.contacts.addToGroup('Work', ['NOT-A-CARD']))
    expect(isICloudError(noContact, 'NOT_FOUND')).toBe(true)
    expect(noContact).toMatchObject({ details: { kind: 'contact' } })

    const notMember = await failureOf(client.contacts.removeFromGroup('Work', ['A1B2C3D4-0002']))
    expect(noContact).toMatchObject({ code: 'NOT_FOUND' })
    expect(notMember).toMatchObject({ code: 'NOT_FOUND', details: { kind: 'member' } })

    const twice = await failureOf(client.contacts.createGroup('Work'))
    expect(twice).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'name' } })
    const empty = await failureOf(client.contacts.createGroup('  '))
    expect(empty).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'name' } })
    const none = await failureOf(client.contacts.addToGroup('Work', []))
    expect(none).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'contactIds' } })
    // None of the refusals reached the service.
    expect(changes()).toBe(before)
  })

  it('the emulator refuses a stale etag, an unknown group and an unknown member', async () => {
    const work = (await client.contacts.groups())[0]!
    await client.contacts.addToGroup('Work', ['A1B2C3D4-0002'])
    const stale = await failureOf(sendGroups('PUT', [{ ...work, contactIds: [] }]))
    expect(stale).toMatchObject({ code: 'SERVICE_ERROR', status: 412 })
    const unknown = await failureOf(sendGroups('DELETE', [{ groupId: 'NO-SUCH-GROUP' }]))
    expect(unknown).toMatchObject({ code: 'SERVICE_ERROR', status: 404 })
    const stranger = await failureOf(
      sendGroups('', [{ groupId: 'NEW-GROUP', name: 'x', contactIds: ['NOT-A-CARD'] }]),
    )
    expect(stranger).toMatchObject({ code: 'SERVICE_ERROR', status: 404 })
    expect((await client.contacts.groups()).map((g) => g.name)).toEqual(['Work'])
  })

  it('keeps the groups across a restart, and a deleted card leaves its groups', async () => {
    await client.contacts.createGroup('Book club', { contactIds: ['A1B2C3D4-0001'] })
    await client.close()
    await emulator.close()
    await start()
    const club = await client.contacts.group('Book club')
    expect(club.group.contactIds).toEqual(['A1B2C3D4-0001'])
    await client.contacts.remove('A1B2C3D4-0001')
    expect((await client.contacts.group('Book club')).group.contactIds).toEqual([])
    expect((await client.contacts.group('Work')).group.contactIds).toEqual(['A1B2C3D4-0002'])
  })
})
