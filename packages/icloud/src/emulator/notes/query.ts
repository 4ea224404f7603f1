import {
  badRequest,
  limitOf,
  type OperationContext,
  queryRecords,
  recordChanges,
  renderRecord,
  type StoredRecord,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'

const NOTE_TYPES: ReadonlySet<string> = new Set(['Note', 'PasswordProtectedNote'])

/** The `indexName` of a `SearchIndexes` query (its one EQUALS filter, pyicloud service.py 143-153). */
function indexNameOf(query: { filterBy?: unknown }): string {
  const filters = Array.isArray(query.filterBy) ? query.filterBy : []
  for (const f of filters as Array<{
    fieldName?: unknown
    comparator?: unknown
    fieldValue?: { value?: unknown }
  }>)
    if (f?.fieldName === 'indexName' && f.comparator === 'EQUALS' && typeof f.fieldValue?.value === 'string')
      return f.fieldValue.value
  throw badRequest('A SearchIndexes query needs an EQUALS filter on indexName.')
}

function modTime(record: StoredRecord): number {
  const value = record.fields.ModificationDate?.value
  return typeof value === 'number' ? value : record.modified.timestamp
}

function readOffset(marker: unknown, index: string): number {
  if (marker === undefined || marker === null || marker === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(marker), 'base64url').toString('utf8')) as {
      x?: unknown
      o?: unknown
    }
    if (parsed.x === index && Number.isInteger(parsed.o) && (parsed.o as number) >= 0)
      return parsed.o as number
  } catch {
    // fall through
  }
  throw badRequest('The continuationMarker does not belong to this query; ask again without one.')
}

/**
 * `records/query`. The web app reads Notes through virtual `SearchIndexes` queries (§19.3):
 * `parentless` lists the top-level folders, `recents` the notes not in Recently Deleted, most recently
 * modified first; both page with a `continuationMarker`. Other record types go to the engine's query.
 */
export function notesQuery(ctx: OperationContext): Record<string, unknown> {
  const query = ctx.body.query as { recordType?: unknown; filterBy?: unknown } | undefined
  if (query?.recordType !== 'SearchIndexes') return queryRecords(ctx)
  const index = indexNameOf(query)
  const zone = zoneOf(ctx, ctx.body.zoneID)
  const all = [...zone.records.values()]
  let matches: StoredRecord[]
  if (index === 'parentless')
    matches = all
      .filter((r) => r.recordType === 'Folder' && r.fields.ParentFolder === undefined)
      .sort((a, b) => a.order - b.order)
  else if (index === 'recents')
    matches = all
      .filter((r) => NOTE_TYPES.has(r.recordType) && Number(r.fields.Deleted?.value ?? 0) === 0)
      .sort((a, b) => modTime(b) - modTime(a))
  else
    throw badRequest(
      `The Notes emulator has no index ${JSON.stringify(index)} (it has parentless and recents).`,
    )
  const limit = limitOf(ctx.body.resultsLimit)
  const offset = readOffset(ctx.body.continuationMarker, index)
  const page = matches.slice(offset, offset + limit)
  const next = offset + limit < matches.length
  return {
    records: page.map((r) => renderRecord(ctx, r, zone, ctx.body.desiredKeys)),
    ...(next
      ? {
          continuationMarker: Buffer.from(JSON.stringify({ x: index, o: offset + limit })).toString(
            'base64url',
          ),
        }
      : {}),
  }
}

/**
 * `changes/zone`: for each zone of `zones`, the records changed since its `syncToken`, oldest first,
 * `resultsLimit` at a time with `moreComing`, limited to `desiredRecordTypes` and `desiredKeys`
 * (pyicloud common/cloudkit/client.py 339-365). Deleted records come as `{recordName, deleted: true}`.
 */
export function notesChanges(ctx: OperationContext): Record<string, unknown> {
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
