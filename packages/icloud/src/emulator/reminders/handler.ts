import { randomUUID } from 'node:crypto'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'

/** A reminders list (`Collections[]` of `rd/startup`). */
export interface RdCollection {
  guid: string
  ctag: string
  title: string
  color: string
  order: number
}

/** A reminder as the `rd` service keeps it (docs/protocols/icloud.md §8.5, §18.3). */
export interface RdReminder {
  guid: string
  pGuid: string
  etag: string
  title: string
  description: string
  priority: number
  /** `[YYYYMMDD, Y, M, D, h, m]` in the user's zone, or null. */
  dueDate: number[] | null
  dueDateIsAllDay: boolean
  completedDate: number[] | null
  createdDate: number
  lastModifiedDate: number
  order: number
}

/** The durable Reminders state of one account (table `reminders`, keyed by Apple ID). */
export interface RemindersState {
  collections: Record<string, RdCollection>
  reminders: Record<string, RdReminder>
  /** Grows with every change: the source of etags and ctags. */
  version: number
}

/**
 * The `rd` Reminders service (`webservices.reminders`): `rd/startup` (open reminders), `rd/completed`,
 * `POST rd/reminders/tasks` (create, what pyicloud 1.0.0 sends), `POST rd/reminders/{pGuid}` with
 * `methodOverride=PUT|DELETE` and `ifMatch` (update, delete). Undefined for other paths.
 */
export function handleReminders(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (!path.startsWith('/rd/')) return undefined
  const state = loadState(ctx, account)
  const method = request.method
  const query = request.url.searchParams
  const save = () => ctx.tx.put('reminders', account.appleId, state)
  const collections = () => Object.values(state.collections).sort((a, b) => a.order - b.order)
  if (method === 'GET' && path === '/rd/startup') {
    if (!ctx.data.reminders.has(account.appleId)) save()
    return answer(200, {
      Collections: collections(),
      Reminders: Object.values(state.reminders).filter((r) => r.completedDate === null),
    })
  }
  if (method === 'GET' && path === '/rd/completed')
    return answer(200, { Reminders: Object.values(state.reminders).filter((r) => r.completedDate !== null) })
  const m = /^\/rd\/reminders\/([^/]+)$/.exec(path)
  if (method !== 'POST' || !m) return undefined
  const body = requestJson<{ Reminders?: Record<string, unknown> }>(request)
  const input = body?.Reminders
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw failure(400, 'The body must be {"Reminders":{…},"ClientState":{…}}')
  const override = query.get('methodOverride')
  const now = ctx.now()
  const bump = (collection: RdCollection) => {
    state.version += 1
    collection.ctag = `C${state.version}`
    return `E${state.version}`
  }
  if (override === null && m[1] === 'tasks') {
    const pGuid = typeof input.pGuid === 'string' ? input.pGuid : 'tasks'
    const collection = Object.hasOwn(state.collections, pGuid) ? state.collections[pGuid]! : undefined
    if (!collection) throw failure(404, 'No such reminders list')
    const guid =
      typeof input.guid === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(input.guid) ? input.guid : randomUUID()
    if (Object.hasOwn(state.reminders, guid)) throw failure(409, 'A reminder with this guid exists')
    const reminder: RdReminder = {
      guid,
      pGuid,
      etag: bump(collection),
      title: text(input.title, 'title', true),
      description: text(input.description, 'description', false),
      priority: priority(input.priority),
      dueDate: rdDate(input.dueDate, 'dueDate'),
      dueDateIsAllDay: input.dueDateIsAllDay === true,
      completedDate: rdDate(input.completedDate, 'completedDate'),
      createdDate: now,
      lastModifiedDate: now,
      order: Object.keys(state.reminders).length,
    }
    state.reminders[guid] = reminder
    save()
    return answer(200, { ChangeSet: { inserts: { Reminders: [reminder] } }, Collections: collections() })
  }
  if (override !== 'PUT' && override !== 'DELETE') throw failure(400, 'methodOverride must be PUT or DELETE')
  const guid = input.guid
  const existing =
    typeof guid === 'string' && Object.hasOwn(state.reminders, guid) ? state.reminders[guid]! : undefined
  if (!existing || existing.pGuid !== m[1]) throw failure(404, 'No such reminder')
  const ifMatch = query.get('ifMatch')
  if (ifMatch !== null && ifMatch !== existing.etag)
    throw failure(412, 'The reminder changed since it was read (etag)')
  const collection = state.collections[existing.pGuid]!
  if (override === 'DELETE') {
    delete state.reminders[existing.guid]
    bump(collection)
    save()
    return answer(200, {
      ChangeSet: { deletes: { Reminders: [{ guid: existing.guid }] } },
      Collections: collections(),
    })
  }
  const updated: RdReminder = {
    ...existing,
    ...(input.title === undefined ? {} : { title: text(input.title, 'title', true) }),
    ...(input.description === undefined
      ? {}
      : { description: text(input.description, 'description', false) }),
    ...(input.priority === undefined ? {} : { priority: priority(input.priority) }),
    ...(input.dueDate === undefined ? {} : { dueDate: rdDate(input.dueDate, 'dueDate') }),
    ...(input.completedDate === undefined
      ? {}
      : { completedDate: rdDate(input.completedDate, 'completedDate') }),
    lastModifiedDate: now,
  }
  updated.etag = bump(collection)
  state.reminders[existing.guid] = updated
  save()
  return answer(200, { ChangeSet: { updates: { Reminders: [updated] } }, Collections: collections() })
}

