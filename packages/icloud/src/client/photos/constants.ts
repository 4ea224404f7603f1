// Names of the Photos container, its zones, indexes and smart albums, as Apple's web app and the peers
// use them (docs/protocols/icloud.md §16).

import type { PhotoResourceKind } from './types.js'

/** The CloudKit container of iCloud Photos. */
export const PHOTOS_CONTAINER = 'com.apple.photos.cloud'
/** The private library's zone. */
export const PRIMARY_ZONE_NAME = 'PrimarySync'
/** Zones of the Shared Library start with this (pyicloud `SHARED_LIBRARY_ZONE_PREFIX`). */
export const SHARED_ZONE_PREFIX = 'SharedSync-'
/** Folder records that are not albums (icloudpd `PhotoLibrary.albums`). */
export const ROOT_FOLDERS: ReadonlySet<string> = new Set([
  '----Root-Folder----',
  '----Project-Root-Folder----',
])

/** A smart album of the library. */
export interface SmartAlbumSpec {
  /** The name the Photos app shows. */
  readonly name: string
  /** The index (`records/query` record type) listing it. */
  readonly listType: string
  /** Its `indexCountID` for the count lookup. */
  readonly countId: string
  /** The `smartAlbum` filter value, for the smart-album index. */
  readonly smartAlbum?: string
}

const SMART = 'CPLAssetAndMasterInSmartAlbumByAssetDate'

/** The smart albums (pyicloud photos_cloudkit/constants.py and service.py `SMART_ALBUMS`). */
export const SMART_ALBUMS: readonly SmartAlbumSpec[] = [
  {
    name: 'All Photos',
    listType: 'CPLAssetAndMasterByAssetDateWithoutHiddenOrDeleted',
    countId: 'CPLAssetByAssetDateWithoutHiddenOrDeleted',
  },
  {
    name: 'Favorites',
    listType: SMART,
    countId: 'CPLAssetInSmartAlbumByAssetDate:Favorite',
    smartAlbum: 'FAVORITE',
  },
  { name: 'Videos', listType: SMART, countId: 'CPLAssetInSmartAlbumByAssetDate:Video', smartAlbum: 'VIDEO' },
  { name: 'Live', listType: SMART, countId: 'CPLAssetInSmartAlbumByAssetDate:Live', smartAlbum: 'LIVE' },
  {
    name: 'Bursts',
    listType: 'CPLBurstStackAssetAndMasterByAssetDate',
    countId: 'CPLAssetBurstStackAssetByAssetDate',
  },
  {
    name: 'Panoramas',
    listType: SMART,
    countId: 'CPLAssetInSmartAlbumByAssetDate:Panorama',
    smartAlbum: 'PANORAMA',
  },
  {
    name: 'Screenshots',
    listType: SMART,
    countId: 'CPLAssetInSmartAlbumByAssetDate:Screenshot',
    smartAlbum: 'SCREENSHOT',
  },
  { name: 'Slo-mo', listType: SMART, countId: 'CPLAssetInSmartAlbumByAssetDate:Slomo', smartAlbum: 'SLOMO' },
  {
    name: 'Time-lapse',
    listType: SMART,
    countId: 'CPLAssetInSmartAlbumByAssetDate:Timelapse',
    smartAlbum: 'TIMELAPSE',
  },
  { name: 'Hidden', listType: 'CPLAssetAndMasterHiddenByAssetDate', countId: 'CPLAssetHiddenByAssetDate' },
  {
    name: 'Recently Deleted',
    listType: 'CPLAssetAndMasterDeletedByExpungedDate',
    countId: 'CPLAssetDeletedByExpungedDate',
  },
]

/** The index of a user album's assets, and its count prefix (icloudpd, pyicloud `ListTypeEnum.CONTAINER`). */
export const ALBUM_LIST_TYPE = 'CPLContainerRelationLiveByAssetDate'
/** See {@link ALBUM_LIST_TYPE}. */
export const ALBUM_COUNT_PREFIX = 'CPLContainerRelationNotDeletedByAssetDate:'
/** The album list (pyicloud `album_query`). */
export const ALBUM_QUERY_TYPE = 'CPLAlbumByPositionLive'

/**
 * The record-field prefix of each rendition of an image (`<prefix>Res`, `<prefix>FileType`,
 * `<prefix>Width`...; pyicloud `PHOTO_VERSION_LOOKUP`, icloudpd `versions`).
 */
