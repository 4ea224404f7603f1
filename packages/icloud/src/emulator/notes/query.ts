import {
  badRequest,
  type OperationContext,
  queryRecords,
  type StoredRecord,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'
import { offsetPage } from '../ckdatabase/continuation.js'

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
  return offsetPage(ctx, zone, matches, index)
}