function loadState(ctx: ICloudContext, account: EmulatedAccount): RemindersState {
  const saved = ctx.data.reminders.get(account.appleId)
  if (saved) return saved
  const state: RemindersState = {
    collections: Object.create(null),
    reminders: Object.create(null),
    version: 2,
  }
  // pyicloud 1.0.0 files a reminder without a list under the guid "tasks" (reminders.py `post`).
  state.collections.tasks = { guid: 'tasks', ctag: 'C1', title: 'Reminders', color: '#1BADF8', order: 0 }
  state.collections.groceries = {
    guid: 'groceries',
    ctag: 'C2',
    title: 'Groceries',
    color: '#63DA38',
    order: 1,
  }
  const seed = (guid: string, pGuid: string, title: string, extra: Partial<RdReminder> = {}) => {
    state.reminders[guid] = {
      guid,
      pGuid,
      etag: 'E1',
      title,
      description: '',
      priority: 0,
      dueDate: null,
      dueDateIsAllDay: false,
      completedDate: null,
      createdDate: 0,
      lastModifiedDate: 0,
      order: Object.keys(state.reminders).length,
      ...extra,
    }
  }
  seed('R-0001', 'tasks', 'Renew passport', { priority: 1, dueDate: [20270115, 2027, 1, 15, 9, 0] })
  seed('R-0002', 'tasks', 'Call the bank', { description: 'About the card' })
  seed('R-0003', 'groceries', 'Oat milk', { priority: 9 })
  seed('R-0004', 'groceries', 'Coffee', { completedDate: [20261201, 2026, 12, 1, 18, 30] })
  return state
}

function text(value: unknown, name: string, required: boolean): string {
  if ((value === undefined || value === null) && !required) return ''
  if (typeof value !== 'string' || value.length > 4096 || (required && value.trim() === ''))
    throw failure(400, `${name} must be text${required ? ' (not empty)' : ''}`)
  return value
}

/** Priorities follow iCalendar (RFC 5545 §3.8.1.9): 0 none, 1 to 9 with 1 the highest. */
function priority(value: unknown): number {
  if (value === undefined || value === null) return 0
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 9)
    throw failure(400, 'priority must be a whole number from 0 to 9')
  return value
}

/**
 * `[stamp, Y, M, D, h, m]` or null. The stamp is not checked: pyicloud 1.0.0 builds it by joining the
 * unpadded numbers (2026-12-06 becomes 2026126), so only the fields after it carry the date.
 */
function rdDate(value: unknown, name: string): number[] | null {
  if (value === undefined || value === null) return null
  if (!Array.isArray(value) || value.length < 6 || !value.slice(0, 6).every((n) => Number.isInteger(n)))
    throw failure(400, `${name} must be [YYYYMMDD, year, month, day, hour, minute]`)
  const [, y, mo, d, h, mi] = value as number[]
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!))
  if (
    y! < 1900 ||
    y! > 2200 ||
    date.getUTCMonth() !== mo! - 1 ||
    date.getUTCDate() !== d! ||
    date.getUTCHours() !== h! ||
    date.getUTCMinutes() !== mi!
  )
    throw failure(400, `${name} is not a real date and time`)
  return [y! * 10000 + mo! * 100 + d!, y!, mo!, d!, h!, mi!]
}

function failure(status: number, error: string) {
  return iCloudFailure(status, { success: false, error })
}
