import { createRequire } from 'node:module'
import {
  type CloudKitClient,
  type CloudKitRecord,
  createCloudKitClient,
  type RecordResult,
  shareOperation,
} from '@sigwire/cloudkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

/*
 * Apple's CloudKit JS 2.6.4, unmodified (npm tsl-apple-cloudkit 0.2.34 ships it as lib/index.js; its
 * install script, which downloads the file again, is not run: pnpm-workspace.yaml builds nothing), in
 * Node against the emulator. CloudKit JS takes `fetch` from its configuration: the one given here sends
 * what CloudKit JS addresses to https://api.apple-cloudkit.com to the emulator instead, and answers
 * anything else (its statistics host) without the network.
 */

interface CkResponse {
  readonly zones?: Array<Record<string, unknown>>
  readonly records?: Array<Record<string, unknown>>
  readonly results?: Array<Record<string, unknown>>
  readonly subscriptions?: Array<Record<string, unknown>>
  readonly syncToken?: string
  readonly moreComing?: boolean
  readonly hasErrors: boolean
  readonly errors: unknown[]
}

interface CkDatabase {
  fetchDatabaseChanges(options?: unknown): Promise<CkResponse>
  fetchRecordZoneChanges(zones: unknown): Promise<CkResponse>
  saveRecordZones(zones: unknown): Promise<CkResponse>
  saveRecords(records: unknown, options?: unknown): Promise<CkResponse>
  saveSubscriptions(subscriptions: unknown): Promise<CkResponse>
}

interface CkContainer {
  fetchCurrentUserIdentity(): Promise<unknown>
  readonly privateCloudDatabase: CkDatabase
  readonly sharedCloudDatabase: CkDatabase
  readonly publicCloudDatabase: CkDatabase
  fetchRecordInfos(shortGUIDs: readonly string[]): Promise<CkResponse>
  acceptShares(shortGUIDs: readonly string[]): Promise<CkResponse>
  registerForNotifications(): Promise<unknown>
  unregisterForNotifications(): unknown
  addNotificationListener(listener: (notification: CkNotification) => void): unknown
}

interface CkNotification {
  readonly notificationType: string
  readonly subscriptionID: string
  readonly recordName?: string
  readonly queryNotificationReason?: string
  readonly isPublicDatabase?: boolean
  readonly zoneID?: { zoneName: string }
  readonly containerIdentifier: string
  readonly alertBody?: string
}

interface CloudKitJs {
  configure(config: unknown): void
  getDefaultContainer(): CkContainer
}

const OWNER = '_owner0000000000000000000000000a'
const GUEST = '_guest0000000000000000000000000b'

let emulator: CloudKitEmulator
let owner: CloudKitClient
let s2s: CloudKitClient
let container: CkContainer
const elsewhere: string[] = []

beforeAll(async () => {
  emulator = await startCloudKitEmulator({
    users: [
      { userRecordName: OWNER, emailAddress: 'owner@sigwire.test' },
      { userRecordName: GUEST, emailAddress: 'guest@sigwire.test', givenName: 'Gus' },
    ],
    webcourierHoldMs: 300,
  })
  const common = {
    container: emulator.dev!.container,
    environment: 'development' as const,
    baseUrl: emulator.url,
    transport: { proxy: false as const },
  }
  owner = createCloudKitClient({
    ...common,
    apiToken: emulator.dev!.apiToken,
    webAuthToken: emulator.issueWebAuthToken({ userRecordName: OWNER }),
  })
  s2s = createCloudKitClient({
    ...common,
    serverToServer: { keyId: emulator.dev!.keyId, privateKey: emulator.dev!.privateKeyPem },
  })

  const CloudKit = createRequire(import.meta.url)('tsl-apple-cloudkit/lib/index.js') as CloudKitJs
  const apple = 'https://api.apple-cloudkit.com'
  const fetchToEmulator = (url: string, init?: RequestInit) => {
    if (url.startsWith(apple)) return fetch(emulator.url + url.slice(apple.length), init)
    if (url.startsWith(emulator.url)) return fetch(url, init)
    elsewhere.push(url)
    return Promise.resolve(new Response(null, { status: 204 }))
  }
  const quiet = { log() {}, info() {}, warn() {}, error() {} }
  CloudKit.configure({
    services: { fetch: fetchToEmulator, logger: quiet },
    containers: [
      {
        containerIdentifier: emulator.dev!.container,
        environment: 'development',
        apnsEnvironment: 'development',
        apiTokenAuth: {
          apiToken: emulator.dev!.apiToken,
          ckWebAuthToken: emulator.issueWebAuthToken({ userRecordName: GUEST }),
        },
      },
    ],
  })
  container = CloudKit.getDefaultContainer()
  // setUpAuth draws sign-in buttons in a page; in Node the web auth token given above is the session.
  // (CloudKit JS hands back the body of users/caller, which the reference documents as {users: [identity]}.)
  expect(JSON.stringify(await container.fetchCurrentUserIdentity())).toContain(GUEST)
})

