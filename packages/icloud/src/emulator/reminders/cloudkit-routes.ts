import { createHash } from 'node:crypto'
import {
  type DurableStore,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import {
  type CloudKitData,
  cloudKitError,
  type EngineField,
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
import { changesZone } from '../ckdatabase/changes-zone.js'
import { userOperationContext } from '../ckdatabase/context.js'
import { containerRoutes, operationOf, parseOperationBody } from '../ckdatabase/routes.js'
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
  return containerRoutes({
    container: REMINDERS_CONTAINER,
    maxBodyBytes: MAX_JSON_BODY,
    serviceAuth,
    handle: (request) => run(store, base, data, request),
  })
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
  const op = operationOf(request)
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
  const body = parseOperationBody(request.body)
  const ctx = userOperationContext(request, {
    data,
    origin: base.origin,
    scope: SCOPE,
    database,
    owner: ownerOf(account.dsid),
    body,
  })
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
      return reply(200, { json: changesZone(ctx) })
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
