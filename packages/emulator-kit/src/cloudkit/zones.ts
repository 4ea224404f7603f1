import { databaseOf, listOf, type OperationContext, zoneName } from './context.js'
import { badRequest, itemError } from './errors.js'
import { limitOf } from './records.js'
import { DEFAULT_ZONE, newZone, type StoredZone } from './state.js'
import type { EngineZoneID as ZoneID } from './vocabulary.js'

function renderZone(zone: StoredZone): Record<string, unknown> {
  return {
    zoneID: zone.zoneID,
    syncToken: Buffer.from(
      JSON.stringify({ z: zone.zoneID.zoneName, i: zone.incarnation, s: zone.serial }),
    ).toString('base64url'),
    atomic: zone.zoneID.zoneName !== DEFAULT_ZONE,
    ...(zone.deleted ? { deleted: true } : {}),
  }
}

/** `zones/list` (DOC `GettingAllZones`). */
export function listZones(ctx: OperationContext): Record<string, unknown> {
  return {
    zones: [...databaseOf(ctx).zones.values()].filter((z) => !z.deleted).map(renderZone),
  }
}

/** `zones/lookup`: each zone or a ZONE_NOT_FOUND item. */
export function lookupZones(ctx: OperationContext): Record<string, unknown> {
  const db = databaseOf(ctx)
  return {
    zones: listOf(ctx.body, 'zones').map((id) => {
      const name = zoneName(id)
      const zone = db.zones.get(name)
      return zone && !zone.deleted
        ? renderZone(zone)
        : itemError('ZONE_NOT_FOUND', `Zone ${JSON.stringify(name)} does not exist.`, { zoneID: id })
    }),
  }
}

/**
 * `zones/modify`: create and delete custom zones (DOC `ModifyZones`). The public database has only its
 * default zone; the default zone cannot be deleted.
 */
export function modifyZones(ctx: OperationContext): Record<string, unknown> {
  const db = databaseOf(ctx)
  const zones = listOf(ctx.body, 'operations').map((entry) => {
    const op = entry as { operationType?: string; zone?: { zoneID?: ZoneID } }
    const id = op.zone?.zoneID
    const name = zoneName(id)
    const fail = (code: Parameters<typeof itemError>[0], reason: string) =>
      itemError(code, reason, { zoneID: id })
    if (ctx.database === 'public')
      return fail('BAD_REQUEST', 'The public database supports only the default zone.')
    if (name === DEFAULT_ZONE) return fail('BAD_REQUEST', 'The default zone cannot be created or deleted.')
    const existing = db.zones.get(name)
    if (op.operationType === 'create') {
      if (existing && !existing.deleted) return renderZone(existing)
      db.serial += 1
      const zone = newZone(
        { zoneName: name, ...(id?.ownerRecordName ? { ownerRecordName: id.ownerRecordName } : {}) },
        db.serial,
      )
      ctx.data.putZone(ctx.tx, db, zone)
      ctx.data.putDatabase(ctx.tx, db)
      return renderZone(zone)
    }
    if (op.operationType === 'delete') {
      if (!existing || existing.deleted)
        return fail('ZONE_NOT_FOUND', `Zone ${JSON.stringify(name)} does not exist.`)
      db.serial += 1
      existing.deleted = true
      ctx.data.clearZone(ctx.tx, db, existing)
      existing.changedAt = db.serial
      ctx.data.putZone(ctx.tx, db, existing)
      ctx.data.putDatabase(ctx.tx, db)
      return { zoneID: existing.zoneID, deleted: true }
    }
    return fail('BAD_REQUEST', `Unknown zone operationType ${JSON.stringify(op.operationType)}.`)
  })
  return { zones }
}

/**
 * `zones/changes`: zones created, changed or deleted since `metaSyncToken`. Like the live service,
 * only `metaSyncToken` is read; a `syncToken` here is ignored (§2.4; 3P MistKit#430).
 */
export function zoneChanges(ctx: OperationContext): Record<string, unknown> {
  const db = databaseOf(ctx)
  const limit = limitOf(ctx.body.resultsLimit)
  const since = readMeta(ctx.body.metaSyncToken)
  const changed = [...db.zones.values()]
    .filter((z) => z.changedAt > since)
    .sort((a, b) => a.changedAt - b.changedAt)
  const page = changed.slice(0, limit)
  const moreComing = changed.length > limit
  const last = moreComing ? page[page.length - 1]!.changedAt : db.serial
  return {
    zones: page.map(renderZone),
    metaSyncToken: Buffer.from(JSON.stringify({ m: last })).toString('base64url'),
    moreComing,
  }
}

function readMeta(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { m: number }
    if (Number.isInteger(parsed.m)) return parsed.m
  } catch {
    // fall through
  }
  throw badRequest('The metaSyncToken is not one this server issued.')
}
