import type { EmulatorRequest, Reply, Route, RouteAuth, RouteRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from './context.js'
import { driveRoutes } from './drive/routes.js'
import { cookieDomain, iCloudError } from './http-util.js'
import { checkWidgetKey, handleIdmsa } from './idmsa.js'
import { checkPcsCookies } from './pcs.js'
import { handleService, handleWebcourier } from './services.js'
import { handleSetup, webSession } from './setup.js'
import { isTelemetryHost, tripped } from './telemetry.js'

const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']
/** Largest JSON body: sign-in, setup and service calls carry a few hundred bytes. */
const MAX_JSON_BODY = 1024 * 1024

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/** The route table of the iCloud emulator; `extra` adds service routes (Photos) before the generic ones. */
export function iCloudRoutes(
  base: Base,
  extra: (service: RouteAuth<unknown>) => Route<unknown>[] = () => [],
): Route<unknown>[] {
  const ctx = (request: RouteRequest<unknown>): ICloudContext => ({
    ...base,
    tx: request.tx,
    cookieDomain: cookieDomain(base.settings.hostName, request),
  })
  /** Every route answers the telemetry host with the tripwire, whatever the path. */
  const guarded =
    (handle: (request: RouteRequest<unknown>) => Reply | Promise<Reply>) =>
    (request: RouteRequest<unknown>) =>
      isTelemetryHost(request) ? tripped(base, request) : handle(request)
  const route = (
    paths: readonly string[],
    auth: RouteAuth<unknown> | 'none',
    handle: (request: RouteRequest<unknown>) => Reply | Promise<Reply>,
  ): Route<unknown>[] =>
    paths.map((path) => ({
      method: ALL_METHODS,
      path,
      auth,
      maxBodyBytes: MAX_JSON_BODY,
      handle: guarded(handle),
    }))

  const idmsa: RouteAuth<unknown> = {
    headers: (request) => {
      if (!isTelemetryHost(request)) checkWidgetKey(request)
    },
  }
  // Services need a live web session cookie: checked on the headers (421; Find My answers 450, §6.4).
  const service: RouteAuth<unknown> = {
    headers: (request) => {
      if (isTelemetryHost(request)) return
      const name = request.params.service!
      if (!/^[a-z]+$/.test(name))
        throw iCloudError(404, 'NOT_FOUND', {
          error: `The iCloud emulator has no route ${request.method} ${request.url.pathname}`,
        })
      const alive = webSession({ ...base, tx: undefined as never, cookieDomain: undefined }, request)
      if (!alive || alive.session.challengeRequired)
        throw iCloudError(
          name === 'findme' ? 450 : 421,
          'SESSION_REQUIRED',
          { success: false, error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie' },
          {
            auth: true,
            explanation:
              'No live X-APPLE-WEBAUTH-TOKEN session cookie (signed out, expired, or 2SA pending).',
          },
        )
      checkPcsCookies(base, request, name, alive.session.appleId)
    },
  }
  const rest = (request: EmulatorRequest & { params: Readonly<Record<string, string>> }) =>
    request.params.rest === undefined ? '' : `/${request.params.rest}`

  return [
    // Before the generic setup and service routes: Drive's content URLs.
    ...driveRoutes(base, ctx),
    ...route(
      [
        '/feedbackws',
        '/feedbackws/*rest',
        '/reportStats',
        '/reportStats/*rest',
        '/reportRaw',
        '/reportRaw/*rest',
      ],
      'none',
      (request) => tripped(base, request),
    ),
    ...route(['/appleauth/auth', '/appleauth/auth/*rest'], idmsa, (request) =>
      handleIdmsa(ctx(request), request, rest(request)),
    ),
    ...route(['/setup/ws/1/*rest'], 'none', (request) =>
      handleSetup(ctx(request), request, rest(request), false),
    ),
    ...route(['/cn/setup/ws/1/*rest'], 'none', (request) =>
      handleSetup(ctx(request), request, rest(request), true),
    ),
    ...extra(service),
    ...route(
      ['/ws/:service', '/ws/:service/*rest', '/cn/ws/:service', '/cn/ws/:service/*rest'],
      service,
      (request) => handleService(ctx(request), request, request.params.service!, rest(request) || '/'),
    ),
    ...route(['/webcourier/aps'], 'none', (request) => handleWebcourier(ctx(request), request)),
  ]
}
