import { randomUUID } from 'node:crypto'
import {
  actor,
  databaseOf,
  listOf,
  newChangeTag,
  nextCounter,
  type OperationContext,
  renderAsset,
  zoneName,
  zoneOf,
} from './context.js'
import { badRequest, cloudKitError, itemError } from './errors.js'
import { notifySubscribers } from './notify.js'
import { canSee, sharedZoneOf } from './shared-zones.js'
import { afterSharingChanges, renderSharing, SHARE_RECORD_TYPE, sharingOf, unshareRoot } from './shares.js'
import { DEFAULT_ZONE, type StoredAsset, type StoredRecord, type StoredZone } from './state.js'
import type { EngineField as WireField } from './vocabulary.js'
import { ENGINE_FIELD_TYPES } from './vocabulary.js'

/** A dictionary keyed by client input (field names): no prototype, so `__proto__` is a plain key. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

const SCALAR_TYPES: ReadonlySet<string> = new Set(ENGINE_FIELD_TYPES)
const MAX_OPERATIONS = 200

/** A record as a response carries it; `desiredKeys` limits the fields. */
export function renderRecord(
  ctx: OperationContext,
  record: StoredRecord,
  zone: StoredZone,
  desiredKeys?: unknown,
): Record<string, unknown> {
  const zoneID = zoneIdOf(ctx, zone)
  const keys = Array.isArray(desiredKeys) ? keySet(desiredKeys) : undefined
  const fields = dictionary<unknown>()
  for (const [name, value] of Object.entries(record.fields)) {
    if (keys && !keys.has(name)) continue
    fields[name] = renderField(ctx, value)
  }
  return {
    recordName: record.recordName,
    recordType: record.recordType,
    recordChangeTag: record.recordChangeTag,
    fields,
    created: record.created,
    modified: record.modified,
    deleted: false,
    ...(zone.zoneID.zoneName === DEFAULT_ZONE ? {} : { zoneID }),
    ...renderSharing(ctx, record, zoneID, ctx.identity),
  }
}

// A query renders every record of a page with the same `desiredKeys` array (Photos pages hundreds of
// records with about 40 keys), so its Set is built once per array, not once per record.
const keySets = new WeakMap<readonly unknown[], ReadonlySet<string>>()

function keySet(desiredKeys: readonly unknown[]): ReadonlySet<string> {
  let keys = keySets.get(desiredKeys)
  if (keys === undefined) {
    keys = new Set(desiredKeys.map(String))
    keySets.set(desiredKeys, keys)
  }
  return keys
}

/**
 * A zone's ID as the caller sees it: in the shared database it names its owner (`ownerRecordName`),
 * since the same zone name can belong to several users there.
 */
export function zoneIdOf(ctx: OperationContext, zone: StoredZone): StoredZone['zoneID'] {
  if (ctx.database !== 'shared' || zone.zoneID.ownerRecordName) return zone.zoneID
  const owner = ctx.data.databaseOfZone(zone)?.key.split('|')[3]
  return owner ? { ...zone.zoneID, ownerRecordName: owner } : zone.zoneID
}

function renderField(ctx: Pick<OperationContext, 'baseUrl' | 'assetUrl'>, value: WireField): WireField {
  if (value.type === 'ASSETID')
    return { type: 'ASSETID', value: renderAsset(ctx, value.value as StoredAsset) }
  if (value.type === 'ASSETID_LIST')
    return { type: 'ASSETID_LIST', value: (value.value as StoredAsset[]).map((a) => renderAsset(ctx, a)) }
  return value
}

type Staged = Map<string, StoredRecord | null>

interface OperationOutcome {
  readonly result: Record<string, unknown>
  readonly ok: boolean
}

/**
 * `records/modify`: create, update, forceUpdate, replace, forceReplace, delete, forceDelete (DOC
 * `ModifyRecords`). Operations run in order against a staged view; failures are per-record errors in
 * the HTTP 200 answer (EXISTS, CONFLICT on a stale change tag, NOT_FOUND, VALIDATING_REFERENCE_ERROR).
 * In an atomic batch (custom zones, the default there), one failure fails every other operation with
 * ATOMIC_ERROR and nothing is applied.
 */
