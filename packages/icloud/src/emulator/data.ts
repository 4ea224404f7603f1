import { encodeCalendarDate } from '../client/calendar-date.js'
import { type DriveEmulator, OTHER_MEDIA } from './drive/drive-emulator.js'
import type { EmulatedAccount } from './state.js'

/**
 * Storage usage of an emulated account (docs/protocols/icloud.md §8.1 shape): fixed amounts for
 * photos, backups and mail, and the real bytes of its Drive as `docs` (trash included), against
 * the Drive's quota.
 */
export function storageUsage(account: EmulatedAccount, drive: DriveEmulator): Record<string, unknown> {
  const docs = drive.state.usage(account.appleId)
  const media = [
    ...OTHER_MEDIA.slice(0, 2),
    { mediaKey: 'docs', displayLabel: 'Documents', displayColor: 'ff9500', usageInBytes: docs },
    ...OTHER_MEDIA.slice(2),
  ]
  const used = media.reduce((sum, m) => sum + m.usageInBytes, 0)
  const total = drive.quotaBytes
  return {
    storageUsageByMedia: media,
    storageUsageInfo: {
      compStorageInBytes: 0,
      usedStorageInBytes: used,
      totalStorageInBytes: total,
      commerceStorageInBytes: total,
    },
    quotaStatus: {
      overQuota: used >= total,
      haveMaxQuotaTier: false,
      'almost-full': used >= total * 0.95,
      paidQuota: true,
    },
    familyStorageUsageInfo: {
      mediaKey: 'family',
      displayLabel: 'Family',
      usageInBytes: 0,
      familyMembers: [],
    },
  }
}

/** The account holder's card. */
export function meCard(account: EmulatedAccount): Record<string, unknown> {
  return {
    contactId: `ME-${account.dsid}`,
    etag: 'C=1@U=me',
    firstName: account.firstName,
    lastName: account.lastName,
    emailAddresses: [{ field: account.appleId, label: 'HOME' }],
    phones: [{ field: '+1 408 555 0103', label: 'MOBILE' }],
    isCompany: false,
  }
}

/** Contacts of an emulated account, the me card first, then enough people to page through (25 in all). */
export function contacts(account: EmulatedAccount): Record<string, unknown>[] {
  const people: Record<string, unknown>[] = [
    meCard(account),
    {
      contactId: 'A1B2C3D4-0001',
      etag: 'C=2@U=a',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailAddresses: [{ field: 'ada@example.com', label: 'WORK' }],
      phones: [{ field: '+44 20 7946 0001', label: 'WORK' }],
    },
    {
      contactId: 'A1B2C3D4-0002',
      etag: 'C=3@U=b',
      companyName: 'Analytical Engines Ltd',
      isCompany: true,
      emailAddresses: [],
      phones: [{ field: '+44 20 7946 0002', label: 'MAIN' }],
    },
  ]
  const names = [
    'Grace',
    'Alan',
    'Edsger',
    'Barbara',
    'Donald',
    'Frances',
    'John',
    'Radia',
    'Ken',
    'Hedy',
    'Tim',
  ]
  for (let i = 3; i < 25; i++) {
    const first = names[i % names.length]!
    const n = String(i).padStart(4, '0')
    people.push({
      contactId: `A1B2C3D4-${n}`,
      etag: `C=${i + 1}@U=${n}`,
      firstName: first,
      lastName: `Contact ${n}`,
      emailAddresses: [{ field: `${first.toLowerCase()}.${n}@example.com`, label: 'HOME' }],
      phones: [],
    })
  }
  return people
}

/** Calendar data in `usertz`, relative to `now`: one event tomorrow 10:00 Paris time with an alarm 15 minutes before. */
export function calendar(
  now: number,
  userTz: string,
): { collections: unknown[]; events: unknown[]; alarms: unknown[] } {
  const eventTz = 'Europe/Paris'
  const tomorrow = new Date(now + 86_400_000)
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: eventTz }).format(tomorrow)
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number]
  // 10:00 in Paris on that day: find the instant by trying both possible offsets (+1h and +2h).
  const start = [1, 2]
    .map((h) => Date.UTC(y, m - 1, d, 10 - h, 0))
    .find((t) => encodeCalendarDate(new Date(t), eventTz)[4] === 10)!
  const end = start + 3_600_000
  const trigger = start - 15 * 60_000
  const event = {
    guid: 'EVT-0001',
    pGuid: 'home',
    title: 'Review sigwire release',
    tz: eventTz,
    allDay: false,
    duration: 60,
    location: 'Paris',
    startDate: encodeCalendarDate(new Date(start), eventTz),
    endDate: encodeCalendarDate(new Date(end), eventTz),
    localStartDate: encodeCalendarDate(new Date(start), userTz),
    localEndDate: encodeCalendarDate(new Date(end), userTz),
    etag: 'E=1',
  }
  return {
    collections: [
      {
        guid: 'home',
        title: 'Home',
        color: '#34aadc',
        ctag: 'HwoQEgwAAAAAAAAAAAAAAAAYARgAIhUIzpnO',
        enabled: true,
        supportedType: 'Event',
        symbolicColor: '#34aadc',
        order: 1,
        objectType: 'personal',
        isFamily: false,
        shareType: null,
      },
    ],
    events: [event],
    alarms: [
      {
        guid: 'EVT-0001:ALARM-1',
        pGuid: 'home',
        title: event.title,
        triggerDate: encodeCalendarDate(new Date(trigger), userTz),
        startDate: event.startDate,
        endDate: event.endDate,
        localStartDate: event.localStartDate,
        localEndDate: event.localEndDate,
        allDay: false,
        duration: 60,
        tz: eventTz,
        location: event.location,
        messageType: 'message',
      },
    ],
  }
}

/** The key-value store's answer (a static stub, as the notes describe). */
export function keyValue(now: number): Record<string, unknown> {
  return {
    timestamp: now,
    status: 0,
    apps: [
      {
        'app-id': 'account',
        'registry-version': 'FT=-@RU=3f2a9c1e-0000-4000-8000-000000000001@S=12',
        'registry-status': 1,
        keys: [
          { name: 'locale', data: 'en-us' },
          { name: 'timezone', data: 'Europe/Paris' },
        ],
      },
      {
        'app-id': 'calendar',
        'registry-version': 'FT=-@RU=3f2a9c1e-0000-4000-8000-000000000002@S=3',
        'registry-status': 1,
        keys: [{ name: 'defaultCalendar', data: 'home' }],
      },
    ],
  }
}
