import { percentEncode } from '@sigwire/core'
import {
  type EmulatorRequest,
  isEmulatorError,
  parseJsonBody,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import type { OperationContext } from '@sigwire/emulator-kit/cloudkit'
import {
  badRequest,
  type CloudKitData,
  cloudKitError,
  errorBody,
  listZones,
  lookupRecords,
  lookupZones,
  modifyRecords,
  modifyZones,
  queryRecords,
  recordChanges,
  type StoredUpload,
  scopeKey,
  zoneChanges,
} from '@sigwire/emulator-kit/cloudkit'
import { type CloudKitPath, parseCloudKitPath } from '../client/address.js'
import { DATABASES, ENVIRONMENTS, HEADER_WEB_AUTH_TOKEN } from '../constants.js'
import { type AssetStore, receiveUpload, requestUploads, sendDownload, uploadTarget } from './assets.js'
import {
  type AuthSettings,
  authenticateBody,
  authenticateHeaders,
  type HeaderAuth,
  issueSession,
  rotateSession,
  type ScopeCredentials,
} from './auth.js'
import type { CloudKitUserConfig } from './options.js'
import { listSubscriptions, lookupSubscriptions, modifySubscriptions } from './subscriptions.js'
import { tokensOperation } from './tokens.js'
import { usersOperation } from './users.js'

/** What the routes read from the running emulator. */
export interface CloudKitEnv {
  readonly data: CloudKitData
  readonly settings: AuthSettings
  readonly users: readonly CloudKitUserConfig[]
  readonly developer: string
  baseUrl: string
  readonly assets: AssetStore
  credentials(scope: string): ScopeCredentials | undefined
  knownScope(scope: string): boolean
}

interface Operation {
  readonly method: 'GET' | 'POST'
  /** Needs a signed-in user (or a server-to-server key) even on the public database. */
  readonly needsUser: boolean
  readonly run: (ctx: OperationContext, operation: string) => Record<string, unknown>
}

/** Database operations by path suffix (DOC; docs/protocols/cloudkit.md §1). */
const OPERATIONS: Readonly<Record<string, Operation>> = Object.assign(Object.create(null), {
  'records/query': { method: 'POST', needsUser: false, run: queryRecords },
  'records/lookup': { method: 'POST', needsUser: false, run: lookupRecords },
  'records/modify': { method: 'POST', needsUser: true, run: modifyRecords },
  'records/changes': { method: 'POST', needsUser: true, run: recordChanges },
  'zones/list': { method: 'GET', needsUser: false, run: listZones },
  'zones/lookup': { method: 'POST', needsUser: false, run: lookupZones },
  'zones/modify': { method: 'POST', needsUser: true, run: modifyZones },
  'zones/changes': { method: 'POST', needsUser: false, run: zoneChanges },
  'subscriptions/list': { method: 'GET', needsUser: true, run: listSubscriptions },
  'subscriptions/lookup': { method: 'POST', needsUser: true, run: lookupSubscriptions },
  'subscriptions/modify': { method: 'POST', needsUser: true, run: modifySubscriptions },
  'assets/upload': { method: 'POST', needsUser: true, run: requestUploads },
})

/** The `users/*` operations, which always need a signed-in user. */
const USER_OPERATIONS: Readonly<Record<string, 'GET' | 'POST'>> = Object.assign(Object.create(null), {
  'users/caller': 'GET',
  'users/current': 'GET',
  'users/discover': 'POST',
  'users/lookup/email': 'POST',
  'users/lookup/id': 'POST',
})

/** Largest JSON body of a database or device operation. */
const MAX_OPERATION_BODY = 64 * 1024 * 1024

interface CloudKitAuth extends HeaderAuth {
  readonly path: CloudKitPath
}

/** The route table of the CloudKit emulator. */
export function cloudKitRoutes(env: CloudKitEnv): Route<unknown>[] {
  const auth: RouteAuth<CloudKitAuth> = {
    headers: (request) => {
      const path = checkPath(request)
      const scope = scopeKey(path.container, path.environment)
      const verdict = authenticateHeaders(
        request,
        path,
        env.credentials(scope),
        env.settings,
        env.data,
        scope,
        request.receivedAt,
        env.developer,
        signInUrlOf(env, path),
      )
      return { ...verdict, path }
    },
    body: (request) => ({
      ...authenticateBody(request, request.auth.path, request.auth, env.settings, request.receivedAt),
      path: request.auth.path,
    }),
  }
  const operation: Route<CloudKitAuth> = {
    method: ['GET', 'POST'],
    path: '/database/1/:container/:environment/*rest',
    auth,
    maxBodyBytes: MAX_OPERATION_BODY,
    handle: (request) => runOperation(env, request),
  }
  const uploadAuth: RouteAuth<StoredUpload> = {
    headers: (request) => uploadTarget(env.data, request.params.id!, request.receivedAt),
  }
  const open = (route: Route<undefined>) => route
  const upload = (route: Route<StoredUpload>) => route
  const routes: Array<Route<CloudKitAuth> | Route<StoredUpload> | Route<undefined>> = [
    operation,
    { ...operation, path: '/device/1/:container/:environment/*rest' },
    upload({
      method: 'POST',
      path: '/assets/upload/:id',
      auth: uploadAuth,
      maxBodyBytes: { stream: env.assets.maxBytes },
      handle: (request) => receiveUpload(request, env.data, env.assets),
    }),
    open({
      method: 'GET',
      path: '/assets/download/:asset',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => sendDownload(env.data, request.params.asset!, env.assets),
    }),
    open({
      method: 'GET',
      path: '/assets/download/:asset/*file',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => sendDownload(env.data, request.params.asset!, env.assets),
    }),
    open({
      method: 'GET',
      path: '/auth/signin',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => signInPage(env, request),
    }),
  ]
  return routes as Route<unknown>[]
}

/** Checks what the path alone decides (docs/protocols/cloudkit.md §1), before authentication. */
function checkPath(request: EmulatorRequest): CloudKitPath {
  const path = parseCloudKitPath(request.target)
  const pathname = request.url.pathname
  if (!path || (path.api === 'device' && !path.operation.startsWith('tokens/')))
    throw cloudKitError('NOT_FOUND', `Unknown path ${pathname}.`, { logReason: 'UNKNOWN_PATH' })
  if (path.api === 'database' && path.database === 'tokens')
    // DOC prints /database/1/.../tokens/...; the service answers 405 there (§1, rdar 28516084).
    throw cloudKitError('BAD_REQUEST', 'Tokens live under /device/1/...', {
      status: 405,
      logReason: 'TOKENS_UNDER_DATABASE',
      explanation:
        'APNs token operations live under /device/1/{container}/{environment}/tokens/..., not /database/1/.',
    })
  if (!(ENVIRONMENTS as readonly string[]).includes(path.environment))
    throw cloudKitError('AUTHENTICATION_FAILED', 'Authentication failed', {
      kind: 'auth',
      logReason: 'ENVIRONMENT_INVALID',
      explanation: `The environment ${JSON.stringify(path.environment)} is neither "development" nor "production" (lower case).`,
    })
  if (path.api === 'database' && !(DATABASES as readonly string[]).includes(path.database ?? ''))
    throw cloudKitError('BAD_REQUEST', `Unknown database ${path.database}.`, {
      logReason: 'UNKNOWN_DATABASE',
    })
  return path
}

function runOperation(env: CloudKitEnv, request: RouteRequest<CloudKitAuth>): Reply {
  const { path, principal, sessionToken } = request.auth
  const now = request.receivedAt
  const scope = scopeKey(path.container, path.environment)
  // Every answer to a signed-in user, an error too, carries the next web auth token.
  const rotated: Record<string, string> =
    sessionToken === undefined
      ? {}
      : { [HEADER_WEB_AUTH_TOKEN]: rotateSession(env.data, request.tx, sessionToken, now) }
  try {
    const signInUrl = signInUrlOf(env, path)
    const ctx: OperationContext = {
      data: env.data,
      tx: request.tx,
      now,
      baseUrl: env.baseUrl,
      scope,
      database: (path.database ?? 'public') as OperationContext['database'],
      principal,
      body: parseBody(request.body),
      maxAssetBytes: env.assets.maxBytes,
      signInUrl,
    }
    const needUser = () => {
      if (principal.kind === 'anonymous')
        throw cloudKitError('AUTHENTICATION_REQUIRED', 'request needs authorization', {
          redirectURL: signInUrl,
        })
    }
    let result: Record<string, unknown>
    if (path.api === 'device') {
      expectMethod(request.method, 'POST')
      result = tokensOperation(ctx, path.operation)
    } else {
      if (path.database !== 'public') needUser()
      const userMethod = USER_OPERATIONS[path.operation]
      const op = OPERATIONS[path.operation]
      if (userMethod) {
        expectMethod(request.method, userMethod)
        needUser()
        result = usersOperation(ctx, path.operation, env.users)
      } else if (op) {
        expectMethod(request.method, op.method)
        if (op.needsUser) needUser()
        result = op.run(ctx, path.operation)
      } else throw cloudKitError('NOT_FOUND', `Unknown operation ${path.operation}.`)
    }
    return reply(200, { json: result }, rotated)
  } catch (error) {
    throw isEmulatorError(error) ? error.withHeaders(rotated) : error
  }
}

/** The emulator's sign-in page for a container, handed out as `redirectURL`. */
function signInUrlOf(env: CloudKitEnv, path: CloudKitPath): string {
  return `${env.baseUrl}/auth/signin?container=${percentEncode(path.container)}&environment=${percentEncode(path.environment)}`
}

function parseBody(body: Uint8Array): Record<string, unknown> {
  if (body.byteLength === 0) return {}
  const value = parseJsonBody(body)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
}

function expectMethod(method: string, expected: 'GET' | 'POST'): void {
  if (method !== expected)
    throw cloudKitError('BAD_REQUEST', `This operation takes ${expected}, not ${method}.`, { status: 405 })
}

/** What the `redirectURL` of AUTHENTICATION_REQUIRED opens: signs a user in (no password in the emulator). */
function signInPage(env: CloudKitEnv, request: RouteRequest<undefined>): Reply {
  const q = request.url.searchParams
  const container = q.get('container') ?? ''
  const environment = q.get('environment') ?? ''
  if (!env.knownScope(scopeKey(container, environment)))
    return reply(404, { json: errorBody('NOT_FOUND', 'Unknown container or environment.') })
  const user = q.get('user') ?? env.developer
  if (!env.users.some((u) => u.userRecordName === user))
    return reply(404, { json: errorBody('NOT_FOUND', 'Unknown user.') })
  const token = issueSession(request.tx, scopeKey(container, environment), user, request.receivedAt)
  const callback = q.get('callback')
  if (callback)
    return reply(302, undefined, {
      location: `${callback}${callback.includes('?') ? '&' : '?'}ckWebAuthToken=${percentEncode(token)}`,
    })
  return reply(200, { json: { ckWebAuthToken: token, userRecordName: user } })
}