export function modifyRecords(ctx: OperationContext): Record<string, unknown> {
  const operations = listOf(ctx.body, 'operations')
  if (operations.length > MAX_OPERATIONS)
    throw badRequest(`At most ${MAX_OPERATIONS} operations per request; got ${operations.length}.`)
  const zone = zoneOf(ctx, ctx.body.zoneID)
  if (ctx.database === 'shared' && sharedZoneOf(ctx, ctx.body.zoneID).permission !== 'READ_WRITE')
    throw cloudKitError('ACCESS_DENIED', 'Your participation in this share is read-only.')
  const isDefault = zone.zoneID.zoneName === DEFAULT_ZONE
  const atomic = !isDefault && ctx.body.atomic !== false
  const staged: Staged = new Map()
  const outcomes: OperationOutcome[] = []
  for (const op of operations) outcomes.push(applyOperation(ctx, zone, staged, op as Record<string, unknown>))
  const failed = outcomes.some((o) => !o.ok)
  if (atomic && failed) {
    return {
      records: outcomes.map((o, i) =>
        o.ok
          ? itemError('ATOMIC_ERROR', 'Another operation in this atomic batch failed.', {
              recordName: recordNameOf(operations[i]),
            })
          : o.result,
      ),
    }
  }
  commit(ctx, zone, staged)
  const desiredKeys = ctx.body.desiredKeys
  return {
    records: outcomes.map((o, i) => {
      if (!o.ok) return o.result
      const name = String(o.result.recordName)
      const record = zone.records.get(name)
      if (!record) return { recordName: name, deleted: true }
      const opKeys = (operations[i] as { desiredKeys?: unknown }).desiredKeys
      return renderRecord(ctx, record, zone, opKeys ?? desiredKeys)
    }),
  }
}

function recordNameOf(op: unknown): string | undefined {
  const name = (op as { record?: { recordName?: unknown } })?.record?.recordName
  return typeof name === 'string' ? name : undefined
}

function current(zone: StoredZone, staged: Staged, name: string): StoredRecord | undefined {
  if (staged.has(name)) return staged.get(name) ?? undefined
  return zone.records.get(name)
}

function applyOperation(
  ctx: OperationContext,
  zone: StoredZone,
  staged: Staged,
  op: Record<string, unknown>,
): OperationOutcome {
  const type = op.operationType
  const input = (op.record ?? {}) as Record<string, unknown>
  const given = typeof input.recordName === 'string' ? input.recordName : undefined
  const fail = (code: Parameters<typeof itemError>[0], reason: string): OperationOutcome => ({
    ok: false,
    result: itemError(code, reason, given === undefined ? {} : { recordName: given }),
  })
  if (type === 'create' && given === undefined) input.recordName = randomUUID().toUpperCase()
  const name = typeof input.recordName === 'string' ? input.recordName : undefined
  if (name === undefined || name === '') return fail('BAD_REQUEST', 'The record needs a recordName.')
  const existing = current(zone, staged, name)
  const tag = input.recordChangeTag
  const fields = input.fields as Record<string, WireField | null> | undefined
  if (fields !== undefined && (fields === null || typeof fields !== 'object'))
    return fail('BAD_REQUEST', 'fields must be a dictionary.')
  const checkFields = () => validateFields(ctx, zone, staged, fields ?? {})

  switch (type) {
    case 'create': {
      if (existing) return fail('EXISTS', `Record ${name} already exists.`)
      if (typeof input.recordType !== 'string' || input.recordType === '')
        return fail('BAD_REQUEST', 'A created record needs a recordType.')
      const problem = checkFields()
      if (problem) return problem
      const sharing = sharingOf(ctx, zone, staged, input, undefined)
      if ('error' in sharing) return { ok: false, result: sharing.error }
      const created = newRecord(ctx, name, input.recordType, normalize(ctx, withoutNulls(fields ?? {})))
      if (sharing.root) staged.set(sharing.root.recordName, sharing.root)
      staged.set(name, { ...created, ...sharing.extras })
      return { ok: true, result: { recordName: name } }
    }
    case 'update':
    case 'replace':
    case 'forceUpdate':
    case 'forceReplace': {
      const force = type === 'forceUpdate' || type === 'forceReplace'
      if (!existing && !force) return fail('NOT_FOUND', `Record ${name} does not exist.`)
      if (existing && !force && tag !== existing.recordChangeTag)
        return fail(
          'CONFLICT',
          tag === undefined
            ? `${type} needs the recordChangeTag of record ${name}.`
            : `Record ${name} changed on the server (change tag ${JSON.stringify(tag)} is stale).`,
        )
      const problem = checkFields()
      if (problem) return problem
      const recordType = typeof input.recordType === 'string' ? input.recordType : existing?.recordType
      if (!recordType) return fail('BAD_REQUEST', `${type} of a new record needs a recordType.`)
      const sharing = sharingOf(ctx, zone, staged, input, existing)
      if ('error' in sharing) return { ok: false, result: sharing.error }
      if (sharing.root) staged.set(sharing.root.recordName, sharing.root)
      const base = existing && (type === 'update' || type === 'forceUpdate') ? existing.fields : {}
      const merged: Record<string, WireField> = Object.assign(dictionary<WireField>(), base)
      for (const [key, value] of Object.entries(fields ?? {})) {
        if (value === null) delete merged[key]
        else merged[key] = value
      }
      const next = existing
        ? {
            ...existing,
            recordType,
            fields: normalize(ctx, merged),
            recordChangeTag: newChangeTag(ctx),
            modified: change(ctx),
          }
        : newRecord(ctx, name, recordType, normalize(ctx, merged))
      staged.set(name, { ...next, ...sharing.extras })
      return { ok: true, result: { recordName: name } }
    }
    case 'delete':
    case 'forceDelete': {
      if (!existing) return fail('NOT_FOUND', `Record ${name} does not exist.`)
      if (type === 'delete' && tag !== existing.recordChangeTag)
        return fail(
          'CONFLICT',
          `Record ${name} changed on the server (change tag ${JSON.stringify(tag)} is stale).`,
        )
      const blocker = referencing(zone, staged, name, 'VALIDATE')
      if (blocker)
        return fail(
          'VALIDATING_REFERENCE_ERROR',
          `Record ${blocker} holds a VALIDATE reference to ${name}; delete it first.`,
        )
      staged.set(name, null)
      if (existing.recordType === SHARE_RECORD_TYPE) unshareRoot(ctx, zone, staged, existing)
      deleteSelfCascade(zone, staged, name)
      return { ok: true, result: { recordName: name } }
    }
    default:
      return fail('BAD_REQUEST', `Unknown operationType ${JSON.stringify(type)}.`)
  }
}

