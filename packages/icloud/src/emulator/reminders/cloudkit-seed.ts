import type { EngineField } from '@sigwire/emulator-kit/cloudkit'
import { encodeCrdtText } from '../../client/reminders/crdt-text.js'

// What a new account's `Reminders` zone holds: two lists and five reminders, one of them a sub-task
// and one completed, in the record shapes of docs/protocols/icloud.md §20.3.

/** The seeded lists' record names. */
export const SEED_LISTS = {
  reminders: 'List/8E5C3D62-3C7B-4B7A-9D43-0F6E1A2B3C01',
  groceries: 'List/8E5C3D62-3C7B-4B7A-9D43-0F6E1A2B3C02',
}

const reminderName = (n: number) => `Reminder/5B1F0C44-7E2D-4E8A-A1B6-2C3D4E5F60${String(n).padStart(2, '0')}`

interface SeedReminder {
  readonly n: number
  readonly list: string
  readonly title: string
  readonly notes?: string
  readonly priority?: number
  readonly due?: string
  readonly flagged?: boolean
  readonly completedAt?: string
  readonly parent?: number
}

const REMINDERS: readonly SeedReminder[] = [
  {
    n: 1,
    list: SEED_LISTS.reminders,
    title: 'Renew passport',
    notes: 'Photos are in the desk drawer',
    priority: 1,
    due: '2027-01-15T08:00:00Z',
  },
  { n: 2, list: SEED_LISTS.reminders, title: 'Find the old passport', parent: 1 },
  { n: 3, list: SEED_LISTS.reminders, title: 'Call the bank', flagged: true },
  { n: 4, list: SEED_LISTS.groceries, title: 'Oat milk', priority: 5 },
  { n: 5, list: SEED_LISTS.groceries, title: 'Coffee', completedAt: '2026-11-02T10:00:00Z' },
]

const int = (value: number): EngineField => ({ type: 'INT64', value })
const stamp = (iso: string): EngineField => ({ type: 'TIMESTAMP', value: Date.parse(iso) })
const ref = (recordName: string): EngineField => ({
  type: 'REFERENCE',
  value: { recordName, action: 'VALIDATE' },
})
const doc = (text: string): EngineField => ({ type: 'ENCRYPTED_BYTES', value: encodeCrdtText(text) })

/** The `records/modify` operations that seed an account's `Reminders` zone (lists first). */
export function seedOperations(now: number): Record<string, unknown>[] {
  const created = { type: 'TIMESTAMP', value: now }
  const list = (recordName: string, name: string, color: string) => {
    const mine = REMINDERS.filter((r) => r.list === recordName).map((r) =>
      reminderName(r.n).slice('Reminder/'.length),
    )
    return {
      operationType: 'create',
      record: {
        recordName,
        recordType: 'List',
        fields: {
          Name: { type: 'STRING', value: name },
          Color: { type: 'STRING', value: color },
          Count: int(mine.length),
          Deleted: int(0),
          IsGroup: int(0),
          ReminderIDs: { type: 'STRING', value: JSON.stringify(mine) },
        },
      },
    }
  }
  return [
    list(SEED_LISTS.reminders, 'Reminders', '#1BADF8'),
    list(SEED_LISTS.groceries, 'Groceries', '#63DA38'),
    ...REMINDERS.map((r) => ({
      operationType: 'create',
      record: {
        recordName: reminderName(r.n),
        recordType: 'Reminder',
        parent: { recordName: r.list },
        fields: {
          TitleDocument: doc(r.title),
          NotesDocument: doc(r.notes ?? ''),
          List: ref(r.list),
          Priority: int(r.priority ?? 0),
          Flagged: int(r.flagged ? 1 : 0),
          AllDay: int(0),
          Deleted: int(0),
          Imported: int(0),
          Completed: int(r.completedAt ? 1 : 0),
          CreationDate: created,
          LastModifiedDate: created,
          AlarmIDs: { type: 'STRING_LIST', value: [] },
          HashtagIDs: { type: 'STRING_LIST', value: [] },
          AttachmentIDs: { type: 'STRING_LIST', value: [] },
          RecurrenceRuleIDs: { type: 'STRING_LIST', value: [] },
          ...(r.completedAt ? { CompletionDate: stamp(r.completedAt) } : {}),
          ...(r.due ? { DueDate: stamp(r.due) } : {}),
          ...(r.parent ? { ParentReminder: ref(reminderName(r.parent)) } : {}),
        },
      },
    })),
  ]
}
