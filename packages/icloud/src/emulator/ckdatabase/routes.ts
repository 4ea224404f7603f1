import {
  EmulatorError,
  isEmulatorError,
  parseJsonBody,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
} from '@sigwire/emulator-kit'
import { badRequest, errorBody } from '@sigwire/emulator-kit/cloudkit'

/** What {@link containerRoutes} needs to route one `ckdatabasews` container. */
export interface ContainerRoutesOptions {
  /** The container in the path, or `:container` to take any (Photos, listed last). */
  readonly container: string
  /** The largest JSON body an operation takes. */
  readonly maxBodyBytes: number
  /** The web services' session check, given the service name in `params.service`. */
  readonly serviceAuth: RouteAuth<unknown>
  /** Runs one database operation; engine errors become CloudKit-shaped bodies. */
  handle(request: RouteRequest<unknown>): Reply | Promise<Reply>
}

/** The session check of the web services for `service`, as for `/ws/<service>/...`. */
export function serviceRouteAuth(serviceAuth: RouteAuth<unknown>, service: string): RouteAuth<unknown> {
  return {
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service }),
      }),
  }
}

/**
 * The `ckdatabasews` database routes of one container, on both the worldwide and the China (`/cn`)
 * prefixes: `.../database/1/<container>/:environment/:database/*op`.
 */
export function containerRoutes(options: ContainerRoutesOptions): Route<unknown>[] {
  const auth = serviceRouteAuth(options.serviceAuth, 'ckdatabasews')
  return ['', '/cn'].map((prefix) => ({
    method: ['GET', 'POST'],
    path: `${prefix}/ws/ckdatabasews/database/1/${options.container}/:environment/:database/*op`,
    auth,
    maxBodyBytes: options.maxBodyBytes,
    handle: (request: RouteRequest<unknown>) => cloudKitShaped(() => options.handle(request)),
  }))
}

/** Engine errors carry CloudKit's error dictionary as the iCloud emulator's error body. */
export async function cloudKitShaped(run: () => Reply | Promise<Reply>): Promise<Reply> {
  try {
    return await run()
  } catch (error) {
    if (isEmulatorError(error) && !Object.hasOwn(error.details, 'body'))
      throw new EmulatorError(error.code, error.message, {
        status: error.status,
        details: { body: errorBody(error.code, error.message, error.details) },
        headers: error.headers,
        kind: error.kind,
      })
    throw error
  }
}

/** The operation of a database route (`records/query`, ...), without trailing slashes. */
export function operationOf(request: RouteRequest<unknown>): string {
  return request.params.op!.replace(/\/+$/, '')
}

/** An operation's body: a JSON object, or `{}` when empty. */
export function parseOperationBody(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) return {}
  const value = parseJsonBody(bytes)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
}
