import { type ICloudClient, isICloudError, type Reminder } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCrdtText, encodeCrdtText } from '../src/client/reminders/crdt-text.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'reminders password 1'
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'rem@example.com', password: PASSWORD, twoFactor: false }],
  })
  client = clientFor(emulator, { appleId: 'rem@example.com', password: PASSWORD, timeZone: 'Europe/Paris' })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

async function all(query: Parameters<ICloudClient['reminders']['reminders']>[0] = {}): Promise<Reminder[]> {
  const out: Reminder[] = []
  for await (const r of client.reminders.reminders(query)) out.push(r)
  return out
}

describe('the topotext documents of titles and notes', () => {
  it("reads pyicloud's fixture documents and round-trips any text", () => {
    // tests/fixtures/reminders/reminders_query_reminders_response.json of timlaing/pyicloud bd836af;
    // its tests/services/test_reminders_cloudkit.py:2494 reads the title as "Fixture Reminder".
    expect(decodeCrdtText('eJzjYBCS4GAQYJASEhJwy6woKS1KVQhKzc3MS0ktAgBBdwbW')).toBe('Fixture Reminder')
    expect(decodeCrdtText('eJzjYBAS5WAQYJDiF+J1y6woKS1KVcjLL0ktBgAuaAXA')).toBe('Fixture notes')
    for (const text of ['', 'Buy milk', 'Café ✓ 🥛 with\nnew line'])
      expect(decodeCrdtText(encodeCrdtText(text))).toBe(text)
    expect(decodeCrdtText('not a document')).toBeUndefined()
  })
})

describe('Reminders on CloudKit (com.apple.reminders) against the emulator', () => {
  it('lists lists and open reminders with due dates, priorities, notes and a sub-task', async () => {
    const lists = await client.reminders.lists()
    expect(lists.map((l) => l.title)).toEqual(['Reminders', 'Groceries'])
    expect(lists[0]).toMatchObject({ count: 3, color: '#1BADF8' })
    const open = await all()
    expect(open.map((r) => r.title)).toEqual([
      'Renew passport',
      'Find the old passport',
      'Call the bank',
      'Oat milk',
    ])
    expect(open[0]).toMatchObject({
      priority: 1,
      notes: 'Photos are in the desk drawer',
      due: new Date('2027-01-15T08:00:00Z'),
      completed: false,
      listId: lists[0]!.id,
    })
    expect(open[1]!.parentId).toBe(open[0]!.id)
    expect(open[2]!.flagged).toBe(true)
    const groceries = await all({ list: 'groceries', completed: true })
    expect(groceries.map((r) => [r.title, r.completed])).toEqual([
      ['Oat milk', false],
      ['Coffee', true],
    ])
    expect(groceries[1]!.completedAt?.toISOString()).toBe('2026-11-02T10:00:00.000Z')
  })

  it('creates, updates, completes and deletes a reminder and its sub-task; changes() sees each step', async () => {
    const token = await client.reminders.syncToken()
    const due = new Date('2027-03-01T08:30:00Z')
    const created = await client.reminders.create({
      title: 'Buy stamps',
      list: 'Groceries',
      notes: 'first class',
      due,
      priority: 5,
      timeZone: 'Europe/Paris',
    })
    expect(created).toMatchObject({
      title: 'Buy stamps',
      notes: 'first class',
      priority: 5,
      due,
      timeZone: 'Europe/Paris',
    })
    expect(created.id).toMatch(/^Reminder\/[0-9A-F-]{36}$/)
    const child = await client.reminders.create({ title: 'Find envelopes', parent: created.id })
    expect(child).toMatchObject({ parentId: created.id, listId: created.listId })

    const afterCreate = await client.reminders.changes(token)
    expect(afterCreate.reminders.map((r) => r.title).sort()).toEqual(['Buy stamps', 'Find envelopes'])
    expect(afterCreate.deleted).toEqual([])
    expect(afterCreate.syncToken).not.toBe(token)

    const renamed = await client.reminders.update(created.id, {
      title: 'Buy more stamps',
      due: null,
      flagged: true,
    })
    expect(renamed).toMatchObject({
      title: 'Buy more stamps',
      due: undefined,
      flagged: true,
      notes: 'first class',
    })
    expect(renamed.changeTag).not.toBe(created.changeTag)
    const done = await client.reminders.complete(created.id)
    expect(done.completed).toBe(true)
    expect(done.completedAt).toBeInstanceOf(Date)
    expect((await all({ list: 'Groceries' })).some((r) => r.id === created.id)).toBe(false)
    expect((await all({ list: 'Groceries', completed: true })).some((r) => r.id === created.id)).toBe(true)
    const reopened = await client.reminders.update(created.id, { completed: false })
    expect(reopened).toMatchObject({ completed: false, completedAt: undefined })

    const beforeDelete = (await client.reminders.changes(afterCreate.syncToken)).syncToken
    await client.reminders.remove(created.id)
    const gone = await client.reminders.get(created.id).catch((e) => e)
    expect(isICloudError(gone, 'NOT_FOUND')).toBe(true)
    expect(gone.details).toMatchObject({ kind: 'reminder' })
    expect(isICloudError(await client.reminders.get(child.id).catch((e) => e), 'NOT_FOUND')).toBe(true)
    const afterDelete = await client.reminders.changes(beforeDelete)
    expect(afterDelete.deleted.sort()).toEqual([created.id, child.id].sort())
    expect(afterDelete.reminders).toEqual([])
    // Nothing new: the same token comes back with no changes.
    const quiet = await client.reminders.changes(afterDelete.syncToken)
    expect(quiet).toMatchObject({ reminders: [], lists: [], deleted: [] })
  })

  it('names bad input with typed errors before sending it', async () => {
    const list = await client.reminders.create({ title: 'x', list: 'Nope' }).catch((e) => e)
    expect(isICloudError(list, 'NOT_FOUND')).toBe(true)
    expect(list.details).toMatchObject({ kind: 'list' })
    expect(list.message).toContain('"Reminders"')
    const date = await client.reminders.create({ title: 'x', due: new Date('nonsense') }).catch((e) => e)
    expect(isICloudError(date, 'INVALID_DATE')).toBe(true)
    const priority = await client.reminders.create({ title: 'x', priority: 12 }).catch((e) => e)
    expect(isICloudError(priority, 'INVALID_ARGUMENT')).toBe(true)
    const zone = await client.reminders.create({ title: 'x', timeZone: 'Mars/Olympus' }).catch((e) => e)
    expect(isICloudError(zone, 'INVALID_ARGUMENT')).toBe(true)
    const parent = await client.reminders.create({ title: 'x', parent: 'Reminder/NOPE' }).catch((e) => e)
    expect(isICloudError(parent, 'NOT_FOUND')).toBe(true)
    const since = await client.reminders.changes('').catch((e) => e)
    expect(isICloudError(since, 'INVALID_ARGUMENT')).toBe(true)
  })
})
