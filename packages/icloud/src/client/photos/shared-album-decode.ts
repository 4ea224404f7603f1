import { ICloudError } from '../../errors.js'
import { fieldValue, pairAssets, type WireRecord } from './decode.js'
import type { PhotoAsset, PhotoLibrary, SharedAlbum } from './types.js'

/** One album of `webgetalbumslist` as the service sends it (docs/protocols/icloud.md §22.2). */
interface WireAlbum {
  albumguid?: unknown
  albumctag?: unknown
  albumlocation?: unknown
  ownerdsid?: unknown
  sharingtype?: unknown
  iswebuploadsupported?: unknown
  publicurl?: unknown
  attributes?: {
    name?: unknown
    creationDate?: unknown
    allowcontributions?: unknown
    ispublic?: unknown
  }
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined

/**
 * The albums of a `webgetalbumslist` answer. An album without a guid, a location or a name cannot be
 * read, so the answer is `INVALID_RESPONSE` then (pyicloud, too, fails on a missing key, §22.2).
 */
export function decodeSharedAlbums(answer: unknown): SharedAlbum[] {
  const albums = (answer as { albums?: unknown } | null | undefined)?.albums
  if (!Array.isArray(albums))
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: 'webgetalbumslist answered without an "albums" list; try again later.',
    })
  return albums.map((raw: WireAlbum) => {
    const id = text(raw?.albumguid)
    const location = text(raw?.albumlocation)
    const name = text(raw?.attributes?.name)
    if (!id || !location || name === undefined)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message:
          'webgetalbumslist answered an album without albumguid, albumlocation or name; try again later.',
      })
    const created = Number(text(raw.attributes?.creationDate))
    const publicUrl = text(raw.publicurl)
    return {
      id,
      name,
      ctag: text(raw.albumctag) ?? '',
      location: location.endsWith('/') ? location : `${location}/`,
      ownerDsid: text(raw.ownerdsid) ?? '',
      sharingType: text(raw.sharingtype) ?? 'owned',
      allowContributions: raw.attributes?.allowcontributions === true,
      isPublic: raw.attributes?.ispublic === true,
      webUploadSupported: raw.iswebuploadsupported === true,
      publicUrl,
      created: new Date(Number.isFinite(created) ? created : 0),
    }
  })
}

/** The library a shared album's assets belong to: the album itself (it is no CloudKit zone). */
export function sharedAlbumLibrary(album: SharedAlbum): PhotoLibrary {
  return {
    id: `shared-album:${album.id}`,
    kind: 'shared-album',
    database: 'shared',
    zoneID: { zoneName: album.id },
    syncToken: album.ctag,
  }
}

/**
 * The assets of a `webgetassets` page: CPLMaster and CPLAsset records paired as in the library, the date
 * taken from the master's `originalCreationDate` and the original's size from `resOriginalFileSize` where
 * the shared stream gives them (pyicloud `PhotoStreamAsset`, photos_legacy.py l. 1934-1950).
 */
export function sharedAlbumAssets(records: readonly WireRecord[], album: SharedAlbum): PhotoAsset[] {
  const masters = new Map(records.filter((r) => r.recordType === 'CPLMaster').map((r) => [r.recordName, r]))
  return pairAssets(records, sharedAlbumLibrary(album)).map((asset) => {
    const master = masters.get(asset.masterId)!
    const taken = Number(fieldValue(master, 'originalCreationDate'))
    const size = Number(fieldValue(master, 'resOriginalFileSize'))
    const original = asset.resources.original
    return {
      ...asset,
      ...(Number.isFinite(taken) && taken > 0 ? { created: new Date(taken) } : {}),
      resources:
        original && original.size === undefined && Number.isFinite(size)
          ? { ...asset.resources, original: { ...original, size } }
          : asset.resources,
      sharedAlbum: album,
    }
  })
}
