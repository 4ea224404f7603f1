import type { StoredRecord, StoredZone } from '@sigwire/emulator-kit/cloudkit'

// The virtual record types of Photos' `records/query`: each names an index of the library that
// answers CPLAsset + CPLMaster records (plus the CPLContainerRelation for album indexes), paged by a
// `startRank` filter that counts assets (docs/protocols/icloud.md §16.6).

/** One asset of a zone with what the indexes sort and filter on. */
export interface AssetView {
  /** Asset. */
  readonly asset: StoredRecord
  /** Master. */
  readonly master: StoredRecord
  /** Asset date. */
  readonly assetDate: number
  /** Added date. */
  readonly addedDate: number
  /** Deleted at. */
  readonly deletedAt: number
  /** True once the zone was deleted. */
  readonly deleted: boolean
  /** Hidden. */
  readonly hidden: boolean
  /** Smart albums the asset is in (`FAVORITE`, `VIDEO`, `LIVE`, ...). */
  readonly smart: ReadonlySet<string>
  /** Burst. */
  readonly burst: boolean
}

/** An album membership with its relation record. */
export interface RelationView {
  /** Relation. */
  readonly relation: StoredRecord
  /** View. */
  readonly view: AssetView
  /** Position. */
  readonly position: number
}

/** A zone's assets, computed once per zone serial. */
export interface ZoneViews {
  /** Serial. */
  readonly serial: number
  /** Assets. */
  readonly assets: readonly AssetView[]
  /** By name. */
  readonly byName: ReadonlyMap<string, AssetView>
  /** Relations (not deleted) per album record name. */
  readonly relations: ReadonlyMap<string, readonly RelationView[]>
}

const num = (r: StoredRecord, name: string): number => Number(r.fields[name]?.value ?? 0)

/** The asset views of a zone (CPLAsset records whose master exists). */
export function zoneViews(zone: StoredZone): ZoneViews {
  const assets: AssetView[] = []
  const byName = new Map<string, AssetView>()
  for (const record of zone.records.values()) {
    if (record.recordType !== 'CPLAsset') continue
    const ref = record.fields.masterRef?.value as { recordName?: string } | undefined
    const master = ref?.recordName ? zone.records.get(ref.recordName) : undefined
    if (master?.recordType !== 'CPLMaster') continue
    const smart = new Set<string>()
    const itemType = String(master.fields.itemType?.value ?? '')
    const movie = itemType.includes('movie') || itemType.includes('mpeg') || itemType.includes('video')
    if (movie) smart.add('VIDEO')
    if (master.fields.resOriginalVidComplRes) smart.add('LIVE')
    if (num(record, 'isFavorite') === 1) smart.add('FAVORITE')
    const hints = record.fields.assetHints?.value
    if (Array.isArray(hints)) for (const h of hints) smart.add(String(h))
    const view: AssetView = {
      asset: record,
      master,
      assetDate: num(record, 'assetDate'),
      addedDate: num(record, 'addedDate'),
      deletedAt: record.modified.timestamp,
      deleted: num(record, 'isDeleted') === 1,
      hidden: num(record, 'isHidden') === 1,
      smart,
      burst: typeof record.fields.burstId?.value === 'string',
    }
    assets.push(view)
    byName.set(record.recordName, view)
  }
  const relations = new Map<string, RelationView[]>()
  for (const record of zone.records.values()) {
    if (record.recordType !== 'CPLContainerRelation' || num(record, 'isDeleted') === 1) continue
    const view = byName.get(String(record.fields.itemId?.value ?? ''))
    if (!view) continue
    const album = String(record.fields.containerId?.value ?? '')
    const list = relations.get(album) ?? []
    list.push({ relation: record, view, position: num(record, 'position') })
    relations.set(album, list)
  }
  return { serial: zone.serial, assets, byName, relations }
}

const byDate =
  (key: 'assetDate' | 'addedDate' | 'deletedAt') =>
  (a: AssetView, b: AssetView): number =>
    a[key] - b[key] ||
    (a.asset.recordName < b.asset.recordName ? -1 : a.asset.recordName > b.asset.recordName ? 1 : 0)

const live = (v: AssetView) => !v.deleted && !v.hidden

/** The smart-album filter values and the `indexCountID` suffix of each (§16.6). */
export const SMART_ALBUM_COUNT_IDS: Readonly<Record<string, string>> = {
  FAVORITE: 'Favorite',
  VIDEO: 'Video',
  LIVE: 'Live',
  PANORAMA: 'Panorama',
  SCREENSHOT: 'Screenshot',
  SLOMO: 'Slomo',
  TIMELAPSE: 'Timelapse',
}

/** The members of an index in order, and how many records each member answers. */
export interface IndexMembers {
  /** The members, oldest first; shared between queries, never modified. */
  readonly items: readonly AssetView[] | readonly RelationView[]
  /** Records per member: 2 (master + asset), 3 with the album relation. */
  readonly perAsset: number
}

// A sync pages one index with `startRank` dozens of times while the zone stays the same, and sorting
// 5,000 assets for every page was the emulator's largest item in a profile of `photos sync`. The
// sorted members are kept per ZoneViews, which is rebuilt whenever the zone's serial moves.
const sortedIndexes = new WeakMap<ZoneViews, Map<string, IndexMembers | undefined>>()

