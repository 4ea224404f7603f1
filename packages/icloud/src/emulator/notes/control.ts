import type { DurableStore, Route, RouteAuth, RouteRequest } from '@sigwire/emulator-kit'
import type { CloudKitData } from '@sigwire/emulator-kit/cloudkit'
import type { ICloudContext } from '../context.js'
import { webSession } from '../setup.js'
import type { EmulatedAccount } from '../state.js'
import { NotesLibrary } from './library.js'
import { notesRoutes } from './routes.js'

/**
 * Builds the Notes part of the iCloud emulator: its `ckdatabasews` routes for `com.apple.notes`, on
 * the CloudKit engine state `data` the Photos library also uses (one state, one change counter).
 */
export function createNotes(
  store: DurableStore,
  data: CloudKitData,
  base: Omit<ICloudContext, 'tx' | 'cookieDomain'>,
): { routes: (serviceAuth: RouteAuth<unknown>) => Route<unknown>[] } {
  const library = new NotesLibrary(store, data, base.now)
  const account = (request: RouteRequest<unknown>): EmulatedAccount | undefined => {
    const alive = webSession({ ...base, tx: request.tx, cookieDomain: undefined }, request)
    return alive ? base.data.accounts.get(alive.session.appleId) : undefined
  }
  return { routes: (serviceAuth) => notesRoutes({ base, data, library, account }, serviceAuth) }
}
