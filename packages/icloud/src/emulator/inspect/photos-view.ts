import type { StoredRecord } from '@sigwire/emulator-kit/cloudkit'
import type { PhotosLibrary } from '../photos/library.js'
import { PRIMARY_ZONE } from '../photos/library.js'
import type { InspectedFile } from './drive-view.js'

/** An asset of a Photos library as the emulator UI lists it. */
export interface InspectedPhoto {
  /** The CPLAsset record name. */
  readonly id: string
  /** The original file name. */
  readonly filename: string
  /** When it was taken, ISO 8601. */
  readonly date: string
  /** A video (its tile shows no picture). */
  readonly video: boolean
  /** In Favorites. */
  readonly favorite: boolean
  /** Hidden. */
  readonly hidden: boolean
  /** In Recently Deleted. */
  readonly deleted: boolean
}

/** An album of a Photos library. */
export interface InspectedAlbum {
  /** The CPLAlbum record name. */
  readonly id: string
  /** Its name. */
  readonly name: string
  /** The assets in it, in album order. */
  readonly assetIds: readonly string[]
}

/** One library of an account: its own (`PrimarySync`) or the Shared Library. */
export interface InspectedPhotoLibrary {
  /** The zone name. */
  readonly zone: string
  /** `Library` or `Shared Library`. */
  readonly label: string
  /** Every asset, newest first (at most the limit asked for). */
  readonly assets: readonly InspectedPhoto[]
  /** How many assets the zone has in all. */
  readonly total: number
  /** Its albums (folders left out). */
  readonly albums: readonly InspectedAlbum[]
}

/** Image types a browser draws itself: their originals are the tiles. */
const WEB_IMAGES: Readonly<Record<string, string>> = {
  'public.jpeg': 'image/jpeg',
  'public.png': 'image/png',
  'com.compuserve.gif': 'image/gif',
  'org.webmproject.webp': 'image/webp',
}
/** Originals above this size are not sent as tiles; the library's own thumbnail is. */
const MAX_TILE_ORIGINAL = 8 * 1024 * 1024

const text = (record: StoredRecord, field: string) =>
  Buffer.from(String(record.fields[field]?.value ?? ''), 'base64').toString('utf8')

/** The account's libraries (primary, then the Shared Library when it has one). */
export function photoLibraries(library: PhotosLibrary, dsid: string, limit = 500): InspectedPhotoLibrary[] {
  const shared = library.sharedZoneName(dsid)
  const zones: Array<[string, string]> = [[PRIMARY_ZONE, 'Library']]
  if (shared) zones.push([shared, 'Shared Library'])
  const out: InspectedPhotoLibrary[] = []
  for (const [name, label] of zones) {
    const zone = library.zone(dsid, name)
    if (!zone) continue
    const views = library.views(zone.zone)
    const sorted = [...views.assets].sort((a, b) => b.assetDate - a.assetDate)
    const albums: InspectedAlbum[] = []
    for (const record of zone.zone.records.values()) {
      if (record.recordType !== 'CPLAlbum' || Number(record.fields.albumType?.value) !== 0) continue
      if (Number(record.fields.isDeleted?.value ?? 0) === 1) continue
      const members = [...(views.relations.get(record.recordName) ?? [])].sort(
        (a, b) => a.position - b.position,
      )
      albums.push({
        id: record.recordName,
        name: text(record, 'albumNameEnc'),
        assetIds: members.map((m) => m.view.asset.recordName),
      })
    }
    out.push({
      zone: name,
      label,
      total: sorted.length,
      assets: sorted.slice(0, limit).map((v) => ({
        id: v.asset.recordName,
        filename: text(v.master, 'filenameEnc'),
        date: new Date(v.assetDate).toISOString(),
        video: v.smart.has('VIDEO'),
        favorite: v.smart.has('FAVORITE'),
        hidden: v.hidden,
        deleted: v.deleted,
      })),
      albums: albums.sort((a, b) => a.name.localeCompare(b.name)),
    })
  }
  return out
}

/**
 * The tile of an asset, from the library's own content: the original when the browser draws its type
 * and it is small enough, else the library's thumbnail rendition (`resJPEGThumb`). Undefined for a
 * video (it has no still rendition) or an unknown asset.
 */
export function photoTile(
  library: PhotosLibrary,
  dsid: string,
  zoneName: string,
  assetId: string,
): InspectedFile | undefined {
  const zone = library.zone(dsid, zoneName)
  const view = zone ? library.views(zone.zone).byName.get(assetId) : undefined
  if (!view) return undefined
  const content = (prefix: string) => {
    const ref = view.master.fields[`${prefix}Res`]?.value as { assetId?: string } | undefined
    return ref?.assetId ? library.content(ref.assetId) : undefined
  }
  const filename = text(view.master, 'filenameEnc')
  const original = content('resOriginal')
  const type = original ? WEB_IMAGES[original.uti] : undefined
  if (original?.path && type && original.size <= MAX_TILE_ORIGINAL)
    return { name: filename, type, path: original.path, size: original.size }
  const thumb = content('resJPEGThumb')
  if (!thumb) return undefined
  if (thumb.path) return { name: `${filename}.jpg`, type: 'image/jpeg', path: thumb.path, size: thumb.size }
  return { name: `${filename}.jpg`, type: 'image/jpeg', bytes: library.standInBytes(thumb) }
}