afterAll(async () => {
  container?.unregisterForNotifications()
  await owner?.close()
  await s2s?.close()
  await emulator?.close()
})

function ok(result: RecordResult | undefined): CloudKitRecord {
  if (!result?.ok) throw new Error(`expected a record, got ${JSON.stringify(result)}`)
  return result.record
}

function names(response: CkResponse, zone = 0): string[] {
  return ((response.zones?.[zone]?.records as Array<{ recordName: string }>) ?? [])
    .map((r) => r.recordName)
    .sort()
}

describe("Apple's CloudKit JS 2.6.4 against the CloudKit emulator", () => {
  it('fetchDatabaseChanges and fetchRecordZoneChanges in its own private database, following tokens and moreComing', async () => {
    const db = container.privateCloudDatabase
    const zoneID = { zoneName: 'Notes' }
    const created = await db.saveRecordZones([zoneID])
    expect(created.hasErrors).toBe(false)
    const saved = await db.saveRecords(
      [1, 2, 3].map((n) => ({ recordName: `note-${n}`, recordType: 'Note', fields: { n: { value: n } } })),
      { zoneID },
    )
    expect(saved.hasErrors).toBe(false)

    const changes = await db.fetchDatabaseChanges()
    expect(changes.hasErrors).toBe(false)
    expect(changes.moreComing).toBe(false)
    expect(changes.zones?.map((z) => (z.zoneID as { zoneName: string }).zoneName)).toEqual(['Notes'])
    // The response itself is the next request (CloudKit JS reads its syncToken).
    const none = await db.fetchDatabaseChanges(changes)
    expect(none.zones).toEqual([])

    const page1 = await db.fetchRecordZoneChanges([{ zoneID, resultsLimit: 2 }])
    expect(page1.hasErrors).toBe(false)
    expect(page1.zones?.[0]).toMatchObject({ moreComing: true })
    expect(names(page1)).toEqual(['note-1', 'note-2'])
    const page2 = await db.fetchRecordZoneChanges([{ zoneID, syncToken: page1.zones![0]!.syncToken }])
    expect(page2.zones?.[0]).toMatchObject({ moreComing: false })
    expect(names(page2)).toEqual(['note-3'])

    const note2 = (page1.zones![0]!.records as Array<{ recordName: string; recordChangeTag: string }>).find(
      (r) => r.recordName === 'note-2',
    )!
    const updated = await db.saveRecords(
      [
        {
          recordName: 'note-2',
          recordType: 'Note',
          recordChangeTag: note2.recordChangeTag,
          fields: { n: { value: 20 } },
        },
      ],
      { zoneID },
    )
    expect(updated.hasErrors).toBe(false)
    expect((await db.fetchDatabaseChanges(none)).zones).toHaveLength(1)
    const page3 = await db.fetchRecordZoneChanges([{ zoneID, syncToken: page2.zones![0]!.syncToken }])
    expect(names(page3)).toEqual(['note-2'])
  })

  it('fetchRecordInfos and acceptShares a share, then reads it through the shared database', async () => {
    const db = owner.privateDatabase
    const zoneID = { zoneName: 'Trips' }
    await db.zones.modify([{ operationType: 'create', zone: { zoneID } }])
    const [trip] = await db.records.modify(
      [
        {
          operationType: 'create',
          record: { recordName: 'trip', recordType: 'Trip', fields: { title: 'Lisbon' } },
        },
        {
          operationType: 'create',
          record: { recordName: 'stop', recordType: 'Stop', parent: { recordName: 'trip' } },
        },
        { operationType: 'create', record: { recordName: 'secret', recordType: 'Note' } },
      ],
      { zoneID },
    )
    const [share] = await db.records.modify(
      [
        shareOperation({
          root: { recordName: 'trip', recordChangeTag: ok(trip).recordChangeTag! },
          participants: [
            { userIdentity: { lookupInfo: { emailAddress: 'guest@sigwire.test' } }, permission: 'READ_ONLY' },
          ],
        }),
      ],
      { zoneID },
    )
    const shortGUID = ok(share).shortGUID!

    const infos = await container.fetchRecordInfos([shortGUID])
    expect(infos.hasErrors).toBe(false)
    expect(infos.results?.[0]).toMatchObject({
      shortGUID,
      participantStatus: 'PENDING',
      zoneID: { zoneName: 'Trips', ownerRecordName: OWNER },
    })
    expect((await container.sharedCloudDatabase.fetchDatabaseChanges()).zones).toEqual([])

    const accepted = await container.acceptShares([shortGUID])
    expect(accepted.hasErrors).toBe(false)
    expect(accepted.results?.[0]).toMatchObject({
      participantStatus: 'ACCEPTED',
      participantPermission: 'READ_ONLY',
    })

    const sharedChanges = await container.sharedCloudDatabase.fetchDatabaseChanges()
    expect(sharedChanges.zones).toMatchObject([{ zoneID: { zoneName: 'Trips', ownerRecordName: OWNER } }])
    const records = await container.sharedCloudDatabase.fetchRecordZoneChanges([
      { zoneID: sharedChanges.zones![0]!.zoneID },
    ])
    expect(records.hasErrors).toBe(false)
    expect(names(records)).toEqual([ok(share).recordName, 'stop', 'trip'].sort())

    const unknown = await container.acceptShares(['0unknown'])
    expect(unknown.hasErrors).toBe(true)
  })

  it('registers for notifications and receives query and zone notifications by long-polling the webcourier URL', async () => {
    const received: CkNotification[] = []
    container.addNotificationListener((n) => received.push(n))
    await container.registerForNotifications()
    const subscribed = await container.publicCloudDatabase.saveSubscriptions([
      {
        subscriptionID: 'memos',
        subscriptionType: 'query',
        query: { recordType: 'Memo' },
        firesOn: ['create'],
        notificationInfo: { alertBody: 'Memo!' },
      },
    ])
    expect(subscribed.hasErrors).toBe(false)
    const zoneSubscribed = await container.privateCloudDatabase.saveSubscriptions([
      { subscriptionID: 'notes-zone', subscriptionType: 'zone', zoneID: { zoneName: 'Notes' } },
    ])
    expect(zoneSubscribed.hasErrors).toBe(false)

    await s2s.publicDatabase.records.modify([
      { operationType: 'create', record: { recordName: 'memo-1', recordType: 'Memo' } },
    ])
    await waitFor(() => received.length >= 1)
    expect(received[0]).toMatchObject({
      notificationType: 'NOTIFICATION_TYPE_QUERY',
      subscriptionID: 'memos',
      recordName: 'memo-1',
      queryNotificationReason: 'QUERY_NOTIFICATION_REASON_RECORD_CREATED',
      isPublicDatabase: true,
      containerIdentifier: emulator.dev!.container,
      alertBody: 'Memo!',
    })

    await container.privateCloudDatabase.saveRecords([{ recordType: 'Note', fields: {} }], {
      zoneID: { zoneName: 'Notes' },
    })
    await waitFor(() => received.length >= 2)
    expect(received[1]).toMatchObject({
      notificationType: 'NOTIFICATION_TYPE_RECORD_ZONE',
      subscriptionID: 'notes-zone',
      zoneID: { zoneName: 'Notes' },
    })
    expect(elsewhere.every((url) => !url.startsWith('https://api.apple-cloudkit.com'))).toBe(true)
  })
})

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for a notification')
    await new Promise((r) => setTimeout(r, 20))
  }
}
