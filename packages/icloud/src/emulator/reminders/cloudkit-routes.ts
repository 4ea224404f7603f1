import { createHash } from 'node:crypto'
import {
  type DurableStore,
  EmulatorError,
  isEmulatorError,
  parseJsonBody,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import {
  badRequest,
  type CloudKitData,
  cloudKitError,
  ENGINE_FIELD_TYPES,
  type EngineField,
  errorBody,
  listZones,
  lookupRecords,
  lookupZones,
  modifyRecords,
  newZone,
  type OperationContext,
  recordChanges,
  scopeKey,
  zoneOf,
  zoneSyncToken,
} from '@sigwire/emulator-kit/cloudkit'
import type { ICloudContext } from '../context.js'
import { webSession } from '../setup.js'
import { remindersQuery } from './cloudkit-query.js'
import { seedOperations } from './cloudkit-seed.js'

// The Reminders container behind `ckdatabasews` (docs/protocols/icloud.md §20), on the shared CloudKit
// engine: records, change tags and sync tokens are the engine's, kept in the emulator's durable store.

/** The container the Reminders web app uses. */
export const REMINDERS_CONTAINER = 'com.apple.reminders'
const SCOPE = scopeKey(REMINDERS_CONTAINER, 'production')
const ZONE_ID = { zoneName: 'Reminders', zoneType: 'REGULAR_CUSTOM_ZONE' }
/** Apple's own containers add ENCRYPTED_BYTES (`TitleDocument`, `NotesDocument`, docs/protocols/icloud.md §20.4). */
const FIELD_TYPES: ReadonlySet<string> = new Set([...ENGINE_FIELD_TYPES, 'ENCRYPTED_BYTES'])
/** Fields the schema types ENCRYPTED_BYTES: written as STRING by pyicloud, read back as ENCRYPTED_BYTES. */
const ENCRYPTED_FIELDS = new Set(['TitleDocument', 'NotesDocument'])
const MAX_JSON_BODY = 4 * 1024 * 1024

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/** The Reminders routes, for the iCloud emulator's route table (before the Photos ones). */
export function remindersRoutes(
  store: DurableStore,
  base: Base,
  data: CloudKitData,
  serviceAuth: RouteAuth<unknown>,
): Route<unknown>[] {
  const auth: RouteAuth<unknown> = {
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service: 'ckdatabasews' }),
      }),
  }
  return ['', '/cn'].map((prefix) => ({
    method: ['GET', 'POST'],
    path: `${prefix}/ws/ckdatabasews/database/1/${REMINDERS_CONTAINER}/:environment/:database/*op`,
    auth,
    maxBodyBytes: MAX_JSON_BODY,
    handle: (request) => cloudKitShaped(() => run(store, base, data, request)),
  }))
}

/** Engine errors carry CloudKit's error dictionary as the body. */
async function cloudKitShaped(run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run()
  } catch (error) {
    if (isEmulatorError(error) && !Object.hasOwn(error.details, 'body'))
      throw new EmulatorError(error.code, error.message, {
        status: error.status,
        details: { body: errorBody(error.code, error.message, error.details) },
        headers: error.headers,
        kind: error.kind,
      })
    throw error
  }
}

/** The user record name of an account in this container (stable: derived from the dsid). */
function ownerOf(dsid: string): string {
  return `_${createHash('md5').update(`reminders:${dsid}`).digest('hex')}`
}

async function run(
  store: DurableStore,
  base: Base,
  data: CloudKitData,
  request: RouteRequest<unknown>,
): Promise<Reply> {
  const { environment, database } = request.params
  const op = request.params.op!.replace(/\/+$/, '')
  if (environment !== 'production')
    throw cloudKitError(
      'NOT_FOUND',
      `The emulator serves ${REMINDERS_CONTAINER}/production only, not ${environment}.`,
    )
  if (database !== 'private' && database !== 'shared')
    throw cloudKitError('BAD_REQUEST', `Unknown database ${database}.`)
  const alive = webSession({ ...base, tx: request.tx, cookieDomain: undefined }, request)
  const account = alive ? base.data.accounts.get(alive.session.appleId) : undefined
  if (!account) throw cloudKitError('AUTHENTICATION_REQUIRED', 'Sign in again.')
  const owner = ownerOf(account.dsid)
  const body = parseBody(request.body)
  const ctx: OperationContext = {
    data,
    tx: request.tx,
    now: request.receivedAt,
    baseUrl: base.origin,
    scope: SCOPE,
    database,
    principal: { kind: 'user', userRecordName: owner },
    body,
    maxAssetBytes: 0,
    signInUrl: `${base.origin}/setup/ws/1/accountLogin`,
    fieldTypes: FIELD_TYPES,
  }
  // Shared lists are not emulated: the shared database has no zones.
  if (database === 'shared') {
    if (op === 'zones/list') return reply(200, { json: { zones: [] } })
    throw cloudKitError('ZONE_NOT_FOUND', 'The emulator has no shared reminders lists.')
  }
  await ensureZone(store, data, ctx)
  const token = request.url.searchParams.get('getCurrentSyncToken') === 'true'
  const json = (value: Record<string, unknown>) =>
    reply(200, {
      json: token && body.zoneID ? { ...value, syncToken: zoneSyncToken(zoneOf(ctx, body.zoneID)) } : value,
    })
  switch (`${request.method} ${op}`) {
    case 'GET zones/list':
    case 'POST zones/list':
      return json(listZones(ctx))
    case 'POST zones/lookup':
      return json(lookupZones(ctx))
    case 'POST records/query':
      return json(remindersQuery(ctx))
    case 'POST records/lookup':
      return json(lookupRecords(ctx))
    case 'POST records/modify':
      return json(modifyRecords({ ...ctx, body: normalizeWrites(body) }))
    case 'POST records/changes':
      return json(recordChanges(ctx))
    case 'POST changes/zone':
      return reply(200, { json: zoneChanges(ctx) })
    default:
      throw cloudKitError('NOT_FOUND', `The Reminders emulator has no operation ${request.method} ${op}.`)
  }
}

