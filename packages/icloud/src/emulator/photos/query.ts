import {
  badRequest,
  type EngineField,
  type OperationContext,
  queryRecords,
  renderRecord,
  type StoredRecord,
  type StoredZone,
  zoneOf,
  zoneSyncToken,
} from '@sigwire/emulator-kit/cloudkit'
import { type AssetView, countOf, indexMembers, pageOf, type RelationView } from './indexes.js'
import { type PhotosLibrary, ROOT_FOLDER } from './library.js'

// `records/query` of the Photos container: the indexing gate, index counts, the album list and the
// asset indexes answer virtual record types (docs/protocols/icloud.md §16.3 to §16.6); any other record
// type is an ordinary CloudKit query on the stored records, run by the shared engine.

interface Filter {
  readonly fieldName?: string
  readonly comparator?: string
  readonly fieldValue?: EngineField
}

/** The filters of a query by field name (CloudKit sends a list; some Photos calls send one object). */
export function filtersOf(query: { filterBy?: unknown }): Map<string, unknown> {
  const list = Array.isArray(query.filterBy) ? query.filterBy : query.filterBy ? [query.filterBy] : []
  const out = new Map<string, unknown>()
  for (const f of list as Filter[]) {
    if (!f || typeof f.fieldName !== 'string') throw badRequest('Each filter needs a fieldName.')
    if (f.comparator !== 'EQUALS' && f.comparator !== 'IN')
      throw badRequest(`The Photos indexes filter with EQUALS or IN, not ${JSON.stringify(f.comparator)}.`)
    out.set(f.fieldName, f.fieldValue?.value)
  }
  return out
}

/** Answers one Photos `records/query` (also each entry of `internal/records/query/batch`). */
export function photosQuery(ctx: OperationContext, library: PhotosLibrary): Record<string, unknown> {
  const query = ctx.body.query as { recordType?: unknown; filterBy?: unknown } | undefined
  if (!query || typeof query.recordType !== 'string' || query.recordType === '')
    throw badRequest('The query needs a recordType.')
  const zone = zoneOf(ctx, ctx.body.zoneID)
  const token = { syncToken: zoneSyncToken(zone) }
  const recordType = query.recordType
  if (recordType === 'CheckIndexingState')
    return {
      records: [
        {
          recordName: '_CheckIndexingState_',
          recordType,
          fields: {
            state: { value: library.indexingState, type: 'STRING' },
            ...(library.indexingState === 'RUNNING' ? { progress: { value: 42, type: 'INT64' } } : {}),
          },
        },
      ],
      ...token,
    }
  if (recordType === 'HyperionIndexCountLookup') {
    const ids = filtersOf(query).get('indexCountID')
    if (!Array.isArray(ids) || ids.length === 0)
      throw badRequest('HyperionIndexCountLookup needs indexCountID IN [...].')
    const views = library.views(zone)
    return {
      records: ids.map((id) => {
        const count = countOf(views, String(id))
        if (count === undefined) throw badRequest(`Unknown indexCountID ${JSON.stringify(id)}.`)
        return {
          recordName: String(id),
          recordType,
          fields: { itemCount: { value: count, type: 'INT64' } },
        }
      }),
      ...token,
    }
  }
  if (recordType === 'CPLAlbumByPositionLive') return { ...albumPage(ctx, zone, query), ...token }
  const filters = filtersOf(query)
  const members = indexMembers(library.views(zone), recordType, filters)
  if (!members) return { ...queryRecords(ctx), ...token }
  const limit = Number(ctx.body.resultsLimit ?? 200)
  if (!Number.isInteger(limit) || limit < 1 || limit > 400)
    throw badRequest('resultsLimit must be an integer from 1 to 400.')
  const startRank = Number(filters.get('startRank') ?? 0)
  const direction = String(filters.get('direction') ?? 'ASCENDING')
  if (!Number.isInteger(startRank)) throw badRequest('startRank must be an INT64.')
  if (direction !== 'ASCENDING' && direction !== 'DESCENDING')
    throw badRequest('direction is ASCENDING or DESCENDING.')
  const wanted = filters.get('recordName')
  let items: readonly (AssetView | RelationView)[] = members.items
  if (typeof wanted === 'string')
    items = items.filter(
      (m) => viewOf(m).asset.recordName === wanted || viewOf(m).master.recordName === wanted,
    )
  const page = pageOf(items, {
    startRank,
    descending: direction === 'DESCENDING',
    addedDescending: direction === 'DESCENDING' && recordType === 'CPLAssetAndMasterByAddedDate',
    limitMembers: Math.floor(limit / members.perAsset),
  })
  const keys = ctx.body.desiredKeys
  const records: unknown[] = []
  for (const member of page) {
    if ('relation' in member) records.push(renderRecord(ctx, member.relation, zone, keys))
    const view = viewOf(member)
    records.push(renderRecord(ctx, view.master, zone, keys), renderRecord(ctx, view.asset, zone, keys))
  }
  return { records, ...token }
}

function viewOf(member: AssetView | RelationView): AssetView {
  return 'relation' in member ? member.view : member
}

/**
 * `CPLAlbumByPositionLive`: the albums and folders under `parentId` (without it, the root folders
 * and the top-level albums), by position, paged with `continuationMarker` (pyicloud
 * `_fetch_album_records`, §16.5).
 */
function albumPage(
  ctx: OperationContext,
  zone: StoredZone,
  query: { filterBy?: unknown },
): Record<string, unknown> {
  const parent = filtersOf(query).get('parentId')
  const albums = [...zone.records.values()].filter((r: StoredRecord) => {
    if (r.recordType !== 'CPLAlbum' || Number(r.fields.isDeleted?.value ?? 0) === 1) return false
    const p = r.fields.parentId?.value
    if (typeof parent === 'string') return p === parent
    return r.recordName === ROOT_FOLDER || p === ROOT_FOLDER || p === undefined
  })
  albums.sort(
    (a, b) =>
      Number(a.fields.position?.value ?? 0) - Number(b.fields.position?.value ?? 0) || a.order - b.order,
  )
  const limit = Number(ctx.body.resultsLimit ?? 200)
  const offset = readMarker(ctx.body.continuationMarker)
  const page = albums.slice(offset, offset + limit)
  const next = offset + page.length
  return {
    records: page.map((r) => renderRecord(ctx, r, zone, ctx.body.desiredKeys)),
    ...(next < albums.length
      ? { continuationMarker: Buffer.from(JSON.stringify({ a: next })).toString('base64url') }
      : {}),
  }
}

function readMarker(marker: unknown): number {
  if (marker === undefined || marker === null) return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(marker), 'base64url').toString('utf8')) as { a?: unknown }
    if (Number.isInteger(parsed.a) && (parsed.a as number) >= 0) return parsed.a as number
  } catch {
    // fall through
  }
  throw badRequest('The continuationMarker does not belong to this query; resend the query it came with.')
}
