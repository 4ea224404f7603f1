import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CloudKitClient,
  CloudKitError,
  type CloudKitRecord,
  createCloudKitClient,
  type FieldValue,
  field,
  isCloudKitError,
  type RecordResult,
} from '@sigwire/cloudkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

let emulator: CloudKitEmulator
let client: CloudKitClient
let userClient: CloudKitClient
const rotated: string[] = []

function s2sClient(
  e: CloudKitEmulator,
  extra: Partial<Parameters<typeof createCloudKitClient>[0]> = {},
): CloudKitClient {
  return createCloudKitClient({
    container: e.dev!.container,
    environment: 'development',
    serverToServer: { keyId: e.dev!.keyId, privateKey: e.dev!.privateKeyPem },
    baseUrl: e.url,
    transport: { proxy: false, retry: { maxAttempts: 3, baseDelayMs: 1 } },
    ...extra,
  })
}

beforeAll(async () => {
  emulator = await startCloudKitEmulator()
  client = s2sClient(emulator)
  userClient = createCloudKitClient({
    container: emulator.dev!.container,
    environment: 'development',
    apiToken: emulator.dev!.apiToken,
    webAuthToken: emulator.issueWebAuthToken(),
    onWebAuthToken: (token) => rotated.push(token),
    baseUrl: emulator.url,
    transport: { proxy: false },
  })
})
afterAll(async () => {
  await client.close()
  await userClient.close()
  await emulator.close()
})

function okRecord(result: RecordResult | undefined): CloudKitRecord {
  if (!result?.ok) throw new Error(`expected a record, got ${JSON.stringify(result)}`)
  return result.record
}

function errorCode(result: RecordResult | undefined): string | undefined {
  return result && !result.ok ? result.error.code : undefined
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; error: unknown }> {
  try {
    await promise
  } catch (error) {
    // Every error of the client, transport errors included, is a CloudKitError.
    expect(error).toBeInstanceOf(CloudKitError)
    return { code: (error as { code: string }).code, error }
  }
  throw new Error('expected the call to fail')
}

describe('typed fields', () => {
  it('round-trips every type and its list form', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    const when = new Date('2024-02-29T12:34:56.789Z')
    const location = { latitude: 48.8566, longitude: 2.3522, altitude: 35, timestamp: when }
    const fields: Record<string, FieldValue> = {
      s: field.string('héllo ✓ 日本 🍣'),
      i: field.int64(9_007_199_254_740_991),
      d: field.double(2),
      b: field.boolean(true),
      t: field.timestamp(when),
      y: field.bytes(bytes),
      r: field.reference({ recordName: 'target', action: 'NONE' }),
      l: field.location(location),
      sl: field.stringList(['a', 'b']),
      il: field.int64List([1, 2, 3]),
      dl: field.doubleList([1.5, 2]),
      tl: field.timestampList([when, new Date(0)]),
      yl: field.bytesList([bytes, new Uint8Array()]),
      rl: field.referenceList(['x', { recordName: 'y', action: 'NONE' }]),
      ll: field.locationList([{ latitude: 1, longitude: 2 }]),
    }
    const [created] = await client.publicDatabase.records.modify([
      { operationType: 'create', record: { recordType: 'Typed', recordName: 'typed-1', fields } },
    ])
    const [looked] = await client.publicDatabase.records.lookup(['typed-1'])
    for (const record of [okRecord(created), okRecord(looked)]) {
      expect(record.fields).toEqual({ ...fields, b: { type: 'INT64', value: 1 } })
      expect(record.fields.t!.value).toBeInstanceOf(Date)
      expect(record.fields.y!.value).toBeInstanceOf(Uint8Array)
    }
  })

  it('infers plain values and always sends the type tag', async () => {
    const [result] = await client.publicDatabase.records.modify([
      {
        operationType: 'create',
        record: { recordType: 'Plain', fields: { s: 'x', n: 3, d: 0.5, when: new Date(1000), flags: ['a'] } },
      },
    ])
    expect(okRecord(result).fields).toEqual({
      s: { type: 'STRING', value: 'x' },
      n: { type: 'INT64', value: 3 },
      d: { type: 'DOUBLE', value: 0.5 },
      when: { type: 'TIMESTAMP', value: new Date(1000) },
      flags: { type: 'STRING_LIST', value: ['a'] },
    })
  })
})

