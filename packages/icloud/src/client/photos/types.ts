import type { CallOptions, ProgressListener } from '@sigwire/core'

/** A CloudKit zone's identity as Photos sends it. */
export interface PhotosZoneID {
  /** `PrimarySync` or `SharedSync-<uuid>`. */
  readonly zoneName: string
  /** The zone's owner (`_` and 32 hex digits). */
  readonly ownerRecordName?: string
  /** `REGULAR_CUSTOM_ZONE`. */
  readonly zoneType?: string
}

/**
 * A photo library: the private one (`PrimarySync`), the Shared Library (`SharedSync-*`), or, for the
 * assets of a shared album, that album (docs/protocols/icloud.md §22).
 */
export interface PhotoLibrary {
  /** `private` for the private library, `shared:<zoneName>` for a Shared Library, `shared-album:<albumguid>` for a shared album. */
  readonly id: string
  /** Which it is. */
  readonly kind: 'private' | 'shared' | 'shared-album'
  /**
   * The CloudKit database it lives in (a Shared Library you own is in your private database); `shared`
   * for a shared album, which is no CloudKit zone (its calls go to `sharedstreams`).
   */
  readonly database: 'private' | 'shared'
  /** Its zone; for a shared album, `zoneName` is the album's guid. */
  readonly zoneID: PhotosZoneID
  /**
   * The zone's sync token when the library was listed (changes since it are what `changes` reads); a
   * shared album's change tag (`albumctag`).
   */
  readonly syncToken: string | undefined
}

/** A shared album (iCloud Shared Albums, `webservices.sharedstreams`, docs/protocols/icloud.md §22.2). */
export interface SharedAlbum {
  /** `albumguid`. */
  readonly id: string
  /** The album's name (`attributes.name`). */
  readonly name: string
  /** `albumctag`: the album's change tag, sent back when reading its assets. */
  readonly ctag: string
  /** `albumlocation`: the base URL of the album's calls, ending in `/`. */
  readonly location: string
  /** `ownerdsid`: the owner's dsid. */
  readonly ownerDsid: string
  /** `sharingtype`: `owned` (yours) or `subscribed` (shared with you). */
  readonly sharingType: 'owned' | 'subscribed' | (string & {})
  /** `attributes.allowcontributions`: subscribers may add photos. */
  readonly allowContributions: boolean
  /** `attributes.ispublic`: the album has a public website. */
  readonly isPublic: boolean
  /** `iswebuploadsupported`: iCloud.com may add photos to it. */
  readonly webUploadSupported: boolean
  /** `publicurl`: the public website's address, when it has one. */
  readonly publicUrl: string | undefined
  /** `attributes.creationDate` (ms since the epoch on the wire). */
  readonly created: Date
}

/** Options of {@link SharedAlbumsApi.assets}. */
export interface SharedAlbumAssetsOptions extends CallOptions {
  /** Assets per `webgetassets` request (1 to 100; default 100). */
  pageSize?: number
}

/** An album: a smart album, a user album, or a folder of albums. */
export interface PhotoAlbum {
  /** The smart album's name (`Favorites`) or the CPLAlbum record name. */
  readonly id: string
  /** The name shown. */
  readonly name: string
  /** `Folder/Sub/Name` for albums inside folders. */
  readonly path: string
  /** `smart`, `album` or `folder`. */
  readonly kind: 'smart' | 'album' | 'folder'
  /** The library it belongs to. */
  readonly library: PhotoLibrary
  /** Number of assets (undefined for folders). */
  readonly count: number | undefined
  /** The parent folder's id, for albums inside folders. */
  readonly parentId?: string
  /** Needed to rename or delete a user album. */
  readonly recordChangeTag?: string
  /** The index that lists it and its filters (internal to the client's queries). */
  readonly listType: string
  /** The count ID of the album. */
  readonly countId: string
  /** Extra filters of its index. */
  readonly filters: readonly PhotosFilter[]
}

/** A filter of a Photos index query. */
export interface PhotosFilter {
  /** The field (`smartAlbum`, `parentId`). */
  readonly fieldName: string
  /** `EQUALS` or `IN`. */
  readonly comparator: 'EQUALS' | 'IN'
  /** The typed value. */
  readonly fieldValue: PhotosFilterValue
}

/** A typed filter value. */
export interface PhotosFilterValue {
  /** `STRING`, `INT64`, `STRING_LIST`. */
  readonly type: string
  /** The value. */
  readonly value: unknown
}

/** What kind of rendition a resource is. */
export type PhotoResourceKind =
  | 'original'
  | 'adjusted'
  | 'alternative'
  | 'live'
  | 'medium'
  | 'thumb'
  | 'liveMedium'
  | 'liveThumb'

