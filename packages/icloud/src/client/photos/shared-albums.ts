import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import type { WireRecord } from './decode.js'
import { decodeSharedAlbums, sharedAlbumAssets } from './shared-album-decode.js'
import type { PhotoAsset, SharedAlbum, SharedAlbumAssetsOptions } from './types.js'

/** The web service of shared albums in the account document (docs/protocols/icloud.md §22.1). */
const SERVICE = 'sharedstreams'
/** What pyicloud's Photos service adds to the session's query parameters (photos_legacy.py l. 700). */
const PHOTOS_QUERY = { remapEnums: 'True', getCurrentSyncToken: 'True' }

/**
 * iCloud Shared Albums (`webservices.sharedstreams`, docs/protocols/icloud.md §22): the albums the
 * account owns or subscribes to, their assets, which `photos.download` downloads.
 */
export interface SharedAlbumsApi {
  /** The shared albums (`webgetalbumslist`), as the service orders them. */
  list(options?: CallOptions): Promise<SharedAlbum[]>
  /** A shared album by name or guid; `NOT_FOUND` when there is none, `INVALID_ARGUMENT` when two share the name. */
  album(nameOrId: string, options?: CallOptions): Promise<SharedAlbum>
  /** The number of assets of an album (`webgetassetcount`). */
  count(album: SharedAlbum, options?: CallOptions): Promise<number>
  /**
   * The album's assets, oldest first, with their resources and download URLs, paged with `webgetassets`
   * (`offset` and `limit`, an end index); each asset once, even if pages overlap.
   */
  assets(album: SharedAlbum, options?: SharedAlbumAssetsOptions): AsyncIterableIterator<PhotoAsset>
  /** Reads one asset of an album again (fresh download URLs); undefined when it is gone. */
  asset(album: SharedAlbum, id: string, options?: CallOptions): Promise<PhotoAsset | undefined>
}

/** The {@link SharedAlbumsApi} of a session. */
export class SharedAlbumsService implements SharedAlbumsApi {
  constructor(readonly caller: ServiceCaller) {}

  /** `POST <path>` on the sharedstreams service with a JSON body sent as `text/plain`, as the web app does (§22.2). */
  #post<T>(path: string, body: unknown, options: CallOptions): Promise<T> {
    return this.caller.call<T>(SERVICE, 'POST', path, {
      ...callOptions(options),
      query: PHOTOS_QUERY,
      body: textBody(JSON.stringify(body)),
      contentType: 'text/plain',
      retrySafe: true,
    })
  }

  /**
   * The path of an album call below the sharedstreams service URL. The session's cookies go only to the
   * hosts of the account document, so an `albumlocation` elsewhere is refused rather than followed.
   */
  #albumPath(album: SharedAlbum, call: 'webgetassets' | 'webgetassetcount'): string {
    const base = this.caller.serviceUrl(SERVICE).replace(/\/+$/, '')
    if (!album.location.startsWith(`${base}/`))
      throw new ICloudError({
        code: 'HOST_NOT_ALLOWED',
        message: `The shared album "${album.name}" is served from ${originOf(album.location)}, not from the account's sharedstreams service; sigwire sends the session only to the hosts of the account document.`,
      })
    return `${album.location.slice(base.length)}${call}`
  }

  async list(options: CallOptions = {}): Promise<SharedAlbum[]> {
    const dsid = this.caller.dsid()
    if (!dsid)
      throw new ICloudError({
        code: 'AUTHENTICATION_REQUIRED',
        message: 'Call login() (or resume()) before listing shared albums.',
      })
    const answer = await this.#post<unknown>(
      `/${encodeURIComponent(dsid)}/sharedstreams/webgetalbumslist`,
      {},
      options,
    )
    return decodeSharedAlbums(answer)
  }

  async album(nameOrId: string, options: CallOptions = {}): Promise<SharedAlbum> {
    const albums = await this.list(options)
    const byId = albums.find((a) => a.id === nameOrId)
    if (byId) return byId
    const named = albums.filter((a) => a.name === nameOrId)
    if (named.length > 1)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `${named.length} shared albums are named "${nameOrId}"; name one by its id (${named.map((a) => a.id).join(', ')}).`,
        details: { argument: 'album' },
      })
    if (named.length === 0)
      throw new ICloudError({
        code: 'NOT_FOUND',
        message: `No shared album is named "${nameOrId}"; list them with \`sigwire icloud photos albums --shared\`.`,
        details: { kind: 'shared-album' },
      })
    return named[0]!
  }

  async count(album: SharedAlbum, options: CallOptions = {}): Promise<number> {
    const answer = await this.#post<{ albumassetcount?: unknown }>(
      this.#albumPath(album, 'webgetassetcount'),
      { albumguid: album.id },
      options,
    )
    const n = Number(answer?.albumassetcount)
    if (!Number.isInteger(n) || n < 0)
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `webgetassetcount answered no asset count for "${album.name}"; try again later.`,
      })
    return n
  }

  async *assets(
    album: SharedAlbum,
    options: SharedAlbumAssetsOptions = {},
  ): AsyncIterableIterator<PhotoAsset> {
    const pageSize = options.pageSize ?? 100
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `pageSize must be a whole number from 1 to 100 (got ${String(pageSize)}).`,
        details: { argument: 'pageSize' },
      })
    const total = await this.count(album, options)
    const seen = new Set<string>()
    let offset = 0
    while (seen.size < total) {
      const page = await this.#page(album, offset, pageSize, options)
      const fresh = page.filter((a) => !seen.has(a.id))
      // A page with nothing new ends the walk, whatever the count said (the album changed meanwhile).
      if (fresh.length === 0) return
      for (const asset of fresh) {
        seen.add(asset.id)
        yield asset
      }
      offset += page.length
    }
  }

  /** `webgetassets` for the assets `offset` to `offset + size` (`limit` is the end index, §22.2). */
  async #page(album: SharedAlbum, offset: number, size: number, options: CallOptions): Promise<PhotoAsset[]> {
    const answer = await this.#post<{ records?: unknown }>(
      this.#albumPath(album, 'webgetassets'),
      { albumguid: album.id, albumctag: album.ctag, limit: String(offset + size), offset: String(offset) },
      options,
    )
    if (!Array.isArray(answer?.records))
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `webgetassets answered no records for "${album.name}"; try again later.`,
      })
    return sharedAlbumAssets(answer.records as WireRecord[], album)
  }

  async asset(album: SharedAlbum, id: string, options: CallOptions = {}): Promise<PhotoAsset | undefined> {
    for await (const asset of this.assets(album, options)) if (asset.id === id) return asset
    return undefined
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'an address that is not a URL'
  }
}