describe('records', () => {
  const db = () => client.publicDatabase.records
  beforeAll(async () => {
    const notes = [
      {
        name: 'n1',
        title: 'Buy milk and eggs',
        rank: 1,
        tags: ['home', 'food'],
        where: { latitude: 48.8566, longitude: 2.3522 },
      },
      {
        name: 'n2',
        title: 'Call the bank',
        rank: 2,
        tags: ['work'],
        where: { latitude: 48.86, longitude: 2.35 },
      },
      {
        name: 'n3',
        title: 'Buy a bike',
        rank: 3,
        tags: ['home', 'sport'],
        where: { latitude: 51.5074, longitude: -0.1278 },
      },
      {
        name: 'n4',
        title: 'Plan holidays',
        rank: 4,
        tags: [],
        where: { latitude: 40.7128, longitude: -74.006 },
      },
      {
        name: 'n5',
        title: 'Banking app review',
        rank: 5,
        tags: ['work', 'review'],
        where: { latitude: 0, longitude: 0 },
      },
    ]
    const results = await db().modify(
      notes.map((n) => ({
        operationType: 'create' as const,
        record: {
          recordType: 'Note',
          recordName: n.name,
          fields: {
            title: n.title,
            rank: n.rank,
            tags: field.stringList(n.tags),
            where: field.location(n.where),
          },
        },
      })),
    )
    expect(results.every((r) => r.ok)).toBe(true)
  })

  const names = (records: readonly CloudKitRecord[]) => records.map((r) => r.recordName)
  const run = async (
    filterBy: Parameters<CloudKitClient['publicDatabase']['records']['query']>[0]['filterBy'],
  ) =>
    names(
      (await db().query({ recordType: 'Note', filterBy, sortBy: [{ fieldName: 'rank', ascending: true }] }))
        .records,
    )

  it.each([
    ['EQUALS', { comparator: 'EQUALS', fieldName: 'rank', fieldValue: 2 }, ['n2']],
    ['NOT_EQUALS', { comparator: 'NOT_EQUALS', fieldName: 'rank', fieldValue: 2 }, ['n1', 'n3', 'n4', 'n5']],
    ['LESS_THAN', { comparator: 'LESS_THAN', fieldName: 'rank', fieldValue: 3 }, ['n1', 'n2']],
    [
      'LESS_THAN_OR_EQUALS',
      { comparator: 'LESS_THAN_OR_EQUALS', fieldName: 'rank', fieldValue: 3 },
      ['n1', 'n2', 'n3'],
    ],
    ['GREATER_THAN', { comparator: 'GREATER_THAN', fieldName: 'rank', fieldValue: 3 }, ['n4', 'n5']],
    [
      'GREATER_THAN_OR_EQUALS',
      { comparator: 'GREATER_THAN_OR_EQUALS', fieldName: 'rank', fieldValue: 4 },
      ['n4', 'n5'],
    ],
    [
      'NEAR',
      {
        comparator: 'NEAR',
        fieldName: 'where',
        fieldValue: field.location({ latitude: 48.857, longitude: 2.352 }),
        distance: 2000,
      },
      ['n1', 'n2'],
    ],
    [
      'CONTAINS_ALL_TOKENS',
      { comparator: 'CONTAINS_ALL_TOKENS', fieldName: 'title', fieldValue: 'buy MILK' },
      ['n1'],
    ],
    [
      'CONTAINS_ANY_TOKENS',
      { comparator: 'CONTAINS_ANY_TOKENS', fieldName: 'title', fieldValue: 'bike bank' },
      ['n2', 'n3'],
    ],
    ['IN', { comparator: 'IN', fieldName: 'rank', fieldValue: field.int64List([1, 5]) }, ['n1', 'n5']],
    [
      'NOT_IN',
      { comparator: 'NOT_IN', fieldName: 'rank', fieldValue: field.int64List([1, 5]) },
      ['n2', 'n3', 'n4'],
    ],
    ['LIST_CONTAINS', { comparator: 'LIST_CONTAINS', fieldName: 'tags', fieldValue: 'work' }, ['n2', 'n5']],
    [
      'NOT_LIST_CONTAINS',
      { comparator: 'NOT_LIST_CONTAINS', fieldName: 'tags', fieldValue: 'home' },
      ['n2', 'n4', 'n5'],
    ],
    [
      'NOT_LIST_CONTAINS_ANY',
      {
        comparator: 'NOT_LIST_CONTAINS_ANY',
        fieldName: 'tags',
        fieldValue: field.stringList(['home', 'work']),
      },
      ['n4'],
    ],
    ['BEGINS_WITH', { comparator: 'BEGINS_WITH', fieldName: 'title', fieldValue: 'Buy' }, ['n1', 'n3']],
    [
      'NOT_BEGINS_WITH',
      { comparator: 'NOT_BEGINS_WITH', fieldName: 'title', fieldValue: 'Buy' },
      ['n2', 'n4', 'n5'],
    ],
    [
      'LIST_MEMBER_BEGINS_WITH',
      { comparator: 'LIST_MEMBER_BEGINS_WITH', fieldName: 'tags', fieldValue: 'sp' },
      ['n3'],
    ],
    [
      'NOT_LIST_MEMBER_BEGINS_WITH',
      { comparator: 'NOT_LIST_MEMBER_BEGINS_WITH', fieldName: 'tags', fieldValue: 'w' },
      ['n1', 'n3', 'n4'],
    ],
    [
      'LIST_CONTAINS_ALL',
      {
        comparator: 'LIST_CONTAINS_ALL',
        fieldName: 'tags',
        fieldValue: field.stringList(['work', 'review']),
      },
      ['n5'],
    ],
    [
      'NOT_LIST_CONTAINS_ALL',
      {
        comparator: 'NOT_LIST_CONTAINS_ALL',
        fieldName: 'tags',
        fieldValue: field.stringList(['home', 'food']),
      },
      ['n2', 'n3', 'n4', 'n5'],
    ],
    ['system field', { comparator: 'EQUALS', systemFieldName: 'recordName', fieldValue: 'n4' }, ['n4']],
  ] as const)('%s', async (_name, filter, expected) => {
    expect(await run([filter as never])).toEqual(expected)
  })

  it('sorts descending, by distance, and returns only desiredKeys', async () => {
    const page = await db().query(
      { recordType: 'Note', sortBy: [{ fieldName: 'rank', ascending: false }] },
      { desiredKeys: ['title'] },
    )
    expect(names(page.records)).toEqual(['n5', 'n4', 'n3', 'n2', 'n1'])
    expect(Object.keys(page.records[0]!.fields)).toEqual(['title'])
    const near = await db().query({
      recordType: 'Note',
      sortBy: [{ fieldName: 'where', relativeLocation: { latitude: 51.5, longitude: -0.12 } }],
    })
    expect(names(near.records)[0]).toBe('n3')
  })

  it('pages with continuationMarker, as an async iterator', async () => {
    const pages: string[][] = []
    for await (const page of db().queryPages(
      { recordType: 'Note', sortBy: [{ fieldName: 'rank' }] },
      { resultsLimit: 2 },
    ))
      pages.push(names(page.records))
    expect(pages).toEqual([['n1', 'n2'], ['n3', 'n4'], ['n5']])
    const all: string[] = []
    for await (const record of db().queryAll({ recordType: 'Note' }, { resultsLimit: 3 }))
      all.push(record.recordName)
    expect(all.sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
  })

  it('validates queries before sending', async () => {
    expect(
      (
        await failure(
          db().query({
            recordType: 'Note',
            filterBy: [{ comparator: 'IN', fieldName: 'rank', fieldValue: 1 }],
          }),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT')
    expect((await failure(db().query({ recordType: 'Note' }, { resultsLimit: 201 }))).code).toBe(
      'INVALID_ARGUMENT',
    )
    expect((await failure(db().query({ recordType: '' }))).code).toBe('INVALID_ARGUMENT')
  })

  it('looks up records, one result per name with NOT_FOUND in place', async () => {
    const results = await db().lookup(['n1', 'missing', 'n2'], { desiredKeys: ['rank'] })
    expect(results.map((r) => (r.ok ? r.record.recordName : r.error.code))).toEqual(['n1', 'NOT_FOUND', 'n2'])
    expect(okRecord(results[0]).fields).toEqual({ rank: { type: 'INT64', value: 1 } })
    expect(results[1]).toMatchObject({
      ok: false,
      recordName: 'missing',
      error: { serviceCode: 'NOT_FOUND' },
    })
  })

  it('create, update, forceUpdate, replace, forceReplace, delete, forceDelete with per-record errors', async () => {
    const [created, exists] = await db().modify([
      {
        operationType: 'create',
        record: { recordType: 'Doc', recordName: 'd1', fields: { a: 'a', b: 'b' } },
      },
      { operationType: 'create', record: { recordType: 'Doc', recordName: 'n1', fields: {} } },
    ])
    const first = okRecord(created)
    expect(errorCode(exists)).toBe('EXISTS')

    const [updated] = await db().modify([
      {
        operationType: 'update',
        record: { recordName: 'd1', recordChangeTag: first.recordChangeTag!, fields: { a: 'A' } },
      },
    ])
    const second = okRecord(updated)
    expect(second.fields).toEqual({ a: { type: 'STRING', value: 'A' }, b: { type: 'STRING', value: 'b' } })
    expect(second.recordChangeTag).not.toBe(first.recordChangeTag)

    const [stale] = await db().modify([
      {
        operationType: 'update',
        record: { recordName: 'd1', recordChangeTag: first.recordChangeTag!, fields: { a: 'x' } },
      },
    ])
    expect(errorCode(stale)).toBe('CONFLICT')
    expect(stale).toMatchObject({ ok: false, recordName: 'd1' })

    const [forced] = await db().modify([
      { operationType: 'forceUpdate', record: { recordName: 'd1', recordType: 'Doc', fields: { c: 'c' } } },
    ])
    expect(Object.keys(okRecord(forced).fields).sort()).toEqual(['a', 'b', 'c'])

    const [replaced] = await db().modify([
      {
        operationType: 'replace',
        record: {
          recordName: 'd1',
          recordType: 'Doc',
          recordChangeTag: okRecord(forced).recordChangeTag!,
          fields: { z: 'z' },
        },
      },
    ])
    expect(okRecord(replaced).fields).toEqual({ z: { type: 'STRING', value: 'z' } })

    const [forceReplaced] = await db().modify([
      { operationType: 'forceReplace', record: { recordName: 'd1', recordType: 'Doc', fields: { y: 1 } } },
    ])
    expect(okRecord(forceReplaced).fields).toEqual({ y: { type: 'INT64', value: 1 } })

    const [badDelete, missing] = await db().modify([
      { operationType: 'delete', record: { recordName: 'd1', recordChangeTag: 'stale' } },
      { operationType: 'forceDelete', record: { recordName: 'nope' } },
    ])
    expect([errorCode(badDelete), errorCode(missing)]).toEqual(['CONFLICT', 'NOT_FOUND'])
    const [deleted] = await db().modify([
      {
        operationType: 'delete',
        record: { recordName: 'd1', recordChangeTag: okRecord(forceReplaced).recordChangeTag! },
      },
    ])
    expect(deleted).toMatchObject({ ok: true, record: { recordName: 'd1', deleted: true } })
    expect(errorCode((await db().lookup(['d1']))[0])).toBe('NOT_FOUND')
  })

  it('checks operations before sending (missing change tag, too many operations)', async () => {
    const tagless = await failure(
      db().modify([{ operationType: 'update', record: { recordName: 'n1', fields: {} } }]),
    )
    expect(tagless.code).toBe('INVALID_ARGUMENT')
    expect((tagless.error as Error).message).toContain('forceUpdate')
    const many = Array.from({ length: 201 }, () => ({
      operationType: 'create' as const,
      record: { recordType: 'X' },
    }))
    expect((await failure(db().modify(many))).code).toBe('INVALID_ARGUMENT')
  })

  it('enforces validating references and cascades DELETE_SELF', async () => {
    const [dangling] = await db().modify([
      {
        operationType: 'create',
        record: {
          recordType: 'Child',
          fields: { parent: field.reference({ recordName: 'ghost', action: 'VALIDATE' }) },
        },
      },
    ])
    expect(errorCode(dangling)).toBe('VALIDATING_REFERENCE_ERROR')
    const results = await db().modify([
      { operationType: 'create', record: { recordType: 'Parent', recordName: 'p1' } },
      {
        operationType: 'create',
        record: {
          recordType: 'Child',
          recordName: 'c1',
          fields: { parent: field.reference({ recordName: 'p1', action: 'VALIDATE' }) },
        },
      },
      { operationType: 'create', record: { recordType: 'Parent', recordName: 'p2' } },
      {
        operationType: 'create',
        record: {
          recordType: 'Child',
          recordName: 'c2',
          fields: { parent: field.reference({ recordName: 'p2', action: 'DELETE_SELF' }) },
        },
      },
    ])
    expect(results.every((r) => r.ok)).toBe(true)
    const [blocked] = await db().modify([{ operationType: 'forceDelete', record: { recordName: 'p1' } }])
    expect(errorCode(blocked)).toBe('VALIDATING_REFERENCE_ERROR')
    await db().modify([{ operationType: 'forceDelete', record: { recordName: 'p2' } }])
    expect(errorCode((await db().lookup(['c2']))[0])).toBe('NOT_FOUND')
  })
})

describe('zones, changes and atomic batches (private database, API token + web auth token)', () => {
  const zoneID = { zoneName: 'Work' }
  const priv = () => userClient.privateDatabase

  it('creates, lists, looks up, and reports zone changes by metaSyncToken', async () => {
    const start = await priv().zones.changes()
    const created = await priv().zones.modify([{ operationType: 'create', zone: { zoneID } }])
    expect(created[0]).toMatchObject({ ok: true, zone: { zoneID } })
    expect((await priv().zones.list()).map((z) => z.zoneID.zoneName).sort()).toEqual(['Work', '_defaultZone'])
    const looked = await priv().zones.lookup([zoneID, { zoneName: 'Nope' }])
    expect(looked.map((z) => (z.ok ? z.zone.zoneID.zoneName : z.error.code))).toEqual([
      'Work',
      'ZONE_NOT_FOUND',
    ])
    const since = await priv().zones.changes({ metaSyncToken: start.metaSyncToken })
    expect(since.zones.map((z) => z.zoneID.zoneName)).toEqual(['Work'])
    expect(rotated.length).toBeGreaterThan(3)
  })

  it('refuses custom zones in the public database, per zone', async () => {
    const [result] = await client.publicDatabase.zones.modify([
      { operationType: 'create', zone: { zoneID: { zoneName: 'X' } } },
    ])
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
  })

  it('applies an atomic batch all or nothing (ATOMIC_ERROR for the others)', async () => {
    const results = await priv().records.modify(
      [
        { operationType: 'create', record: { recordType: 'Task', recordName: 't-ok' } },
        { operationType: 'update', record: { recordName: 'ghost', recordChangeTag: 'x' } },
      ],
      { zoneID },
    )
    expect(results.map(errorCode)).toEqual(['ATOMIC_ERROR', 'NOT_FOUND'])
    expect(errorCode((await priv().records.lookup(['t-ok'], { zoneID }))[0])).toBe('NOT_FOUND')
  })

  it('syncs record changes page by page (moreComing) and resumes from the syncToken', async () => {
    const ops = Array.from({ length: 5 }, (_, i) => ({
      operationType: 'create' as const,
      record: { recordType: 'Task', recordName: `t${i}`, fields: { i } },
    }))
    await priv().records.modify(ops, { zoneID })
    const pages: Array<{ names: string[]; moreComing: boolean }> = []
    let token = ''
    for await (const page of priv().records.changesPages({ zoneID, resultsLimit: 2 })) {
      pages.push({ names: page.records.map((r) => r.recordName), moreComing: page.moreComing })
      token = page.syncToken
    }
    expect(pages).toEqual([
      { names: ['t0', 't1'], moreComing: true },
      { names: ['t2', 't3'], moreComing: true },
      { names: ['t4'], moreComing: false },
    ])
    const t1 = okRecord((await priv().records.lookup(['t1'], { zoneID }))[0])
    await priv().records.modify(
      [{ operationType: 'delete', record: { recordName: 't1', recordChangeTag: t1.recordChangeTag! } }],
      { zoneID },
    )
    const after = await priv().records.changes({ zoneID, syncToken: token })
    expect(after.records).toEqual([expect.objectContaining({ recordName: 't1', deleted: true })])
    expect(after.moreComing).toBe(false)
  })

  it('runs concurrent user calls one at a time, each with the latest single-use token', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => priv().zones.list()))
    expect(results.every((zones) => zones.length === 2)).toBe(true)
  })

  it('surfaces AUTHENTICATION_REQUIRED with redirectURL when no user is signed in', async () => {
    const anonymous = createCloudKitClient({
      container: emulator.dev!.container,
      environment: 'development',
      apiToken: emulator.dev!.apiToken,
      baseUrl: emulator.url,
      transport: { proxy: false },
    })
    try {
      const { code, error } = await failure(anonymous.privateDatabase.records.query({ recordType: 'Task' }))
      expect(code).toBe('AUTHENTICATION_REQUIRED')
      expect(isCloudKitError(error) && error.redirectURL).toMatch(/\/auth\/signin\?/)
      expect(isCloudKitError(error) && error.status).toBe(421)
    } finally {
      await anonymous.close()
    }
  })
})

describe('subscriptions, users and APNs tokens', () => {
  it('creates, lists, looks up, updates and deletes subscriptions', async () => {
    const subs = userClient.privateDatabase.subscriptions
    const [created] = await subs.modify([
      {
        operationType: 'create',
        subscription: {
          subscriptionID: 'sub-1',
          subscriptionType: 'query',
          query: { recordType: 'Task' },
          firesOn: ['create'],
        },
      },
    ])
    expect(created).toMatchObject({ ok: true, subscription: { subscriptionID: 'sub-1' } })
    const [duplicate] = await subs.modify([
      {
        operationType: 'create',
        subscription: { subscriptionID: 'sub-1', subscriptionType: 'query', query: { recordType: 'Task' } },
      },
    ])
    expect(duplicate).toMatchObject({ ok: false, error: { code: 'EXISTS' } })
    expect((await subs.list()).map((s) => s.subscriptionID)).toEqual(['sub-1'])
    const looked = await subs.lookup(['sub-1', 'sub-2'])
    expect(looked.map((s) => s.ok)).toEqual([true, false])
    await subs.modify([
      {
        operationType: 'update',
        subscription: {
          subscriptionID: 'sub-1',
          subscriptionType: 'query',
          query: { recordType: 'Task' },
          firesOn: ['delete'],
        },
      },
    ])
    expect((await subs.list())[0]?.firesOn).toEqual(['delete'])
    await subs.modify([
      { operationType: 'delete', subscription: { subscriptionID: 'sub-1', subscriptionType: 'query' } },
    ])
    expect(await subs.list()).toEqual([])
  })

  it('caller, current, discover and lookups', async () => {
    const caller = await client.users.caller()
    expect(caller).toMatchObject({
      userRecordName: expect.stringMatching(/^_/),
      nameComponents: { givenName: 'Dev' },
    })
    expect((await client.users.current()).userRecordName).toBe(caller.userRecordName)
    expect(
      (await userClient.users.lookup([{ emailAddress: 'developer@sigwire.test' }])).map(
        (u) => u.userRecordName,
      ),
    ).toEqual([caller.userRecordName])
    expect(await client.users.lookupByEmail(['nobody@example.com'])).toEqual([])
    expect((await client.users.lookupById([caller.userRecordName]))[0]?.lookupInfo?.emailAddress).toBe(
      'developer@sigwire.test',
    )
  })

  it('creates and registers APNs tokens under /device/1/', async () => {
    const token = await client.tokens.create({ apnsEnvironment: 'development' })
    expect(token).toMatchObject({
      apnsEnvironment: 'development',
      apnsToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(
      await client.tokens.register({ apnsEnvironment: 'development', apnsToken: token.apnsToken }),
    ).toMatchObject({
      apnsToken: token.apnsToken,
    })
  })
})

describe('assets', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigwire-ck-assets-test-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('uploads a file in three steps (streamed) and downloads it by downloadURL', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251)
    const path = join(dir, 'photo.bin')
    await writeFile(path, bytes)
    const assets = client.publicDatabase.assets
    const uploaded = await assets.upload({
      recordType: 'Photo',
      fieldName: 'image',
      recordName: 'photo-1',
      body: path,
    })
    expect(uploaded.receipt.size).toBe(bytes.byteLength)
    const [created] = await client.publicDatabase.records.modify([
      {
        operationType: 'create',
        record: { recordType: 'Photo', recordName: uploaded.recordName, fields: { image: uploaded.field } },
      },
    ])
    const image = okRecord(created).fields.image!
    expect(image.type).toBe('ASSETID')
    const asset = image.value as { downloadURL: string; size: number }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudKit's literal file-name placeholder.
    expect(asset.downloadURL).toContain('${f}')
    expect(asset.size).toBe(bytes.byteLength)
    const out = join(dir, 'copy.bin')
    expect(await assets.downloadToFile(asset, out, { fileName: 'photo.bin' })).toBe(bytes.byteLength)
    expect(Buffer.compare(await readFile(out), Buffer.from(bytes))).toBe(0)
  })

  it('refuses an unknown receipt per record, and a second upload to the same URL', async () => {
    const [result] = await client.publicDatabase.records.modify([
      {
        operationType: 'create',
        record: {
          recordType: 'Photo',
          fields: { image: field.asset({ receipt: 'forged', fileChecksum: 'x', size: 1 }) },
        },
      },
    ])
    expect(errorCode(result)).toBe('BAD_REQUEST')
    const [url] = await client.publicDatabase.assets.requestUploadUrls([
      { recordType: 'Photo', fieldName: 'image' },
    ])
    await client.publicDatabase.assets.uploadBytes(url!.url, new Uint8Array([1, 2, 3]))
    expect(
      (await failure(client.publicDatabase.assets.uploadBytes(url!.url, new Uint8Array([4])))).code,
    ).toBe('NOT_FOUND')
  })
})