/** Creates and seeds the account's `Reminders` zone on its first call (one durable write). */
async function ensureZone(store: DurableStore, data: CloudKitData, ctx: OperationContext): Promise<void> {
  const db = data.database(`${SCOPE}|private|${ctx.principal.userRecordName}`)
  const existing = db.zones.get(ZONE_ID.zoneName)
  if (existing && !existing.deleted) return
  await store.write((tx) => {
    db.serial += 1
    const zone = newZone({ ...ZONE_ID }, db.serial)
    data.putZone(tx, db, zone)
    data.putDatabase(tx, db)
    modifyRecords({
      ...ctx,
      tx,
      body: { zoneID: ZONE_ID, atomic: true, operations: seedOperations(ctx.now) },
    })
  })
}

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) return {}
  const value = parseJsonBody(bytes)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
}

/**
 * What the Reminders clients write, in the engine's terms: a field sent as `{type, value: null}`, or
 * as `{type}` alone, clears it (pyicloud clears `DueDate`, `CompletionDate`, `ParentReminder` so, and
 * its `exclude_none` serialisation drops the null value, docs/protocols/icloud.md §20.5), and the
 * CRDT documents sent as STRING are kept with their schema type, ENCRYPTED_BYTES (icloud.md §20.4).
 */
function normalizeWrites(body: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(body.operations)) return body
  return {
    ...body,
    operations: body.operations.map((op: unknown) => {
      const record = (op as { record?: { fields?: unknown } } | null)?.record
      const fields = record?.fields
      if (!fields || typeof fields !== 'object') return op
      const out: Record<string, EngineField | null> = Object.create(null)
      for (const [name, field] of Object.entries(fields as Record<string, EngineField | null>)) {
        if (field && typeof field === 'object' && (field.value === null || !('value' in field)))
          out[name] = null
        else if (field && ENCRYPTED_FIELDS.has(name) && field.type === 'STRING')
          out[name] = { type: 'ENCRYPTED_BYTES', value: field.value }
        else out[name] = field
      }
      return { ...(op as object), record: { ...record, fields: out } }
    }),
  }
}

/**
 * `changes/zone`: for each zone of `zones`, the records changed since its `syncToken`, oldest first,
 * `resultsLimit` at a time with `moreComing`, keeping `desiredRecordTypes` (deletions always pass).
 */
function zoneChanges(ctx: OperationContext): Record<string, unknown> {
  const zones = ctx.body.zones
  if (!Array.isArray(zones) || zones.length === 0)
    throw badRequest('changes/zone needs "zones": a list of zone requests.')
  return {
    zones: zones.map((entry: unknown) => {
      const z = (entry ?? {}) as {
        zoneID?: unknown
        syncToken?: unknown
        desiredKeys?: unknown
        desiredRecordTypes?: unknown
      }
      const page = recordChanges({
        ...ctx,
        body: {
          zoneID: z.zoneID,
          ...(z.syncToken ? { syncToken: z.syncToken } : {}),
          ...(ctx.body.resultsLimit === undefined ? {} : { resultsLimit: ctx.body.resultsLimit }),
          ...(z.desiredKeys === undefined ? {} : { desiredKeys: z.desiredKeys }),
        },
      }) as {
        records: Array<{ recordType?: string; deleted?: boolean }>
        syncToken: string
        moreComing: boolean
      }
      const types = Array.isArray(z.desiredRecordTypes)
        ? new Set(z.desiredRecordTypes.map(String))
        : undefined
      return {
        zoneID: zoneOf(ctx, z.zoneID).zoneID,
        records: types
          ? page.records.filter((r) => r.deleted || types.has(String(r.recordType)))
          : page.records,
        syncToken: page.syncToken,
        moreComing: page.moreComing,
      }
    }),
  }
}