function withoutNulls(fields: Record<string, WireField | null>): Record<string, WireField> {
  const out = dictionary<WireField>()
  for (const [name, value] of Object.entries(fields)) if (value !== null) out[name] = value
  return out
}

function newRecord(
  ctx: OperationContext,
  name: string,
  recordType: string,
  fields: Record<string, WireField>,
): StoredRecord {
  const who = change(ctx)
  return {
    recordName: name,
    recordType,
    recordChangeTag: newChangeTag(ctx),
    fields,
    created: who,
    modified: who,
    serial: 0,
    order: nextCounter(ctx),
  }
}

function change(ctx: OperationContext) {
  return { timestamp: ctx.now, userRecordName: actor(ctx), deviceID: 'sigwire-emulator' }
}

/** Validates field values; references with VALIDATE or DELETE_SELF need their target (§4.1). */
function validateFields(
  ctx: OperationContext,
  zone: StoredZone,
  staged: Staged,
  fields: Record<string, WireField | null>,
): OperationOutcome | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) continue
    if (typeof value !== 'object' || !('value' in value))
      return {
        ok: false,
        result: itemError('BAD_REQUEST', `Field ${name} needs a {value, type} dictionary.`),
      }
    const type = value.type ?? inferType(value.value)
    if (!(ctx.fieldTypes ?? SCALAR_TYPES).has(type.replace(/_LIST$/, '')))
      return {
        ok: false,
        result: itemError('BAD_REQUEST', `Field ${name} has the unknown type ${JSON.stringify(type)}.`),
      }
    if (type.endsWith('_LIST') && !Array.isArray(value.value))
      return {
        ok: false,
        result: itemError('BAD_REQUEST', `Field ${name} is tagged ${type} but its value is not a list.`),
      }
    if (type === 'TIMESTAMP' && !Number.isFinite(Number(value.value)))
      return {
        ok: false,
        result: itemError(
          'BAD_REQUEST',
          `Field ${name} is a TIMESTAMP and needs milliseconds since the epoch.`,
        ),
      }
    const references =
      type === 'REFERENCE' ? [value.value] : type === 'REFERENCE_LIST' ? (value.value as unknown[]) : []
    for (const ref of references) {
      const r = ref as { recordName?: string; action?: string; zoneID?: { zoneName?: string } }
      if (typeof r?.recordName !== 'string')
        return {
          ok: false,
          result: itemError('BAD_REQUEST', `Field ${name} holds a reference without a recordName.`),
        }
      if ((r.action === 'VALIDATE' || r.action === 'DELETE_SELF') && !current(zone, staged, r.recordName))
        return {
          ok: false,
          result: itemError(
            'VALIDATING_REFERENCE_ERROR',
            `Field ${name} references ${r.recordName} with action ${r.action}, and that record does not exist.`,
          ),
        }
    }
    const assets =
      type === 'ASSETID' ? [value.value] : type === 'ASSETID_LIST' ? (value.value as unknown[]) : []
    for (const asset of assets)
      if (resolveAsset(ctx, asset) === undefined)
        return {
          ok: false,
          result: itemError(
            'BAD_REQUEST',
            `Field ${name} holds an asset whose receipt this server did not issue.`,
          ),
        }
  }
  return undefined
}