describe('errors, retries, clock and cancellation', () => {
  it('retries THROTTLED after retryAfter, and TRY_AGAIN_LATER on a write', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 1 })
    const started = Date.now()
    const page = await client.publicDatabase.records.query({ recordType: 'Note' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(page.records.length).toBeGreaterThan(0)
    emulator.faults.inject('unavailable', { retryAfterSeconds: 0 })
    const [created] = await client.publicDatabase.records.modify([
      { operationType: 'create', record: { recordType: 'Retry' } },
    ])
    expect(created?.ok).toBe(true)
  })

  it('returns THROTTLED with retryAfterMs when the wait is longer than the client accepts', async () => {
    emulator.faults.inject('throttle', { retryAfterSeconds: 3600 })
    const { error } = await failure(client.publicDatabase.zones.list())
    expect(error).toMatchObject({
      code: 'THROTTLED',
      status: 429,
      serviceCode: 'THROTTLED',
      retryAfterMs: 3_600_000,
    })
  })

  it('AUTHENTICATION_FAILED carries the signed trace and key ID, never the key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
    const wrong = s2sClient(emulator, { serverToServer: { keyId: emulator.dev!.keyId, privateKey: pem } })
    try {
      const { error } = await failure(wrong.publicDatabase.records.query({ recordType: 'Note' }))
      expect(isCloudKitError(error, 'AUTHENTICATION_FAILED')).toBe(true)
      const e = error as CloudKitError
      expect(e.trace!.map((t) => t.label)).toEqual(['date', ':', 'body-hash', ':', 'request-target'])
      expect(e.details).toMatchObject({
        keyId: emulator.dev!.keyId,
        target: expect.stringContaining('/records/query'),
      })
      expect(e.message).toContain(emulator.dev!.keyId)
      const serialized = JSON.stringify(e.toJSON()) + e.message + e.stack
      for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
        expect(serialized).not.toContain(line)
      // A query has a body: from the signature alone a foreign key looks like a body changed after
      // signing, and the one finding names both causes.
      const findings = emulator.rejections.at(-1)!.diagnosis?.findings ?? []
      expect(findings.map((f) => f.code)).toEqual(['signed-body-differs'])
      expect(findings[0]!.message).toContain(
        `the private key does not belong to key ID "${emulator.dev!.keyId}"`,
      )
    } finally {
      await wrong.close()
    }
  })

  it('re-signs once with the server clock after a skewed 401', async () => {
    emulator.faults.clockOffsetMs = 20 * 60_000
    try {
      const page = await client.publicDatabase.records.query({ recordType: 'Note' })
      expect(page.records.length).toBeGreaterThan(0)
      expect(emulator.rejections.at(-1)).toMatchObject({ reason: 'DATE_OUT_OF_WINDOW' })
    } finally {
      emulator.faults.clockOffsetMs = 0
    }
  })

  it('aborts a call with its AbortSignal', async () => {
    emulator.faults.latencyMs = 2000
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 50)
      const { code } = await failure(client.publicDatabase.zones.list({ signal: controller.signal }))
      expect(code).toBe('ABORTED')
    } finally {
      emulator.faults.latencyMs = 0
    }
  })

  it('validates addressing and credentials before sending', () => {
    const base = { container: 'iCloud.a.b', environment: 'development' as const, apiToken: 't' }
    const refused = (make: () => unknown) => {
      try {
        make()
      } catch (error) {
        expect(isCloudKitError(error, 'INVALID_ARGUMENT')).toBe(true)
        return error as CloudKitError
      }
      throw new Error('not refused')
    }
    expect(
      refused(() => createCloudKitClient({ ...base, environment: 'Development' as never })),
    ).toMatchObject({
      message: expect.stringMatching(/lower case/),
      details: { argument: 'environment' },
    })
    expect(refused(() => createCloudKitClient({ ...base, container: 'com.example.app' })).message).toMatch(
      /iCloud\./,
    )
    expect(refused(() => createCloudKitClient({ ...base, apiToken: undefined })).message).toMatch(
      /serverToServer/,
    )
    expect(refused(() => client.database('bogus' as never)).message).toMatch(/public/)
  })

  it('refuses a baseUrl with a query, a fragment or credentials, and http to a remote host unless allowed', () => {
    const base = { container: 'iCloud.a.b', environment: 'development' as const, apiToken: 't' }
    const problem = (baseUrl: string, allowInsecureHttp?: boolean) => {
      try {
        createCloudKitClient({ ...base, baseUrl, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) })
      } catch (error) {
        return isCloudKitError(error, 'INVALID_ARGUMENT') ? error.message : `other: ${String(error)}`
      }
      return 'accepted'
    }
    expect(problem('https://api.apple-cloudkit.com/?x=1')).toMatch(/query/)
    expect(problem('https://api.apple-cloudkit.com/#frag')).toMatch(/fragment/)
    expect(problem('https://user:secret@api.apple-cloudkit.com')).toMatch(/credentials/)
    expect(problem('http://api.apple-cloudkit.com')).toMatch(/allowInsecureHttp/)
    expect(problem('http://api.apple-cloudkit.com', true)).toBe('accepted')
    expect(problem('http://127.0.0.1:9')).toBe('accepted')
  })

  it('a server-to-server-only client refuses user databases before sending', async () => {
    expect((await failure(client.privateDatabase.records.query({ recordType: 'X' }))).code).toBe(
      'INVALID_ARGUMENT',
    )
  })
})

