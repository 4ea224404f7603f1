import { createHash } from 'node:crypto'
import { databaseOf, listOf, type OperationContext, zoneName, zoneOf } from './context.js'
import { badRequest, itemError } from './errors.js'
import { limitOf, zoneIdOf, zoneRecordChanges } from './records.js'
import { participationsOf, privateDatabaseKey } from './shared-zones.js'
import { DEFAULT_ZONE, type StoredZone } from './state.js'

/** A database sync token: the global change counter, bound to the database it was issued for. */
function databaseToken(ctx: OperationContext, clock: number): string {
  return Buffer.from(JSON.stringify({ d: databaseTag(ctx), c: clock })).toString('base64url')
}

function databaseTag(ctx: OperationContext): string {
  const key = `${ctx.scope}|${ctx.database}|${ctx.principal.userRecordName ?? ''}`
  return createHash('sha256').update(key).digest('base64url').slice(0, 12)
}

function readDatabaseToken(ctx: OperationContext, token: unknown): number {
  if (token === undefined || token === null || token === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
      d: string
      c: number
    }
    if (parsed.d === databaseTag(ctx) && Number.isInteger(parsed.c)) return parsed.c
  } catch {
    // fall through
  }
  throw badRequest('The syncToken does not belong to this database; fetch the changes again without a token.')
}

/**
 * `changes/database` (DOC `FetchingDatabaseChanges`; docs/protocols/cloudkit.md §9): the zones of the
 * private or shared database that changed since `syncToken`, oldest change first, `resultsLimit` at a
 * time with `moreComing`. In the shared database these are the zones of the shares the caller
 * accepted: a zone appears when its records change or when the caller joins it.
 */
export function databaseChanges(ctx: OperationContext): Record<string, unknown> {
  if (ctx.database === 'public')
    throw badRequest('changes/database works on the private and shared databases.')
  const since = readDatabaseToken(ctx, ctx.body.syncToken)
  const limit = limitOf(ctx.body.resultsLimit)
  const changed: Array<{ clock: number; zone: StoredZone }> = []
  if (ctx.database === 'private') {
    for (const zone of databaseOf(ctx).zones.values())
      if (zone.zoneID.zoneName !== DEFAULT_ZONE && (zone.clock ?? 0) > since)
        changed.push({ clock: zone.clock ?? 0, zone })
  } else {
    const seen = new Map<StoredZone, number>()
    for (const p of participationsOf(ctx)) {
      const zone = ctx.data.databases
        .get(privateDatabaseKey(ctx.scope, p.ownerRecordName))
        ?.zones.get(p.zoneName)
      if (!zone) continue
      const clock = Math.max(zone.clock ?? 0, p.acceptedAt)
      if (clock > since && clock > (seen.get(zone) ?? 0)) seen.set(zone, clock)
    }
    for (const [zone, clock] of seen) changed.push({ clock, zone })
  }
  changed.sort((a, b) => a.clock - b.clock)
  const page = changed.slice(0, limit)
  const moreComing = changed.length > limit
  const last = moreComing ? page[page.length - 1]!.clock : Math.max(since, ctx.data.counter)
  return {
    zones: page.map(({ zone }) => ({
      zoneID: zoneIdOf(ctx, zone),
      ...(zone.deleted ? { deleted: true } : {}),
    })),
    syncToken: databaseToken(ctx, last),
    moreComing,
  }
}

/**
 * `changes/zone` (DOC `FetchingRecordZoneChanges`): for each zone asked, its records changed since
 * that zone's `syncToken` (`desiredKeys`, `desiredRecordTypes`, `resultsLimit` per zone or for the
 * request), or that zone's own error.
 */
export function recordZoneChanges(ctx: OperationContext): Record<string, unknown> {
  if (ctx.database === 'public') throw badRequest('changes/zone works on the private and shared databases.')
  const zones = listOf(ctx.body, 'zones')
  if (zones.length === 0) throw badRequest('changes/zone needs at least one zone.')
  const requestLimit = ctx.body.resultsLimit
  return {
    zones: zones.map((entry) => {
      const request = (entry ?? {}) as {
        zoneID?: unknown
        syncToken?: unknown
        desiredKeys?: unknown
        desiredRecordTypes?: unknown
        resultsLimit?: unknown
      }
      try {
        if (zoneName(request.zoneID) === DEFAULT_ZONE)
          return itemError('BAD_REQUEST', 'changes/zone needs the zoneID of a custom zone.', {
            zoneID: request.zoneID,
          })
        const zone = zoneOf(ctx, request.zoneID)
        return {
          zoneID: zoneIdOf(ctx, zone),
          ...zoneRecordChanges(ctx, zone, {
            syncToken: request.syncToken,
            limit: limitOf(request.resultsLimit ?? requestLimit),
            desiredKeys: request.desiredKeys ?? ctx.body.desiredKeys,
            desiredRecordTypes: request.desiredRecordTypes,
          }),
        }
      } catch (error) {
        const e = error as { code?: string; message?: string }
        if (e.code === 'ZONE_NOT_FOUND' || e.code === 'BAD_REQUEST')
          return itemError(e.code, e.message ?? e.code, { zoneID: request.zoneID })
        throw error
      }
    }),
  }
}