function normalize(ctx: OperationContext, fields: Record<string, WireField>): Record<string, WireField> {
  const out = dictionary<WireField>()
  for (const [name, value] of Object.entries(fields)) {
    const type = value.type ?? inferType(value.value)
    if (type === 'ASSETID') out[name] = { type, value: resolveAsset(ctx, value.value)! }
    else if (type === 'ASSETID_LIST')
      out[name] = { type, value: (value.value as unknown[]).map((a) => resolveAsset(ctx, a)!) }
    else out[name] = { type, value: value.value }
  }
  return out
}

/** An asset value is a receipt from the upload, or an asset already stored (re-referenced). */
function resolveAsset(ctx: OperationContext, value: unknown): StoredAsset | undefined {
  const v = value as { receipt?: string; assetId?: string; downloadURL?: string }
  if (typeof v?.receipt === 'string') {
    const uploadId = ctx.data.receipts().get(v.receipt)
    return uploadId === undefined ? undefined : ctx.data.uploads().get(uploadId)?.asset
  }
  const match =
    typeof v?.downloadURL === 'string' ? /\/assets\/download\/([^/]+)\//.exec(v.downloadURL) : null
  if (match) return ctx.data.uploadOfAsset(match[1]!)?.asset
  return undefined
}

function inferType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'DOUBLE'
  if (Array.isArray(value)) return typeof value[0] === 'number' ? 'INT64_LIST' : 'STRING_LIST'
  if (value !== null && typeof value === 'object') {
    if ('recordName' in value) return 'REFERENCE'
    if ('latitude' in value) return 'LOCATION'
    if ('receipt' in value || 'fileChecksum' in value) return 'ASSETID'
  }
  return 'STRING'
}

/** A record (other than `name`) holding a reference with `action` to `name`. */
function referencing(zone: StoredZone, staged: Staged, name: string, action: string): string | undefined {
  const names = new Set([...zone.records.keys(), ...staged.keys()])
  for (const other of names) {
    if (other === name) continue
    const record = current(zone, staged, other)
    if (record && references(record).some((r) => r.recordName === name && r.action === action)) return other
  }
  return undefined
}

function references(record: StoredRecord): Array<{ recordName: string; action?: string }> {
  const out: Array<{ recordName: string; action?: string }> = []
  for (const value of Object.values(record.fields)) {
    if (value.type === 'REFERENCE') out.push(value.value as { recordName: string; action?: string })
    if (value.type === 'REFERENCE_LIST')
      out.push(...(value.value as Array<{ recordName: string; action?: string }>))
  }
  return out
}

/** Deleting a record deletes the records that point to it with DELETE_SELF, recursively. */
function deleteSelfCascade(zone: StoredZone, staged: Staged, name: string): void {
  for (
    let other = referencing(zone, staged, name, 'DELETE_SELF');
    other;
    other = referencing(zone, staged, name, 'DELETE_SELF')
  ) {
    staged.set(other, null)
    deleteSelfCascade(zone, staged, other)
  }
}

function commit(ctx: OperationContext, zone: StoredZone, staged: Staged): void {
  if (staged.size === 0) return
  const db = ctx.data.databaseOfZone(zone) ?? databaseOf(ctx)
  const changes: Array<{ name: string; before: StoredRecord | undefined; after: StoredRecord | null }> = []
  for (const [name, record] of staged) {
    const before = zone.records.get(name)
    zone.serial += 1
    if (record === null) {
      if (before) ctx.data.deleteRecord(ctx.tx, db, zone, name, zone.serial)
    } else {
      record.serial = zone.serial
      ctx.data.putRecord(ctx.tx, db, zone, record)
    }
    if (before || record) changes.push({ name, before, after: record })
  }
  db.serial += 1
  zone.changedAt = db.serial
  zone.clock = nextCounter(ctx)
  ctx.data.putZone(ctx.tx, db, zone)
  ctx.data.putDatabase(ctx.tx, db)
  afterSharingChanges(ctx, db, zone, changes)
  notifySubscribers(ctx, db, zone, changes)
}

