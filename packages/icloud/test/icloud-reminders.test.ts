import { type ICloudClient, isICloudError, type Reminder } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

describe('Reminders (rd) against the emulator', () => {
  it('lists lists and open reminders with due dates and priorities', async () => {
    expect((await client.reminders.lists()).map((l) => l.title)).toEqual(['Reminders', 'Groceries'])
    const open = await all()
    expect(open.map((r) => r.title)).toEqual(['Renew passport', 'Call the bank', 'Oat milk'])
    expect(open[0]).toMatchObject({ priority: 1, due: { year: 2027, month: 1, day: 15, hour: 9 } })
    expect((await all({ list: 'groceries', completed: true })).map((r) => r.title)).toEqual([
      'Oat milk',
      'Coffee',
    ])
  })

  it('creates, updates, completes and deletes a reminder', async () => {
    const due = new Date('2027-03-01T08:30:00Z')
    const created = await client.reminders.create({
      title: 'Buy stamps',
      list: 'Groceries',
      notes: 'first class',
      due,
      priority: 5,
    })
    expect(created).toMatchObject({ title: 'Buy stamps', notes: 'first class', priority: 5 })
    expect(created.due?.date.toISOString()).toBe(due.toISOString())
    expect(created.due?.hour).toBe(9) // Paris, UTC+1
    const renamed = await client.reminders.update(created.guid, { title: 'Buy more stamps', due: null })
    expect(renamed).toMatchObject({ title: 'Buy more stamps', due: undefined })
    expect(renamed.etag).not.toBe(created.etag)
    const done = await client.reminders.complete(created.guid)
    expect(done.completed).toBeDefined()
    expect((await all()).some((r) => r.guid === created.guid)).toBe(false)
    await client.reminders.remove(created.guid)
    const gone = await client.reminders.get(created.guid).catch((e) => e)
    expect(isICloudError(gone, 'NOT_FOUND')).toBe(true)
  })

  it('names bad input with typed errors before sending it', async () => {
    const list = await client.reminders.create({ title: 'x', list: 'Nope' }).catch((e) => e)
    expect(isICloudError(list, 'NOT_FOUND')).toBe(true)
    expect(list.details).toMatchObject({ kind: 'list' })
    const date = await client.reminders.create({ title: 'x', due: new Date('nonsense') }).catch((e) => e)
    expect(isICloudError(date, 'INVALID_DATE')).toBe(true)
    const priority = await client.reminders.create({ title: 'x', priority: 12 }).catch((e) => e)
    expect(isICloudError(priority, 'INVALID_ARGUMENT')).toBe(true)
  })
})
