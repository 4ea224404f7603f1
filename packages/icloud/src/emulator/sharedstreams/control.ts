import type { DurableStore, Route, RouteAuth } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudContext } from '../context.js'
import { sharedStreamsRoutes } from './routes.js'
import { SharedAlbums, type SharedAlbumsSeedResult } from './state.js'

export { SHARED_ALBUMS_TABLE } from './state.js'

/**
 * Builds the shared albums of the iCloud emulator, served by the `sharedstreams` routes with download
 * URLs of the Photos content route; its `seed` reads `<dir>/shared-albums/` into an account's albums
 * (the Photos library's seeding calls it with its own directory, docs/protocols/icloud.md §22.4).
 */
export function createSharedStreams(
  store: DurableStore,
  base: Omit<ICloudContext, 'tx' | 'cookieDomain'>,
  options: {
    /** A fresh signed download URL of the Photos content route. */
    downloadUrl: (assetId: string) => string
  },
): {
  routes: (serviceAuth: RouteAuth<unknown>) => Route<unknown>[]
  /** Reads `<dir>/shared-albums/` again into the albums of the account `appleId`. */
  seed: (dir: string, appleId: string) => Promise<SharedAlbumsSeedResult>
} {
  const albums = new SharedAlbums(store, base.now)
  return {
    routes: (serviceAuth) =>
      sharedStreamsRoutes(base, serviceAuth, { albums, downloadUrl: options.downloadUrl }),
    seed: (dir, appleId) => {
      const account = base.data.accounts.get(normalizeAppleId(appleId))
      if (!account) throw new Error(`The iCloud emulator has no account ${appleId}.`)
      return albums.seed(account.dsid, dir)
    },
  }
}