/** `records/lookup`: each name gives the record or a NOT_FOUND item (DOC `LookupRecords`). */
export function lookupRecords(ctx: OperationContext): Record<string, unknown> {
  const wanted = listOf(ctx.body, 'records')
  if (wanted.length > MAX_OPERATIONS) throw badRequest(`At most ${MAX_OPERATIONS} records per lookup.`)
  const zone = zoneOf(ctx, ctx.body.zoneID)
  return {
    records: wanted.map((entry) => {
      const e = entry as { recordName?: unknown; desiredKeys?: unknown }
      if (typeof e?.recordName !== 'string')
        return itemError('BAD_REQUEST', 'Each lookup entry needs a recordName.')
      const record = zone.records.get(e.recordName)
      if (!record || !canSee(ctx, zone, record))
        return itemError('NOT_FOUND', `Record ${e.recordName} does not exist.`, { recordName: e.recordName })
      return renderRecord(ctx, record, zone, e.desiredKeys ?? ctx.body.desiredKeys)
    }),
  }
}

/**
 * `records/changes`: the records changed and deleted in a custom zone of a private or shared database
 * since `syncToken`, oldest first, `resultsLimit` at a time with `moreComing` (DOC `ChangeRecords`).
 */
export function recordChanges(ctx: OperationContext): Record<string, unknown> {
  if (ctx.database === 'public')
    throw badRequest('records/changes works on custom zones of the private and shared databases only.')
  const name = zoneName(ctx.body.zoneID)
  if (name === DEFAULT_ZONE) throw badRequest('records/changes needs the zoneID of a custom zone.')
  const zone = zoneOf(ctx, ctx.body.zoneID)
  return {
    ...zoneRecordChanges(ctx, zone, {
      syncToken: ctx.body.syncToken,
      limit: limitOf(ctx.body.resultsLimit),
      desiredKeys: ctx.body.desiredKeys,
    }),
    reverse: false,
  }
}

/**
 * The records changed and deleted in `zone` since a sync token, oldest first, `limit` at a time
 * (`records/changes` and each zone of `changes/zone`). In the shared database only the records of the
 * caller's shares are listed.
 */
export function zoneRecordChanges(
  ctx: OperationContext,
  zone: StoredZone,
  options: { syncToken: unknown; limit: number; desiredKeys?: unknown; desiredRecordTypes?: unknown },
): { records: Record<string, unknown>[]; syncToken: string; moreComing: boolean } {
  const since = readSyncToken(options.syncToken, zone)
  const types = Array.isArray(options.desiredRecordTypes)
    ? new Set(options.desiredRecordTypes.map(String))
    : undefined
  const changes: Array<{ serial: number; item: Record<string, unknown> }> = []
  for (const record of zone.records.values())
    if (record.serial > since && (!types || types.has(record.recordType)) && canSee(ctx, zone, record))
      changes.push({ serial: record.serial, item: renderRecord(ctx, record, zone, options.desiredKeys) })
  for (const [recordName, tomb] of zone.tombstones)
    if (tomb.serial > since) changes.push({ serial: tomb.serial, item: { recordName, deleted: true } })
  changes.sort((a, b) => a.serial - b.serial)
  const page = changes.slice(0, options.limit)
  const moreComing = changes.length > options.limit
  const last = moreComing ? page[page.length - 1]!.serial : zone.serial
  return { records: page.map((c) => c.item), syncToken: zoneSyncToken(zone, last), moreComing }
}

/** The sync token naming `serial` of `zone` (the zone's current one by default). */
export function zoneSyncToken(zone: StoredZone, serial: number = zone.serial): string {
  return Buffer.from(JSON.stringify({ z: zone.zoneID.zoneName, i: zone.incarnation, s: serial })).toString(
    'base64url',
  )
}

function readSyncToken(token: unknown, zone: StoredZone): number {
  if (token === undefined || token === null || token === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
      z: string
      i: string
      s: number
    }
    if (parsed.z === zone.zoneID.zoneName && parsed.i === zone.incarnation && Number.isInteger(parsed.s))
      return parsed.s
  } catch {
    // fall through
  }
  throw badRequest(
    'The syncToken does not belong to this zone (was it recreated?); sync again without a token.',
  )
}

/** A `resultsLimit` (1 to 200, default 200). */
export function limitOf(value: unknown): number {
  if (value === undefined) return 200
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 200)
    throw badRequest(`resultsLimit must be an integer from 1 to 200, not ${JSON.stringify(value)}.`)
  return value
}
