import type { Reply, Route, RouteAuth, RouteRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import { webSession } from '../setup.js'
import type { EmulatedAccount } from '../state.js'
import { albumGuidOf, assetsWindowOf } from './album-request.js'
import { albumsListBody } from './albums-list.js'
import { albumEntry, sharedAssetRecords } from './records.js'
import type { SharedAlbums } from './state.js'

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/** What the shared-album routes need besides the emulator's context. */
export interface SharedStreamsEnv {
  /** The shared albums of the accounts. */
  readonly albums: SharedAlbums
  /** A fresh signed download URL of the Photos content route for a content row. */
  readonly downloadUrl: (assetId: string) => string
}

/** The album calls carry small JSON bodies (`{}`, `{"albumguid",...}`). */
const MAX_JSON_BODY = 64 * 1024

/**
 * The routes of `webservices.sharedstreams` (docs/protocols/icloud.md §22): the account's shared
 * albums at `<sharedstreams>/<dsid>/sharedstreams/webgetalbumslist`, and, at each album's
 * `albumlocation` (`<sharedstreams>/<dsid>/sharedstreams/`), `webgetassets` and `webgetassetcount`;
 * all behind the web session cookie like every `/ws/<service>` call.
 */
export function sharedStreamsRoutes(
  base: Base,
  serviceAuth: RouteAuth<unknown>,
  env: SharedStreamsEnv,
): Route<unknown>[] {
  const auth: RouteAuth<unknown> = {
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service: 'sharedstreams' }),
      }),
  }
  const route = (prefix: string, call: string, handle: (request: RouteRequest<unknown>) => Reply) => ({
    method: 'POST' as const,
    path: `${prefix}/ws/sharedstreams/:dsid/sharedstreams/${call}`,
    auth,
    maxBodyBytes: MAX_JSON_BODY,
    handle,
  })
  return ['', '/cn'].flatMap((prefix) => [
    route(prefix, 'webgetalbumslist', (request) => albumsList(base, env, request, prefix)),
    route(prefix, 'webgetassets', (request) => assets(base, env, request)),
    route(prefix, 'webgetassetcount', (request) => assetCount(base, env, request)),
  ])
}

/** The session's account, refusing a request without the cookie (421) or for another dsid (403). */
function accountOf(base: Base, request: RouteRequest<unknown>): EmulatedAccount {
  const alive = webSession({ ...base, tx: undefined as never, cookieDomain: undefined }, request)
  const account = alive && base.data.accounts.get(alive.session.appleId)
  if (!account) throw iCloudFailure(421, { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' })
  // The dsid is in the path (and again in the query, as pyicloud sends its params on every call).
  const query = request.url.searchParams.get('dsid')
  if (request.params.dsid !== account.dsid || (query !== null && query !== account.dsid))
    throw iCloudFailure(403, { success: false, error: 'dsid does not match the session' })
  return account
}

function body(request: RouteRequest<unknown>): unknown {
  const parsed = requestJson<unknown>(request)
  if (parsed === undefined || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw iCloudFailure(400, { success: false, error: 'The body must be a JSON object.' })
  return parsed
}

function albumsList(
  base: Base,
  env: SharedStreamsEnv,
  request: RouteRequest<unknown>,
  prefix: string,
): Reply {
  const account = accountOf(base, request)
  // Each album's calls go to its own base; here the account's own sharedstreams path (§22.4).
  const location = `${base.origin}${prefix}/ws/sharedstreams/${account.dsid}/sharedstreams/`
  return answer(200, albumsListBody(env.albums.list(account.dsid).map((row) => albumEntry(row, location))))
}

function assets(base: Base, env: SharedStreamsEnv, request: RouteRequest<unknown>): Reply {
  const account = accountOf(base, request)
  const window = assetsWindowOf(body(request))
  if ('error' in window) throw iCloudFailure(400, { success: false, error: window.error })
  // An album the account does not have answers nothing, as an empty one would (a DECISION, §22.4).
  const album = env.albums.get(account.dsid, window.albumguid)
  const records = (album?.assets ?? [])
    .slice(window.offset, Math.max(window.offset, window.limit))
    .flatMap((asset) => sharedAssetRecords(asset, env.downloadUrl))
  return answer(200, { records })
}

function assetCount(base: Base, env: SharedStreamsEnv, request: RouteRequest<unknown>): Reply {
  const account = accountOf(base, request)
  const guid = albumGuidOf(body(request))
  if (typeof guid !== 'string') throw iCloudFailure(400, { success: false, error: guid.error })
  return answer(200, { albumassetcount: env.albums.get(account.dsid, guid)?.assets.length ?? 0 })
}
