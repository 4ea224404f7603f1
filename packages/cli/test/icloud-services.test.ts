import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { icloudLogin } from './icloud-harness.js'
import { runCli } from './run-cli.js'

let dir: string
let sessions: string
let emulator: ICloudEmulator

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-icloud-services-'))
  sessions = join(dir, 'sessions')
  emulator = await startICloudEmulator({
    accounts: [
      { appleId: 'kim@example.com', password: 'services pass 1', twoFactor: false, firstName: 'Kim' },
    ],
  })
  await writeFile(join(dir, 'password'), 'services pass 1\n')
  await icloudLogin(runCli, emulator, {
    appleId: 'kim@example.com',
    passwordFile: join(dir, 'password'),
    sessionDir: sessions,
  })
}, 60_000)

afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

const cli = (...args: string[]) => runCli(['icloud', ...args, '--session-dir', sessions])
const json = async (...args: string[]) => {
  const run = await cli(...args, '--json')
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout)
}

describe('sigwire icloud findmy, hme and reminders (real binary against the emulator)', () => {
  it('findmy: ls, locate, sound, message, lost; wipe asks for the name', { timeout: 60_000 }, async () => {
    const listed = await json('findmy', 'ls')
    expect(listed.devices.map((d: { name: string }) => d.name)).toEqual([
      "Kim's iPhone",
      "Kim's MacBook Pro",
      "Sam's iPhone",
    ])
    const text = await cli('findmy', 'ls', '--no-family')
    expect(text.stdout).toMatch(/Kim's iPhone {2}iPhone 15 Pro {2}online {2}\d+% NotCharging/)
    expect(text.stdout).not.toContain("Sam's")
    const located = await json('findmy', 'locate', "Kim's iPhone")
    expect(located.location.latitude).toBeCloseTo(37.33, 1)
    expect((await json('findmy', 'sound', "Kim's iPhone")).device.sound.statusCode).toBe('200')
    expect((await json('findmy', 'message', "Kim's iPhone", '--text', 'hi')).device.message).toBeDefined()
    const lost = await json('findmy', 'lost', "Kim's iPhone", '--phone', '+1 408 555 0100', '--text', 'call')
    expect(lost.device).toMatchObject({ lostModeEnabled: true, lostMode: { ownerNumber: '+1 408 555 0100' } })

    const noConfirm = await cli('findmy', 'wipe', "Sam's iPhone")
    expect(noConfirm.code).toBe(2)
    expect(noConfirm.stderr).toMatch(/^sigwire: MISSING_OPTION: .*--confirm/m)
    const wrong = await cli('findmy', 'wipe', "Sam's iPhone", '--confirm', 'Sam')
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/^sigwire: CONFIRMATION_REQUIRED: /m)
    expect((await json('findmy', 'locate', "Sam's iPhone")).wipeInProgress).toBe(false)
    const before = emulator.requests.length
    const wiped = await json('findmy', 'wipe', "Sam's iPhone", '--confirm', "Sam's iPhone")
    // The erase goes with a token from fmipWebAuthenticate (docs/protocols/icloud.md §25).
    expect(emulator.requests.slice(before).map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/setup/ws/1/fmipWebAuthenticate',
        '/ws/findme/fmipservice/client/web/remoteWipeWithUserAuth',
      ]),
    )
    expect(wiped.device.wipeInProgress).toBe(true)

    const unknown = await cli('findmy', 'sound', 'Nobody')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^sigwire: NOT_FOUND: No Find My device/m)
  })

  it('hme: new, ls, off, on, rm', { timeout: 60_000 }, async () => {
    const created = await json('hme', 'new', '--label', 'Newsletters', '--note', 'n')
    const address: string = created.alias.address
    expect(created.alias).toMatchObject({ label: 'Newsletters', note: 'n', active: true })
    expect((await json('hme', 'ls')).aliases.map((a: { address: string }) => a.address)).toEqual([address])
    const active = await cli('hme', 'rm', address)
    expect(active.code).toBe(2)
    expect(active.stderr).toMatch(/deactivate it first/)
    expect((await json('hme', 'off', address)).deactivated.active).toBe(false)
    expect((await json('hme', 'on', address)).reactivated.active).toBe(true)
    await json('hme', 'off', address)
    expect((await cli('hme', 'rm', address)).stdout).toContain(`${address} deleted`)
    expect((await json('hme', 'ls')).aliases).toEqual([])
    const unknown = await cli('hme', 'off', 'nobody@icloud.com')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^sigwire: NOT_FOUND: /m)
  })

  it('reminders: ls, add, done, rm', { timeout: 60_000 }, async () => {
    const listed = await json('reminders', 'ls')
    expect(listed.lists.map((l: { title: string }) => l.title)).toEqual(['Reminders', 'Groceries'])
    const added = await json(
      'reminders',
      'add',
      'Pay rent',
      '--list',
      'Reminders',
      '--due',
      '2027-04-01T10:00Z',
      '--priority',
      'high',
    )
    expect(added.reminder).toMatchObject({ title: 'Pay rent', priority: 1, completed: false })
    expect(added.reminder.due).toBe('2027-04-01T10:00:00.000Z')
    const id: string = added.reminder.id
    const sub = await json('reminders', 'add', 'Find the lease', '--parent', id, '--flag')
    expect(sub.reminder).toMatchObject({ parentId: id, flagged: true })
    const text = await cli('reminders', 'ls', '--list', 'Reminders')
    expect(text.stdout).toMatch(
      /^Reminders:\n(?: {2}.+\n)*? {2}Pay rent {2}due 2027-04-01T10:00:00.000Z {2}!1 {2}Reminder\/\S+\n {4}Find the lease {2}⚑ /m,
    )
    expect((await json('reminders', 'done', id)).completed.completed).toBe(true)
    expect((await json('reminders', 'ls')).reminders.some((r: { id: string }) => r.id === id)).toBe(false)
    expect(
      (await json('reminders', 'ls', '--completed')).reminders.some((r: { id: string }) => r.id === id),
    ).toBe(true)
    expect((await cli('reminders', 'rm', id)).stdout).toContain('deleted Pay rent')
    const gone = await cli('reminders', 'done', id)
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/^sigwire: NOT_FOUND: /m)
    const badParent = await cli('reminders', 'add', 'x', '--parent', 'not an id')
    expect(badParent.code).toBe(2)
    expect(badParent.stderr).toMatch(/^sigwire: INVALID_OPTION: --parent/m)
    const badList = await cli('reminders', 'add', 'x', '--list', 'Nope')
    expect(badList.code).toBe(2)
    expect(badList.stderr).toMatch(/^sigwire: NOT_FOUND: No reminders list/m)
  })

  it('account: devices, family, storage', { timeout: 60_000 }, async () => {
    const devices = await json('account', 'devices')
    expect(devices.devices.map((d: { name: string }) => d.name)).toEqual([
      "Kim's iPhone",
      "Kim's MacBook Pro",
    ])
    const family = await cli('account', 'family')
    expect(family.stdout).toMatch(/^Kim .+ {2}kim@example.com {2}ADULT {2}organiser$/m)
    const storage = await json('account', 'storage')
    expect(storage.availableBytes).toBe(storage.totalBytes - storage.usedBytes)
  })

  it('calendar: add with an alarm and a repeat, ls, rm; an end before the start is refused', {
    timeout: 60_000,
  }, async () => {
    const added = await json(
      'calendar',
      'add',
      'Dentist',
      '--calendar',
      'Home',
      '--start',
      '2027-03-04T15:00Z',
      '--end',
      '2027-03-04T15:30Z',
      '--tz',
      'Europe/Paris',
      '--alarm',
      '30',
      '--repeat',
      'yearly',
      '--location',
      'Rue 1',
    )
    expect(added.event).toMatchObject({
      title: 'Dentist',
      pGuid: 'home',
      timeZone: 'Europe/Paris',
      duration: 30,
    })
    expect(added.event.start.date).toBe('2027-03-04T15:00:00.000Z')
    const day = await json(
      'calendar',
      'add',
      'Holiday',
      '--calendar',
      'home',
      '--start',
      '2027-03-05',
      '--all-day',
    )
    expect(day.event).toMatchObject({ allDay: true, start: { year: 2027, month: 3, day: 5 } })
    const text = await cli('calendar', 'ls', '--from', '2027-03-01', '--to', '2027-03-31')
    expect(text.stdout).toMatch(
      /^Home {2}\(home\)\n(?: {2}.*\n)*? {2}Dentist {2}2027-03-04T15:00:00.000Z → 2027-03-04T15:30:00.000Z \(Europe\/Paris\) {2}@ Rue 1 /m,
    )
    expect(text.stdout).toMatch(/^ {2}Holiday {2}2027-03-05 \(all day\)/m)
    const dentist: string = added.event.guid
    expect(text.stdout).toContain(`${dentist}__20270304T160000  ↻ yearly (series ${dentist})`)
    const occurrence = await cli('calendar', 'rm', `${dentist}__20270304T160000`, '--calendar', 'home')
    expect(occurrence.code).toBe(2)
    expect(occurrence.stderr).toMatch(
      /^sigwire: INVALID_ARGUMENT: .* is one occurrence of the repeating event/m,
    )
    const backwards = await cli(
      'calendar',
      'add',
      'x',
      '--calendar',
      'home',
      '--start',
      '2027-03-04T15:00Z',
      '--end',
      '2027-03-04T14:00Z',
    )
    expect(backwards.code).toBe(2)
    expect(backwards.stderr).toMatch(/^sigwire: INVALID_OPTION: --end .* must be after --start/m)
    expect((await cli('calendar', 'rm', added.event.guid, '--calendar', 'home')).code).toBe(0)
    const again = await cli('calendar', 'rm', added.event.guid, '--calendar', 'home')
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^sigwire: NOT_FOUND: /m)
    const unknown = await cli('calendar', 'add', 'x', '--calendar', 'Nope', '--start', '2027-03-04T15:00Z')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^sigwire: NOT_FOUND: No calendar/m)
  })

  it('contacts: ls (paged), add, rm', { timeout: 60_000 }, async () => {
    const listed = await json('contacts', 'ls', '--page-size', '10')
    expect(listed.contacts).toHaveLength(25)
    expect(listed.groups[0]).toMatchObject({ name: 'Work' })
    const added = await json(
      'contacts',
      'add',
      '--first',
      'Mary',
      '--last',
      'Jackson',
      '--email',
      'mj@example.com',
    )
    const id: string = added.contact.contactId
    const text = await cli('contacts', 'ls')
    expect(text.stdout).toContain(`Mary Jackson  <mj@example.com>  ${id}`)
    const stale = await cli('contacts', 'rm', id, '--etag', 'C=1@U=old')
    expect(stale.code).toBe(1)
    expect(stale.stderr).toMatch(/^sigwire: SERVICE_ERROR: The contact .* changed since its etag was read/m)
    expect((await cli('contacts', 'rm', id)).stdout).toContain(`deleted ${id}`)
    const gone = await cli('contacts', 'rm', id)
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/^sigwire: NOT_FOUND: No contact/m)
  })

  it('contacts groups: ls, new, add, drop, rm; contacts ls --group', { timeout: 60_000 }, async () => {
    expect((await json('contacts', 'groups', 'ls')).groups).toEqual([
      expect.objectContaining({ name: 'Work', contactIds: ['A1B2C3D4-0001'] }),
    ])
    const made = await json('contacts', 'groups', 'new', 'Choir', '--member', 'A1B2C3D4-0002')
    expect(made.group).toMatchObject({ name: 'Choir', contactIds: ['A1B2C3D4-0002'] })
    const added = await cli('contacts', 'groups', 'add', 'Choir', 'A1B2C3D4-0001')
    expect(added.stdout).toContain('Choir  2 contacts')
    const members = await json('contacts', 'ls', '--group', 'Choir')
    expect(members.contacts.map((c: { contactId: string }) => c.contactId)).toEqual([
      'A1B2C3D4-0002',
      'A1B2C3D4-0001',
    ])
    expect((await cli('contacts', 'groups', 'ls', 'Choir')).stdout).toMatch(
      /^ {2}Ada Lovelace {2}<ada@example.com>/m,
    )
    expect((await json('contacts', 'groups', 'drop', 'Choir', 'A1B2C3D4-0002')).group.contactIds).toEqual([
      'A1B2C3D4-0001',
    ])
    expect((await cli('contacts', 'groups', 'rm', 'Choir')).stdout).toContain('deleted group Choir')
    const gone = await cli('contacts', 'groups', 'ls', 'Choir')
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/^sigwire: NOT_FOUND: No contact group .*contacts groups ls/m)
    const stranger = await cli('contacts', 'groups', 'add', 'Work', 'NOT-A-CARD')
    expect(stranger.code).toBe(2)
    expect(stranger.stderr).toMatch(/^sigwire: NOT_FOUND: No contact has the id/m)
  })
})