describe('state directory', () => {
  it('keeps credentials, records, tokens and assets across a restart', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sigwire-ck-state-'))
    try {
      const first = await startCloudKitEmulator({ stateDir })
      const c1 = s2sClient(first)
      await c1.publicDatabase.records.modify([
        { operationType: 'create', record: { recordType: 'Keep', recordName: 'k1', fields: { v: 'kept' } } },
      ])
      const uploaded = await c1.publicDatabase.assets.upload({
        recordType: 'Keep',
        fieldName: 'file',
        body: new Uint8Array([7, 7, 7]),
      })
      await c1.publicDatabase.records.modify([
        {
          operationType: 'forceUpdate',
          record: { recordType: 'Keep', recordName: 'k1', fields: { file: uploaded.field } },
        },
      ])
      const keyId = first.dev!.keyId
      await c1.close()
      await first.close()

      const second = await startCloudKitEmulator({ stateDir })
      const c2 = s2sClient(second)
      try {
        expect(second.dev!.keyId).toBe(keyId)
        const record = okRecord((await c2.publicDatabase.records.lookup(['k1']))[0])
        expect(record.fields.v).toEqual({ type: 'STRING', value: 'kept' })
        const stream = await c2.publicDatabase.assets.download(
          record.fields.file!.value as { downloadURL: string },
        )
        const chunks: Buffer[] = []
        for await (const chunk of stream) chunks.push(chunk as Buffer)
        expect([...Buffer.concat(chunks)]).toEqual([7, 7, 7])
      } finally {
        await c2.close()
        await second.close()
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true })
    }
  })
})

