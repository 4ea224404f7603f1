import type { ICloudClient, PhotoAsset } from '@sigwire/icloud'
import { cliError } from '../output/errors.js'

/** One row of `sigwire icloud photos albums` for a shared album (docs/protocols/icloud.md §22). */
export interface SharedAlbumRow {
  /** `shared-album`: not a library but an iCloud Shared Album. */
  readonly library: 'shared-album'
  /** The album's name. */
  readonly name: string
  /** Always `shared`. */
  readonly kind: 'shared'
  /** Its number of assets. */
  readonly count: number
  /** Its guid (what `photos ls --shared-album` also takes). */
  readonly id: string
  /** `owned` or `subscribed`. */
  readonly sharing: string
}

/** The shared albums with their counts, as rows of `photos albums`. */
export async function sharedAlbumRows(client: ICloudClient): Promise<SharedAlbumRow[]> {
  const rows: SharedAlbumRow[] = []
  for (const album of await client.photos.sharedAlbums.list())
    rows.push({
      library: 'shared-album',
      name: album.name,
      kind: 'shared',
      count: await client.photos.sharedAlbums.count(album),
      id: album.id,
      sharing: album.sharingType,
    })
  return rows
}

/** Checks `photos ls --shared-album` before anything is sent: a name, and not with `--album`. */
export function checkSharedAlbumOption(options: { album?: string; sharedAlbum?: string }): void {
  if (options.sharedAlbum === undefined) return
  if (options.sharedAlbum.trim() === '')
    throw cliError(
      'INVALID_OPTION',
      '--shared-album needs a name or id: see sigwire icloud photos albums --shared.',
    )
  if (options.album !== undefined)
    throw cliError('CONFLICTING_OPTIONS', 'Pass --album or --shared-album, not both.')
}

/** The assets of the shared album named `nameOrId`, oldest first. */
export async function* sharedAlbumAssets(
  client: ICloudClient,
  nameOrId: string,
): AsyncIterableIterator<PhotoAsset> {
  const album = await client.photos.sharedAlbums.album(nameOrId)
  yield* client.photos.sharedAlbums.assets(album)
}
