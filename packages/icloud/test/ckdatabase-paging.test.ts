import { type ICloudClient, isICloudError } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callCkDatabase, queryPages } from '../src/client/ckdatabase.js'
import type { NotesService } from '../src/client/notes/notes.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

// The paging the Photos, Notes and Reminders containers share (src/emulator/ckdatabase, and the
// client's queryPages): small pages must add up to the one-page answer, and a marker is tied to its query.

const ACCOUNT = { appleId: 'pager@example.com', password: 'pager password 1', twoFactor: false }
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT] })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: ACCOUNT.password })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

type Page = { records?: Array<{ recordName: string }>; continuationMarker?: string }

const call = <T>(container: string, op: string, body: unknown) =>
  callCkDatabase<T>((client.notes as NotesService).caller, {
    container,
    database: 'private',
    op,
    body,
    options: {},
  })

const notesIndex = (indexName: string, resultsLimit: number, marker?: string) =>
  call<Page>('com.apple.notes', 'records/query', {
    query: {
      recordType: 'SearchIndexes',
      filterBy: [
        { comparator: 'EQUALS', fieldName: 'indexName', fieldValue: { type: 'STRING', value: indexName } },
      ],
    },
    zoneID: { zoneName: 'Notes' },
    resultsLimit,
    ...(marker ? { continuationMarker: marker } : {}),
  })

async function names(pages: AsyncIterable<Page>): Promise<{ names: string[]; pages: number }> {
  const out: string[] = []
  let count = 0
  for await (const page of pages) {
    count += 1
    expect(page.records!.length).toBeLessThanOrEqual(2)
    out.push(...page.records!.map((r) => r.recordName))
  }
  return { names: out, pages: count }
}

describe('ckdatabasews paging shared by the Apple containers', () => {
  it('Notes: pages of 2 of the recents index add up to the one-page answer; a marker of another index is refused', async () => {
    const whole = (await notesIndex('recents', 200)).records!.map((r) => r.recordName)
    expect(whole.length).toBeGreaterThan(2)
    const paged = await names(queryPages((marker) => notesIndex('recents', 2, marker)))
    expect(paged.names).toEqual(whole)
    expect(paged.pages).toBe(Math.ceil(whole.length / 2))
    const marker = (await notesIndex('recents', 2)).continuationMarker!
    const refused = await notesIndex('parentless', 2, marker).catch((e: unknown) => e)
    expect(isICloudError(refused, 'SERVICE_ERROR')).toBe(true)
    expect(refused).toMatchObject({ status: 400, serviceCode: 'BAD_REQUEST' })
  })

  it('Reminders: the compound reminderList query pages one record at a time', async () => {
    const [list] = await client.reminders.lists()
    const query = (resultsLimit: number, marker?: string) =>
      call<Page>('com.apple.reminders', 'records/query', {
        query: {
          recordType: 'reminderList',
          filterBy: [
            {
              comparator: 'EQUALS',
              fieldName: 'List',
              fieldValue: { type: 'REFERENCE', value: { recordName: list!.id, action: 'VALIDATE' } },
            },
            { comparator: 'EQUALS', fieldName: 'includeCompleted', fieldValue: { type: 'INT64', value: 1 } },
          ],
        },
        zoneID: { zoneName: 'Reminders', zoneType: 'REGULAR_CUSTOM_ZONE' },
        resultsLimit,
        ...(marker ? { continuationMarker: marker } : {}),
      })
    const whole = (await query(200)).records!.map((r) => r.recordName)
    expect(whole.length).toBeGreaterThan(1)
    const paged = await names(queryPages((marker) => query(1, marker)))
    expect(paged).toEqual({ names: whole, pages: whole.length })
  })

  it('changes/zone: resultsLimit pages with moreComing, desiredRecordTypes keeps the asked types', async () => {
    type Changes = {
      zones: Array<{
        records: Array<{ recordName: string; recordType?: string }>
        syncToken: string
        moreComing: boolean
      }>
    }
    const changes = (syncToken?: string, resultsLimit?: number, desiredRecordTypes?: string[]) =>
      call<Changes>('com.apple.notes', 'changes/zone', {
        zones: [
          {
            zoneID: { zoneName: 'Notes' },
            ...(syncToken ? { syncToken } : {}),
            ...(desiredRecordTypes ? { desiredRecordTypes } : {}),
          },
        ],
        ...(resultsLimit ? { resultsLimit } : {}),
      })
    const whole = (await changes()).zones[0]!
    expect(whole.moreComing).toBe(false)
    const paged: string[] = []
    let token: string | undefined
    for (;;) {
      const zone = (await changes(token, 2)).zones[0]!
      expect(zone.records.length).toBeLessThanOrEqual(2)
      paged.push(...zone.records.map((r) => r.recordName))
      token = zone.syncToken
      if (!zone.moreComing) break
    }
    expect(paged).toEqual(whole.records.map((r) => r.recordName))
    const folders = (await changes(undefined, undefined, ['Folder'])).zones[0]!.records
    expect(folders.length).toBeGreaterThan(0)
    expect(new Set(folders.map((r) => r.recordType))).toEqual(new Set(['Folder']))
  })
})