describe('secrets stay out of diagnostics and errors', () => {
  it('never publishes the API token, web auth tokens or the private key', async () => {
    const { channel } = await import('node:diagnostics_channel')
    const events: unknown[] = []
    const names = [
      'sigwire:request:start',
      'sigwire:request:finish',
      'sigwire:request:retry',
      'sigwire:request:error',
    ]
    const listener = (message: unknown) => events.push(message)
    for (const name of names) channel(name).subscribe(listener)
    const tokensSeen: string[] = []
    const secretive = createCloudKitClient({
      container: emulator.dev!.container,
      environment: 'development',
      apiToken: emulator.dev!.apiToken,
      webAuthToken: emulator.issueWebAuthToken(),
      onWebAuthToken: (token) => tokensSeen.push(token),
      baseUrl: emulator.url,
      transport: { proxy: false, retry: { maxAttempts: 2, baseDelayMs: 1 } },
    })
    try {
      emulator.faults.inject('throttle', { retryAfterSeconds: 0 })
      await secretive.privateDatabase.zones.list()
      await secretive.privateDatabase.zones.list()
      const anonymous = createCloudKitClient({
        container: emulator.dev!.container,
        environment: 'development',
        apiToken: emulator.dev!.apiToken,
        baseUrl: emulator.url,
        transport: { proxy: false },
      })
      const { error } = await failure(anonymous.privateDatabase.zones.list())
      await anonymous.close()
      await client.publicDatabase.zones.list()
      const published = JSON.stringify(events) + JSON.stringify(error) + String((error as Error).message)
      expect(events.length).toBeGreaterThan(4)
      expect(tokensSeen.length).toBe(2)
      for (const secret of [emulator.dev!.apiToken, ...tokensSeen, secretive.webAuthToken!])
        expect(published).not.toContain(encodeURIComponent(secret))
      for (const line of emulator
        .dev!.privateKeyPem.split('\n')
        .filter((l) => l.length > 20 && !l.startsWith('-----')))
        expect(published).not.toContain(line)
      expect(published).toContain('ckAPIToken=[redacted]')
    } finally {
      for (const name of names) channel(name).unsubscribe(listener)
      await secretive.close()
    }
  })
})

describe('TLS', () => {
  it('serves HTTPS with a generated certificate the client trusts', async () => {
    const secure = await startCloudKitEmulator({ tls: true })
    const c = s2sClient(secure, { transport: { proxy: false, tls: { ca: secure.certificate! } } })
    try {
      expect(secure.url).toMatch(/^https:/)
      expect((await c.users.caller()).userRecordName).toMatch(/^_/)
    } finally {
      await c.close()
      await secure.close()
    }
  })
})
