import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CloudKitClient,
  type CloudKitNotification,
  type CloudKitRecord,
  createCloudKitClient,
  createFilePushRegistrationStore,
  createMemoryPushRegistrationStore,
  createMemorySyncTokenStore,
  type RecordResult,
  shareOperation,
} from '@sigwire/cloudkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

const OWNER = '_owner0000000000000000000000000a'
const GUEST = '_guest0000000000000000000000000b'
const STRANGER = '_stranger00000000000000000000000c'

let emulator: CloudKitEmulator
let s2s: CloudKitClient
let owner: CloudKitClient
let guest: CloudKitClient
let stranger: CloudKitClient

function userClient(user: string, retries = 1): CloudKitClient {
  return createCloudKitClient({
    container: emulator.dev!.container,
    environment: 'development',
    apiToken: emulator.dev!.apiToken,
    webAuthToken: emulator.issueWebAuthToken({ userRecordName: user }),
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { maxAttempts: retries, baseDelayMs: 1 } },
  })
}

beforeAll(async () => {
  emulator = await startCloudKitEmulator({
    users: [
      { userRecordName: OWNER, emailAddress: 'owner@sigwire.test', givenName: 'Olive' },
      { userRecordName: GUEST, emailAddress: 'guest@sigwire.test', givenName: 'Gus' },
      { userRecordName: STRANGER, emailAddress: 'stranger@sigwire.test' },
    ],
    webcourierHoldMs: 200,
  })
  s2s = createCloudKitClient({
    container: emulator.dev!.container,
    environment: 'development',
    serverToServer: { keyId: emulator.dev!.keyId, privateKey: emulator.dev!.privateKeyPem },
    baseUrl: emulator.url,
    transport: { proxy: false },
  })
  owner = userClient(OWNER)
  guest = userClient(GUEST)
  stranger = userClient(STRANGER)
})
afterAll(async () => {
  for (const c of [s2s, owner, guest, stranger]) await c?.close()
  await emulator?.close()
})

function ok(result: RecordResult | undefined): CloudKitRecord {
  if (!result?.ok) throw new Error(`expected a record, got ${JSON.stringify(result)}`)
  return result.record
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterator) out.push(item)
  return out
}