/** One downloadable rendition of an asset. */
export interface PhotoResource {
  /** Which rendition. */
  readonly kind: PhotoResourceKind
  /** A file name for it (the asset's name with this rendition's extension). */
  readonly filename: string
  /** Bytes. */
  readonly size: number | undefined
  /** Apple's `fileChecksum` (base64): the identity of the bytes (its algorithm is unpublished, §16.8). */
  readonly checksum: string | undefined
  /** The uniform type identifier (`public.heic`). */
  readonly uti: string | undefined
  /** Pixels, for images. */
  readonly width: number | undefined
  /** Pixels, for images. */
  readonly height: number | undefined
  /** Where to download it (it expires; reading the asset again gives a fresh one). */
  readonly downloadURL: string | undefined
}

/** A photo or video: a CPLAsset with its CPLMaster. */
export interface PhotoAsset {
  /** The CPLAsset record name (stable across renames and edits). */
  readonly id: string
  /** The CPLMaster record name. */
  readonly masterId: string
  /** The library it is in. */
  readonly library: PhotoLibrary
  /** The original file's name. */
  readonly filename: string
  /** `image` or `video`. */
  readonly type: 'image' | 'video'
  /** True when a live-photo video comes with it. */
  readonly isLivePhoto: boolean
  /** Pixels of the original. */
  readonly width: number | undefined
  /** Pixels of the original. */
  readonly height: number | undefined
  /** When it was taken (`assetDate`). */
  readonly created: Date
  /** When it was added to the library (`addedDate`). */
  readonly added: Date
  /** In Favorites. */
  readonly favorite: boolean
  /** In Hidden. */
  readonly hidden: boolean
  /** In Recently Deleted. */
  readonly deleted: boolean
  /** Seconds, for videos. */
  readonly duration: number | undefined
  /** Every rendition there is. */
  readonly resources: Readonly<Partial<Record<PhotoResourceKind, PhotoResource>>>
  /** The CPLAsset's change tag (sent with changes to it). */
  readonly recordChangeTag: string | undefined
  /** The shared album it was read from (assets of {@link SharedAlbumsApi.assets} only). */
  readonly sharedAlbum?: SharedAlbum
}

/** Where in a library to read assets. */
export interface AssetsOptions extends CallOptions, RenditionsOption {
  /** The library (default: the private one). */
  library?: PhotoLibrary
  /** An album (or its name or path); default All Photos. */
  album?: PhotoAlbum | string
  /** `newest` first (default) or `oldest` first. */
  order?: 'newest' | 'oldest'
  /** Only assets taken at or after this date. */
  since?: Date
  /** Assets per request (1 to 100; default 100). */
  pageSize?: number
}

/** Which renditions a listing reads. */
export interface RenditionsOption {
  /**
   * The renditions to read, besides the original and a live photo's video, which are always read (an
   * asset's `isLivePhoto` needs the video). Only their fields are asked for (CloudKit `desiredKeys`), so
   * the others are missing from each asset's `resources`; against the emulator's library a listing for
   * originals alone is about a third smaller. Default: every rendition.
   */
  renditions?: readonly PhotoResourceKind[]
}

/** One page of changes of a library since a sync token. */
export interface PhotoChanges {
  /** Assets created or changed (with their current resources). */
  readonly assets: readonly PhotoAsset[]
  /** IDs of assets removed for good (their CPLAsset record is gone). */
  readonly removed: readonly string[]
  /** True when an album record changed (re-read the album list). */
  readonly albumsChanged: boolean
  /** Where the next read starts: keep it after handling the page. */
  readonly syncToken: string
  /** True when another page follows. */
  readonly moreComing: boolean
}

/** Options of {@link PhotosApi.download}. */
export interface PhotoDownloadOptions extends CallOptions {
  /** Told of the bytes written (resumed bytes count from where the download resumed). */
  onProgress?: ProgressListener
  /** The file's modification time (default: the asset's creation date, when given). */
  mtime?: Date
  /**
   * Resume a partial download left by an earlier run (default true). Partial files lie beside the
   * target, named `.<file name>.<16 hex digits>.sigwire-part`; a caller that knows there are none may
   * pass false to skip looking for one.
   */
  resume?: boolean
  /**
   * fsync the file before it is renamed into place, so it survives a power loss (default true). The
   * file appears complete or not at all either way, and a killed process (even with kill -9) never
   * loses written data: a caller that checks sizes on its next run may turn it off for speed. Named as
   * in Drive's `DownloadToFileOptions`.
   */
  syncFile?: boolean | undefined
  /**
   * fsync the directory after the rename, so the new name survives a power loss (default true). A
   * caller writing many files into one directory can turn it off and fsync the directory once.
   */
  syncDirectory?: boolean | undefined
}

/** What a download did. */
export interface PhotoDownloadResult {
  /** The file written. */
  readonly path: string
  /** Its size in bytes. */
  readonly size: number
  /** Bytes taken from an earlier partial download. */
  readonly resumedFrom: number
  /** SHA-256 of the file (hex), computed as it was written. */
  readonly sha256: string
}
