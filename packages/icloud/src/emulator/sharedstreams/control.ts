import type { DurableStore, Route, RouteAuth } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudContext } from '../context.js'
import { sharedStreamsRoutes } from './routes.js'
import { SharedAlbums, type SharedAlbumsSeedResult } from './state.js'

export { SHARED_ALBUMS_TABLE } from './state.js'

/**
 * Builds the shared albums of the iCloud emulator: seeded from `<photosDir>/shared-albums/` into the
 * account that the Photos library seeds (docs/protocols/icloud.md §22.4), served by the
 * `sharedstreams` routes with download URLs of the Photos content route.
 */
export function createSharedStreams(
  store: DurableStore,
  base: Omit<ICloudContext, 'tx' | 'cookieDomain'>,
  options: {
    photosDir?: string
    /** The Apple ID whose albums the directory seeds. */
    account: () => string | undefined
    /** A fresh signed download URL of the Photos content route. */
    downloadUrl: (assetId: string) => string
  },
): {
  routes: (serviceAuth: RouteAuth<unknown>) => Route<unknown>[]
  start: () => Promise<void>
  /** Reads `<dir>/shared-albums/` again into the account's albums (default: the seeding account). */
  seed: (dir: string, appleId?: string) => Promise<SharedAlbumsSeedResult>
} {
  const albums = new SharedAlbums(store, base.now)
  const seed = (dir: string, appleId?: string) => {
    const id = normalizeAppleId(appleId ?? options.account() ?? '')
    const account = base.data.accounts.get(id)
    if (!account) throw new Error(`The iCloud emulator has no account ${id}.`)
    return albums.seed(account.dsid, dir)
  }
  return {
    routes: (serviceAuth) =>
      sharedStreamsRoutes(base, serviceAuth, { albums, downloadUrl: options.downloadUrl }),
    start: async () => {
      if (options.photosDir !== undefined) await seed(options.photosDir)
    },
    seed,
  }
}