describe('CloudKit change feeds (changes/database, changes/zone)', () => {
  it('lists changed zones since a token, then the records of each zone, page by page, with stored tokens', async () => {
    const db = owner.privateDatabase
    await db.zones.modify([
      { operationType: 'create', zone: { zoneID: { zoneName: 'Feed-A' } } },
      { operationType: 'create', zone: { zoneID: { zoneName: 'Feed-B' } } },
    ])
    for (const zoneName of ['Feed-A', 'Feed-B'])
      await db.records.modify(
        [1, 2, 3].map((n) => ({
          operationType: 'create' as const,
          record: { recordName: `${zoneName}-${n}`, recordType: 'Note', fields: { n } },
        })),
        { zoneID: { zoneName } },
      )
    const store = createMemorySyncTokenStore()
    const first = await collect(db.changes.databasePages({ resultsLimit: 1 }, { store }))
    expect(first.length).toBeGreaterThanOrEqual(2)
    expect(first.flatMap((p) => p.zones.map((z) => z.zoneID.zoneName))).toEqual(
      expect.arrayContaining(['Feed-A', 'Feed-B']),
    )
    expect(first.at(-1)!.moreComing).toBe(false)
    const saved = await store.load()
    expect(saved).toBe(first.at(-1)!.syncToken)

    // Nothing changed since: no zone. Then one zone changes.
    expect((await db.changes.database({ syncToken: saved! })).zones).toEqual([])
    await db.records.modify(
      [
        {
          operationType: 'forceUpdate',
          record: { recordName: 'Feed-B-1', recordType: 'Note', fields: { n: 10 } },
        },
      ],
      {
        zoneID: { zoneName: 'Feed-B' },
      },
    )
    const later = await collect(db.changes.databasePages({}, { store }))
    expect(later.flatMap((p) => p.zones)).toEqual([{ zoneID: { zoneName: 'Feed-B' } }])

    // The zone's records, two at a time, with the token saved page after page.
    const zoneStore = createMemorySyncTokenStore()
    const pages = await collect(
      db.changes.zonePages({ zoneID: { zoneName: 'Feed-A' }, resultsLimit: 2 }, { store: zoneStore }),
    )
    expect(pages.map((p) => p.records.map((r) => r.recordName))).toEqual([
      ['Feed-A-1', 'Feed-A-2'],
      ['Feed-A-3'],
    ])
    await db.records.modify([{ operationType: 'forceDelete', record: { recordName: 'Feed-A-2' } }], {
      zoneID: { zoneName: 'Feed-A' },
    })
    const after = await collect(
      db.changes.zonePages({ zoneID: { zoneName: 'Feed-A' } }, { store: zoneStore }),
    )
    expect(after.flatMap((p) => p.records)).toMatchObject([{ recordName: 'Feed-A-2', deleted: true }])

    // Several zones in one changes/zone request, each with its own token; a missing zone is its own error.
    const [a, b, missing] = await db.changes.zones([
      { zoneID: { zoneName: 'Feed-A' }, desiredRecordTypes: ['Nothing'] },
      { zoneID: { zoneName: 'Feed-B' }, desiredKeys: ['n'] },
      { zoneID: { zoneName: 'Nope' } },
    ])
    // A deletion is listed whatever the record's type was (its tombstone keeps no type).
    expect(a?.ok && a.records.filter((r) => !r.deleted)).toEqual([])
    expect(b?.ok && b.records.map((r) => r.fields.n)).toEqual([
      { type: 'INT64', value: 2 },
      { type: 'INT64', value: 3 },
      { type: 'INT64', value: 10 },
    ])
    expect(missing).toMatchObject({ ok: false, error: { code: 'ZONE_NOT_FOUND' } })

    // A deleted zone is reported deleted.
    await db.zones.modify([{ operationType: 'delete', zone: { zoneID: { zoneName: 'Feed-A' } } }])
    expect((await db.changes.database({ syncToken: (await store.load())! })).zones).toEqual([
      { zoneID: { zoneName: 'Feed-A' }, deleted: true },
    ])

    await expect(s2s.publicDatabase.changes.database()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(db.changes.database({ syncToken: 'bm9wZQ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})

describe('CloudKit sharing (cloudkit.share in records/modify, records/resolve, records/accept)', () => {
  it('shares a record hierarchy with an invited participant, who resolves, accepts and works in the shared database', async () => {
    const db = owner.privateDatabase
    const zoneID = { zoneName: 'Trips' }
    await db.zones.modify([{ operationType: 'create', zone: { zoneID } }])
    const [trip, , other] = await db.records.modify(
      [
        {
          operationType: 'create',
          record: { recordName: 'trip-1', recordType: 'Trip', fields: { title: 'Lisbon' } },
        },
        {
          operationType: 'create',
          record: {
            recordName: 'stop-1',
            recordType: 'Stop',
            fields: { title: 'Alfama' },
            parent: { recordName: 'trip-1' },
          },
        },
        {
          operationType: 'create',
          record: { recordName: 'diary', recordType: 'Note', fields: { title: 'private' } },
        },
      ],
      { zoneID },
    )
    expect(ok(other).recordName).toBe('diary')
    const [shared] = await db.records.modify(
      [
        shareOperation({
          recordName: 'share-1',
          root: { recordName: 'trip-1', recordChangeTag: ok(trip).recordChangeTag! },
          participants: [
            {
              userIdentity: { lookupInfo: { emailAddress: 'guest@sigwire.test' } },
              permission: 'READ_WRITE',
            },
          ],
          title: 'Lisbon trip',
        }),
      ],
      { zoneID },
    )
    const share = ok(shared)
    expect(share.shortGUID).toMatch(/^\w+$/)
    expect(share.publicPermission).toBe('NONE')
    expect(share.participants).toMatchObject([
      {
        type: 'OWNER',
        acceptanceStatus: 'ACCEPTED',
        permission: 'READ_WRITE',
        userIdentity: { userRecordName: OWNER },
      },
      { type: 'PRIVATE_USER', acceptanceStatus: 'PENDING', permission: 'READ_WRITE' },
    ])
    const [root] = await db.records.lookup(['trip-1'], { zoneID })
    expect(ok(root).share).toMatchObject({ recordName: 'share-1' })
    expect(ok(root).recordChangeTag).not.toBe(ok(trip).recordChangeTag)

    // Before accepting: resolve shows the share, the shared database shows nothing.
    const [info] = await guest.sharing.resolve([{ value: share.shortGUID!, shouldFetchRootRecord: true }])
    expect(info).toMatchObject({
      ok: true,
      info: {
        zoneID: { zoneName: 'Trips', ownerRecordName: OWNER },
        participantStatus: 'PENDING',
        participantPermission: 'READ_WRITE',
        ownerIdentity: { userRecordName: OWNER },
        rootRecord: { recordName: 'trip-1', fields: { title: { type: 'STRING', value: 'Lisbon' } } },
      },
    })
    expect((await guest.sharedDatabase.changes.database()).zones).toEqual([])
    const [denied] = await stranger.sharing.resolve([share.shortGUID!])
    expect(denied).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } })
    const [unknown] = await guest.sharing.resolve(['0nothing'])
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    await expect(s2s.sharing.accept([share.shortGUID!])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })

    // Accepting: the participant becomes ACCEPTED, the zone appears in the guest's shared database.
    const [accepted] = await guest.sharing.accept([share.shortGUID!])
    expect(accepted).toMatchObject({ ok: true, info: { participantStatus: 'ACCEPTED' } })
    const sharedZones = await guest.sharedDatabase.changes.database()
    expect(sharedZones.zones).toEqual([{ zoneID: { zoneName: 'Trips', ownerRecordName: OWNER } }])
    const sharedZoneID = { zoneName: 'Trips', ownerRecordName: OWNER }
    const visible = await collect(guest.sharedDatabase.changes.zonePages({ zoneID: sharedZoneID }))
    expect(visible.flatMap((p) => p.records.map((r) => r.recordName)).sort()).toEqual([
      'share-1',
      'stop-1',
      'trip-1',
    ])
    const [hidden] = await guest.sharedDatabase.records.lookup(['diary'], { zoneID: sharedZoneID })
    expect(hidden).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })

    // READ_WRITE: the guest changes a shared record; the owner's change feed shows it.
    const ownerStore = createMemorySyncTokenStore()
    await collect(db.changes.zonePages({ zoneID }, { store: ownerStore }))
    const [stop] = await guest.sharedDatabase.records.lookup(['stop-1'], { zoneID: sharedZoneID })
    await guest.sharedDatabase.records.modify(
      [
        {
          operationType: 'update',
          record: {
            recordName: 'stop-1',
            recordChangeTag: ok(stop).recordChangeTag!,
            fields: { title: 'Belém' },
          },
        },
      ],
      { zoneID: sharedZoneID },
    )
    const ownerSees = await collect(db.changes.zonePages({ zoneID }, { store: ownerStore }))
    expect(ownerSees.flatMap((p) => p.records)).toMatchObject([
      { recordName: 'stop-1', fields: { title: { value: 'Belém' } } },
    ])
    // The owner sees the guest as an accepted participant.
    const [again] = await db.records.lookup(['share-1'], { zoneID })
    expect(ok(again).participants?.[1]).toMatchObject({
      acceptanceStatus: 'ACCEPTED',
      userIdentity: { userRecordName: GUEST },
    })

    // A stranger sees nothing of the zone; deleting the share ends the guest's access.
    await expect(
      stranger.sharedDatabase.records.lookup(['trip-1'], { zoneID: sharedZoneID }),
    ).rejects.toMatchObject({
      code: 'ZONE_NOT_FOUND',
    })
    await db.records.modify([{ operationType: 'forceDelete', record: { recordName: 'share-1' } }], { zoneID })
    const [unshared] = await db.records.lookup(['trip-1'], { zoneID })
    expect(ok(unshared).share).toBeUndefined()
    await expect(
      guest.sharedDatabase.records.lookup(['trip-1'], { zoneID: sharedZoneID }),
    ).rejects.toMatchObject({
      code: 'ZONE_NOT_FOUND',
    })
  })

  it('lets anyone with the URL join a public share as PUBLIC_USER with its permission', async () => {
    const db = owner.privateDatabase
    const zoneID = { zoneName: 'Open' }
    await db.zones.modify([{ operationType: 'create', zone: { zoneID } }])
    const [root] = await db.records.modify(
      [{ operationType: 'create', record: { recordName: 'flyer', recordType: 'Flyer' } }],
      { zoneID },
    )
    const [created] = await db.records.modify(
      [
        shareOperation({
          root: { recordName: 'flyer', recordChangeTag: ok(root).recordChangeTag! },
          publicPermission: 'READ_ONLY',
        }),
      ],
      { zoneID },
    )
    const [joined] = await stranger.sharing.accept([ok(created).shortGUID!])
    expect(joined).toMatchObject({
      ok: true,
      info: { participantType: 'PUBLIC_USER', participantPermission: 'READ_ONLY' },
    })
    const sharedZoneID = { zoneName: 'Open', ownerRecordName: OWNER }
    await expect(
      stranger.sharedDatabase.records.modify([{ operationType: 'create', record: { recordType: 'Flyer' } }], {
        zoneID: sharedZoneID,
      }),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' })
  })
})

describe('CloudKit assets/rereference', () => {
  it('gives another record the bytes of an asset a record already holds, without uploading them again', async () => {
    const db = s2s.publicDatabase
    const uploaded = await db.assets.upload({
      recordName: 'photo-1',
      recordType: 'Photo',
      fieldName: 'image',
      body: new TextEncoder().encode('pixels'),
    })
    await db.records.modify([
      {
        operationType: 'create',
        record: { recordName: 'photo-1', recordType: 'Photo', fields: { image: uploaded.field } },
      },
    ])
    const [again, missing] = await db.assets.rereference([
      { recordName: 'photo-1', fieldName: 'image' },
      { recordName: 'photo-1', fieldName: 'nothing' },
    ])
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    if (!again?.ok) throw new Error('rereference failed')
    expect(again.receipt.fileChecksum).toBe(uploaded.receipt.fileChecksum)
    await db.records.modify([
      {
        operationType: 'create',
        record: { recordName: 'photo-2', recordType: 'Photo', fields: { image: again.field } },
      },
    ])
    const [copy] = await db.records.lookup(['photo-2'])
    const dir = await mkdtemp(join(tmpdir(), 'ck-reref-'))
    try {
      const path = join(dir, 'copy')
      const image = ok(copy).fields.image
      if (image?.type !== 'ASSETID') throw new Error('expected an asset field')
      await db.assets.downloadToFile(image.value, path)
      expect(await readFile(path, 'utf8')).toBe('pixels')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('CloudKit notifications (tokens/create, the webcourier URL, subscriptions)', () => {
  it('delivers query, zone and database notifications to the subscriber, resumes a stored registration, and backs off', async () => {
    const listener = userClient(GUEST)
    try {
      await listener.publicDatabase.subscriptions.modify([
        {
          operationType: 'create',
          subscription: {
            subscriptionID: 'new-notes',
            subscriptionType: 'query',
            query: {
              recordType: 'Memo',
              filterBy: [{ comparator: 'EQUALS', fieldName: 'topic', fieldValue: { value: 'ck' } }],
            },
            firesOn: ['create', 'delete'],
            notificationInfo: { alertBody: 'A new memo', desiredKeys: ['topic'], shouldBadge: true },
          },
        },
      ])
      const store = createMemoryPushRegistrationStore()
      const controller = new AbortController()
      const errors: string[] = []
      const iterator = listener.notifications.listen({
        store,
        signal: controller.signal,
        backoff: { initialMs: 5, maxMs: 20 },
        onError: (error) => errors.push(error.code),
      })
      const next = () => iterator.next().then((r) => r.value as CloudKitNotification)
      const first = next()
      await waitFor(async () => (await store.load()) !== undefined)
      await s2s.publicDatabase.records.modify([
        {
          operationType: 'create',
          record: { recordName: 'memo-skip', recordType: 'Memo', fields: { topic: 'other' } },
        },
        {
          operationType: 'create',
          record: { recordName: 'memo-1', recordType: 'Memo', fields: { topic: 'ck' } },
        },
      ])
      expect(await first).toMatchObject({
        type: 'query',
        reason: 'created',
        recordName: 'memo-1',
        subscriptionID: 'new-notes',
        databaseScope: 'public',
        fields: { topic: 'ck' },
        alert: { body: 'A new memo' },
        badge: 1,
        containerIdentifier: emulator.dev!.container,
      })

      // Polls that fail are retried with backoff, and the listener recovers.
      emulator.faults.inject('drop', { times: 3, pathPrefix: '/webcourier' })
      await s2s.publicDatabase.records.modify([
        { operationType: 'forceDelete', record: { recordName: 'memo-1' } },
      ])
      expect(await next()).toMatchObject({ type: 'query', reason: 'deleted', recordName: 'memo-1' })
      expect(errors.length).toBeGreaterThan(0)
      controller.abort()
      expect(await iterator.next()).toMatchObject({ done: true })

      // Queued while nobody listened: the next run with the same registration gets it.
      await s2s.publicDatabase.records.modify([
        {
          operationType: 'create',
          record: { recordName: 'memo-2', recordType: 'Memo', fields: { topic: 'ck' } },
        },
      ])
      const resumed = listener.notifications.listen({ store })
      expect((await resumed.next()).value).toMatchObject({ recordName: 'memo-2' })
      await resumed.return(undefined)

      // Zone and database subscriptions in the private database; a file store keeps the registration.
      const dir = await mkdtemp(join(tmpdir(), 'ck-push-'))
      try {
        const fileStore = createFilePushRegistrationStore(join(dir, 'push.json'))
        const privateDb = listener.privateDatabase
        await privateDb.zones.modify([{ operationType: 'create', zone: { zoneID: { zoneName: 'Inbox' } } }])
        await privateDb.subscriptions.modify([
          {
            operationType: 'create',
            subscription: {
              subscriptionID: 'inbox',
              subscriptionType: 'zone',
              zoneID: { zoneName: 'Inbox' },
            },
          },
          {
            operationType: 'create',
            subscription: { subscriptionID: 'all', subscriptionType: 'database', firesOnce: true },
          },
        ])
        const inbox = listener.notifications.listen({ store: fileStore })
        const got = inbox.next()
        await waitFor(async () => (await fileStore.load()) !== undefined)
        await privateDb.records.modify([{ operationType: 'create', record: { recordType: 'Mail' } }], {
          zoneID: { zoneName: 'Inbox' },
        })
        const kinds = [(await got).value, (await inbox.next()).value]
          .map((n) => (n as CloudKitNotification).type)
          .sort()
        expect(kinds).toEqual(['database', 'zone'])
        const subs = await privateDb.subscriptions.list()
        expect(subs.map((s) => s.subscriptionID)).toEqual(['inbox'])
        expect(JSON.stringify(subs)).not.toContain('_owner')
        await inbox.return(undefined)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
      await expect(listener.notifications.poll(`${emulator.url}/webcourier/unknown`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
    } finally {
      await listener.close()
    }
  })
})

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}