export const IMAGE_RENDITION_PREFIXES: ReadonlyArray<readonly [PhotoResourceKind, string]> = [
  ['original', 'resOriginal'],
  ['adjusted', 'resJPEGFull'],
  ['alternative', 'resOriginalAlt'],
  ['live', 'resOriginalVidCompl'],
  ['medium', 'resJPEGMed'],
  ['thumb', 'resJPEGThumb'],
  ['liveMedium', 'resVidMed'],
  ['liveThumb', 'resVidSmall'],
]
/** {@link IMAGE_RENDITION_PREFIXES} of a video (pyicloud `VIDEO_VERSION_LOOKUP`). */
export const VIDEO_RENDITION_PREFIXES: ReadonlyArray<readonly [PhotoResourceKind, string]> = [
  ['original', 'resOriginal'],
  ['adjusted', 'resVidFull'],
  ['medium', 'resVidMed'],
  ['thumb', 'resVidSmall'],
]

/** The renditions every listing reads: the original, and the video that makes an image a live photo. */
const ALWAYS_READ: readonly PhotoResourceKind[] = ['original', 'live']

/** The fields of an asset other than its renditions. */
const ASSET_KEYS: readonly string[] = [
  'itemType',
  'dataClassType',
  'filenameEnc',
  'originalOrientation',
  'isDeleted',
  'isExpunged',
  'dateExpunged',
  'recordName',
  'recordType',
  'recordChangeTag',
  'masterRef',
  'adjustmentRenderType',
  'adjustmentType',
  'assetDate',
  'addedDate',
  'isFavorite',
  'isHidden',
  'orientation',
  'duration',
  'assetSubtype',
  'assetSubtypeV2',
  'burstId',
  'timeZoneOffset',
  'containerId',
  'itemId',
  'position',
  'isKeyAsset',
]

/**
 * The `desiredKeys` of a listing that reads `renditions` (besides {@link ALWAYS_READ}). CloudKit
 * returns only the fields named (CloudKit Web Services Reference, `QueryingRecords`, `desiredKeys`),
 * and each rendition is an `ASSETID` with its checksums, wrapping key and a signed download URL: from
 * the emulator, a listing of 5,000 assets for originals is 11.8 MB of JSON instead of 18.7 MB.
 */
export function desiredKeys(renditions?: readonly PhotoResourceKind[]): readonly string[] {
  const kinds = renditions === undefined ? undefined : new Set([...ALWAYS_READ, ...renditions])
  const prefixes = new Set(
    [...IMAGE_RENDITION_PREFIXES, ...VIDEO_RENDITION_PREFIXES]
      .filter(([kind]) => kinds === undefined || kinds.has(kind))
      .map(([, prefix]) => prefix),
  )
  return [
    ...[...prefixes].flatMap((p) => [
      `${p}Width`,
      `${p}Height`,
      `${p}FileType`,
      `${p}Fingerprint`,
      `${p}Res`,
    ]),
    ...ASSET_KEYS,
  ]
}

/** Fields a listing of every rendition asks for (the union of icloudpd's and pyicloud's `desiredKeys`). */
export const DESIRED_KEYS: readonly string[] = desiredKeys()

/** File extensions by UTI (pyicloud `PhotoAsset.FILE_TYPE_EXTENSIONS`). */
export const EXTENSIONS: Readonly<Record<string, string>> = {
  'public.heic': '.HEIC',
  'public.heif': '.HEIF',
  'public.jpeg': '.JPG',
  'public.png': '.PNG',
  'com.compuserve.gif': '.GIF',
  'public.tiff': '.TIF',
  'com.apple.quicktime-movie': '.MOV',
  'public.mpeg-4': '.MP4',
  'com.apple.m4v-video': '.M4V',
  'com.adobe.raw-image': '.DNG',
  'com.canon.cr2-raw-image': '.CR2',
  'com.canon.cr3-raw-image': '.CR3',
  'com.canon.crw-raw-image': '.CRW',
  'com.fuji.raw-image': '.RAF',
  'com.nikon.nrw-raw-image': '.NRW',
  'com.nikon.raw-image': '.NEF',
  'com.olympus.or-raw-image': '.ORF',
  'com.olympus.raw-image': '.ORF',
  'com.panasonic.rw2-raw-image': '.RW2',
  'com.pentax.raw-image': '.PEF',
  'com.sony.arw-raw-image': '.ARW',
}
