import type { Reply, Route, RouteAuth, RouteRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure } from '../http-util.js'
import { webSession } from '../setup.js'
import { albumsListBody, type SharedStreamAlbum } from './albums-list.js'

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/** `webgetalbumslist` carries `{}`. */
const MAX_JSON_BODY = 64 * 1024

/**
 * The routes of `webservices.sharedstreams` (docs/protocols/icloud.md §22): the account's shared
 * albums at `<sharedstreams>/<dsid>/sharedstreams/webgetalbumslist`, behind the web session cookie
 * like every `/ws/<service>` call. The emulator models no shared albums, so the list is empty for
 * every account; the album calls (`webgetassets`, `webgetassetcount`) have nothing to answer.
 */
export function sharedStreamsRoutes(base: Base, serviceAuth: RouteAuth<unknown>): Route<unknown>[] {
  const auth: RouteAuth<unknown> = {
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service: 'sharedstreams' }),
      }),
  }
  const list = (prefix: string): Route<unknown> => ({
    method: 'POST',
    path: `${prefix}/ws/sharedstreams/:dsid/sharedstreams/webgetalbumslist`,
    auth,
    maxBodyBytes: MAX_JSON_BODY,
    handle: (request) => albumsList(base, request),
  })
  return [list(''), list('/cn')]
}

function albumsList(base: Base, request: RouteRequest<unknown>): Reply {
  const alive = webSession({ ...base, tx: undefined as never, cookieDomain: undefined }, request)
  const account = alive && base.data.accounts.get(alive.session.appleId)
  if (!account) throw iCloudFailure(421, { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' })
  // The dsid is in the path (and again in the query, as pyicloud sends its params on every call).
  const query = request.url.searchParams.get('dsid')
  if (request.params.dsid !== account.dsid || (query !== null && query !== account.dsid))
    throw iCloudFailure(403, { success: false, error: 'dsid does not match the session' })
  const albums: SharedStreamAlbum[] = []
  return answer(200, albumsListBody(albums))
}