/** The ordered members of an index, or undefined when `recordType` names none. */
export function indexMembers(
  views: ZoneViews,
  recordType: string,
  filters: ReadonlyMap<string, unknown>,
): IndexMembers | undefined {
  let cache = sortedIndexes.get(views)
  if (cache === undefined) {
    cache = new Map()
    sortedIndexes.set(views, cache)
  }
  const key = `${recordType}\0${String(filters.get('smartAlbum') ?? '')}\0${String(filters.get('parentId') ?? '')}`
  if (cache.has(key)) return cache.get(key)
  const members = sortIndex(views, recordType, filters)
  cache.set(key, members)
  return members
}

function sortIndex(
  views: ZoneViews,
  recordType: string,
  filters: ReadonlyMap<string, unknown>,
): IndexMembers | undefined {
  switch (recordType) {
    case 'CPLAssetAndMasterByAssetDateWithoutHiddenOrDeleted':
    case 'CPLAssetAndMasterByAssetDate':
      return { items: views.assets.filter(live).sort(byDate('assetDate')), perAsset: 2 }
    case 'CPLAssetAndMasterByAddedDate':
      return { items: views.assets.filter(live).sort(byDate('addedDate')), perAsset: 2 }
    case 'CPLAssetAndMasterDeletedByExpungedDate':
      return { items: views.assets.filter((v) => v.deleted).sort(byDate('deletedAt')), perAsset: 2 }
    case 'CPLAssetAndMasterHiddenByAssetDate':
      return {
        items: views.assets.filter((v) => v.hidden && !v.deleted).sort(byDate('assetDate')),
        perAsset: 2,
      }
    case 'CPLBurstStackAssetAndMasterByAssetDate':
      return { items: views.assets.filter((v) => live(v) && v.burst).sort(byDate('assetDate')), perAsset: 2 }
    case 'CPLAssetAndMasterInSmartAlbumByAssetDate': {
      const smart = String(filters.get('smartAlbum') ?? '')
      return {
        items: views.assets.filter((v) => live(v) && v.smart.has(smart)).sort(byDate('assetDate')),
        perAsset: 2,
      }
    }
    case 'CPLContainerRelationLiveByAssetDate':
    case 'CPLContainerRelationLiveByPosition': {
      const parent = String(filters.get('parentId') ?? '')
      const list = (views.relations.get(parent) ?? []).filter((r) => live(r.view))
      const sorted =
        recordType === 'CPLContainerRelationLiveByPosition'
          ? [...list].sort((a, b) => a.position - b.position || byDate('assetDate')(a.view, b.view))
          : [...list].sort((a, b) => byDate('assetDate')(a.view, b.view))
      return { items: sorted, perAsset: 3 }
    }
    default:
      return undefined
  }
}

/**
 * One page of an index: `startRank` counts members from the oldest; ASCENDING reads up from it,
 * DESCENDING down from it. The recently-added index read DESCENDING counts from the newest and
 * answers the window of members up to `startRank`, oldest of the window first (pyicloud
 * `_iter_added_desc_photos`, §16.6). At most `floor(resultsLimit / perAsset)` members.
 */
export function pageOf<T>(
  items: readonly T[],
  options: { startRank: number; descending: boolean; addedDescending: boolean; limitMembers: number },
): T[] {
  const n = Math.max(1, options.limitMembers)
  const rank = Math.max(0, Math.floor(options.startRank))
  if (options.addedDescending) {
    const newestFirst = [...items].reverse()
    const from = Math.max(0, rank - n + 1)
    return newestFirst.slice(from, rank + 1).reverse()
  }
  if (!options.descending) return items.slice(rank, rank + n)
  if (rank >= items.length) return []
  const out: T[] = []
  for (let i = rank; i >= 0 && out.length < n; i--) out.push(items[i]!)
  return out
}

/** The number of members an `indexCountID` names, or undefined for an unknown ID. */
export function countOf(views: ZoneViews, id: string): number | undefined {
  const [kind, arg] = id.includes(':')
    ? [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)]
    : [id, '']
  switch (kind) {
    case 'CPLAssetByAssetDateWithoutHiddenOrDeleted':
    case 'CPLAssetByAddedDate':
      return views.assets.filter(live).length
    case 'CPLAssetHiddenByAssetDate':
      return views.assets.filter((v) => v.hidden && !v.deleted).length
    case 'CPLAssetDeletedByExpungedDate':
      return views.assets.filter((v) => v.deleted).length
    case 'CPLAssetBurstStackAssetByAssetDate':
      return views.assets.filter((v) => live(v) && v.burst).length
    case 'CPLAssetInSmartAlbumByAssetDate': {
      const smart = Object.entries(SMART_ALBUM_COUNT_IDS).find(([, suffix]) => suffix === arg)?.[0]
      return smart === undefined
        ? undefined
        : views.assets.filter((v) => live(v) && v.smart.has(smart)).length
    }
    case 'CPLContainerRelationNotDeletedByAssetDate':
    case 'CPLContainerRelationLiveByAssetDate':
      return (views.relations.get(arg) ?? []).filter((r) => live(r.view)).length
    default:
      return undefined
  }
}
