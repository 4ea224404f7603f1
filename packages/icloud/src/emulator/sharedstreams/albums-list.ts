/**
 * One shared album (an iCloud Shared Album, formerly "shared photo stream") of `webgetalbumslist`,
 * in the shape the latest pyicloud reads (`pyicloud/services/photos_legacy.py` l. 655-668 at bd836af)
 * and its own test answers with (`tests/services/test_photos.py` l. 2151-2170): lower-case keys,
 * `albumlocation` the album's own `sharedstreams/` base URL (docs/protocols/icloud.md §22.2).
 */
export interface SharedStreamAlbum {
  /** The album's id. */
  readonly albumguid: string
  /** The album's change tag, sent back by `webgetassets`. */
  readonly albumctag: string
  /** Where the album's calls go: `<host>/<token>/sharedstreams/` (with the trailing slash). */
  readonly albumlocation: string
  /** The owner's dsid. */
  readonly ownerdsid: string
  /** `owned` or `subscribed`. */
  readonly sharingtype: 'owned' | 'subscribed'
  /** Whether the web can add photos. */
  readonly iswebuploadsupported: boolean
  /** The album's public web address, when it has one. */
  readonly publicurl?: string
  /** Name, creation date and sharing switches. */
  readonly attributes: {
    /** The album's name. */
    readonly name: string
    /** Creation time, ms since the epoch, as a string. */
    readonly creationDate: string
    /** Whether subscribers may add photos. */
    readonly allowcontributions: boolean
    /** Whether the album has a public website. */
    readonly ispublic: boolean
  }
}

/** The body of `webgetalbumslist`: every shared album the account owns or subscribes to. */
export function albumsListBody(albums: readonly SharedStreamAlbum[]): { albums: SharedStreamAlbum[] } {
  return { albums: [...albums] }
}
