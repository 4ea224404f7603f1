import { badRequest, type OperationContext, recordChanges, zoneOf } from '@sigwire/emulator-kit/cloudkit'

/**
 * `changes/zone`: for each zone of `zones`, the records changed since its `syncToken`, oldest first,
 * `resultsLimit` at a time with `moreComing`, limited to `desiredRecordTypes` (deletions, which come
 * as `{recordName, deleted: true}`, always pass) and `desiredKeys` (pyicloud `CKZoneChangesRequest`,
 * common/cloudkit/client.py 339-365, docs/protocols/icloud.md §16.11). Runs the engine's
 * `records/changes` zone by zone.
 */
export function changesZone(ctx: OperationContext): Record<string, unknown> {
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
