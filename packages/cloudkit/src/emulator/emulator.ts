import { createHash, type KeyObject } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentEncode, Redactor, receivedHeader, utf8Decode } from '@sigwire/core'
import {
  type EmulatorRequest,
  FaultController,
  type FaultOptions,
  StateFile,
  sendJson,
  startEmulatorServer,
} from '@sigwire/emulator-kit'
import { type CloudKitPath, parseCloudKitPath } from '../client/address.js'
import {
  DATABASES,
  ENVIRONMENTS,
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_SIGNATURE,
  HEADER_WEB_AUTH_TOKEN,
} from '../constants.js'
import { type CloudKitDiagnosis, diagnoseCloudKitRequest, type RegisteredKey } from '../doctor/diagnose.js'
import { parseCloudKitPublicKey } from '../signing/keys.js'
import { receiveUpload, requestUploads, sendDownload } from './assets.js'
import {
  type AuthRejection,
  type AuthSettings,
  authenticate,
  issueSession,
  rotateSession,
  type ScopeCredentials,
} from './auth.js'
import type { OperationContext, Principal } from './context.js'
import { CloudKitFailure, errorBody, sendFailure } from './errors.js'
import {
  type CloudKitContainerConfig,
  type CloudKitDevCredentials,
  type CloudKitEmulatorOptions,
  type CloudKitUserConfig,
  devCredentials,
  loadContainers,
} from './options.js'
import { queryRecords } from './query.js'
import { lookupRecords, modifyRecords, recordChanges } from './records.js'
import { type EmulatorState, emptyState, scopeKey } from './state.js'
import { listSubscriptions, lookupSubscriptions, modifySubscriptions } from './subscriptions.js'
import { usersOperation } from './users.js'
import { listZones, lookupZones, modifyZones, zoneChanges } from './zones.js'

/** One request the emulator refused, and why. */
export interface CloudKitRejection {
  readonly at: Date
  readonly method: string
  /** The request-target, with tokens redacted. */
  readonly target: string
  readonly status: number
  readonly serverErrorCode: string
  /** Verifier reason (`SIGNATURE_MISMATCH`, `DATE_OUT_OF_WINDOW`, ...), policy reason, or the server error code. */
  readonly reason: string
  readonly message: string
  /** The token the verifier named. */
  readonly token?: string
  /** For rejected server-to-server requests: the doctor's diagnosis (candidate search over two wrong fields). */
  readonly diagnosis?: CloudKitDiagnosis
}

/** A running CloudKit emulator. */
export interface CloudKitEmulator {
  /** Base URL: pass it to the client as `baseUrl`. */
  readonly url: string
  readonly port: number
  /** PEM of the self-signed certificate when `tls` is on. */
  readonly certificate: string | undefined
  /** Live fault controls. */
  readonly faults: FaultController
  /** The generated development credentials (only when no container was configured). */
  readonly dev: CloudKitDevCredentials | undefined
  /** Every refused request, oldest first. */
  readonly rejections: readonly CloudKitRejection[]
  /** Registers a public key for a container and environment (what CloudKit Dashboard does); it persists. */
  registerKey(input: { container: string; environment: string; keyId: string; publicKeyPem: string }): void
  /** Accepts an API token for a container and environment. */
  registerApiToken(input: { container: string; environment: string; apiToken: string }): void
  /** Signs a user in and returns a web auth token (what the redirectURL page does). */
  issueWebAuthToken(input?: { container?: string; environment?: string; userRecordName?: string }): string
  /** Stops the server and writes the state. */
  close(): Promise<void>
}

interface Operation {
  readonly method: 'GET' | 'POST'
  /** Needs a signed-in user (or a server-to-server key) even on the public database. */
  readonly needsUser: boolean
  readonly run: (ctx: OperationContext) => Record<string, unknown>
}

const OPERATIONS: Record<string, Operation> = {
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
}

const USER_OPERATIONS: Record<string, 'GET' | 'POST'> = {
  'users/caller': 'GET',
  'users/current': 'GET',
  'users/discover': 'POST',
  'users/lookup/email': 'POST',
  'users/lookup/id': 'POST',
}

const DEFAULT_USER: CloudKitUserConfig = {
  userRecordName: '_5a1d0e7f3c9b4e2a8d6f1b3c5e7a9d0f',
  emailAddress: 'developer@sigwire.test',
  givenName: 'Dev',
  familyName: 'Eloper',
}

class ClockedFaults extends FaultController {
  readonly #clock: () => number
  constructor(options: FaultOptions, clock: () => number) {
    super(options)
    this.#clock = clock
  }
  override now(): number {
    return this.#clock() + this.clockOffsetMs
  }
}

/**
 * Starts a CloudKit Web Services emulator: a real HTTP(S) server that verifies every request with the
 * same verifier the client package exports (docs/protocols/cloudkit.md §7), keeps zones, records with
 * change tags, change tokens, subscriptions and assets (upload URLs served by itself), evaluates
 * queries, answers Apple's error bodies, injects faults, and persists its state in `stateDir`.
 *
 * Without `containers`, it generates development credentials (`emulator.dev`), stable per `stateDir`.
 */
export async function startCloudKitEmulator(
  options: CloudKitEmulatorOptions = {},
): Promise<CloudKitEmulator> {
  const clock = () => {
    const value = options.now?.() ?? Date.now()
    return typeof value === 'number' ? value : value.getTime()
  }
  const faults = new ClockedFaults(options.faults ?? {}, clock)
  const settings: AuthSettings = {
    verify: options.verify !== false,
    dateWindowSeconds: options.dateWindowSeconds ?? 600,
    emptyBodyHash:
      options.emptyBodyHash === 'sha256' ? 'sha256-of-empty' : (options.emptyBodyHash ?? 'sha256-of-empty'),
    s2sOnUserDatabases: options.s2sOnUserDatabases ?? 'reject',
    webAuthTokenReuse: options.webAuthTokenReuse ?? 'reject',
  }
  const users = options.users && options.users.length > 0 ? options.users : [DEFAULT_USER]
  const developer = users[0]!.userRecordName
  const dev =
    options.containers && options.containers.length > 0 ? undefined : await devCredentials(options.stateDir)
  const configured: CloudKitContainerConfig[] = dev
    ? [
        {
          container: dev.container,
          environment: dev.environment,
          keys: [{ keyId: dev.keyId, publicKeyPem: dev.publicKeyPem }],
          apiTokens: [dev.apiToken],
        },
      ]
    : await loadContainers(options.containers!)

  const stateFile = await StateFile.open<EmulatorState>(options.stateDir, 'cloudkit', emptyState)
  const state = stateFile.data
  const changed = () => stateFile.changed()
  const assetsDir = options.stateDir
    ? join(options.stateDir, 'cloudkit-assets')
    : await mkdtemp(join(tmpdir(), 'sigwire-cloudkit-assets-'))
  await mkdir(assetsDir, { recursive: true, mode: 0o700 })
  const store = { dir: assetsDir, maxBytes: options.maxAssetBytes ?? 50 * 1024 * 1024 }

  const registry = new Map<
    string,
    { keys: Array<{ keyId: string; key: KeyObject; pem: string }>; apiTokens: Set<string> }
  >()
  const scopeOf = (container: string, environment: string) => {
    const key = scopeKey(container, environment)
    let entry = registry.get(key)
    if (!entry) {
      entry = { keys: [], apiTokens: new Set() }
      registry.set(key, entry)
    }
    return entry
  }
  const addKey = (container: string, environment: string, keyId: string, pem: string) => {
    const entry = scopeOf(container, environment)
    const key = parseCloudKitPublicKey(pem)
    entry.keys = [...entry.keys.filter((k) => k.keyId !== keyId), { keyId, key, pem }]
  }
  for (const c of configured) {
    scopeOf(c.container, c.environment)
    for (const k of c.keys ?? []) addKey(c.container, c.environment, k.keyId, k.publicKeyPem!)
    for (const t of c.apiTokens ?? []) scopeOf(c.container, c.environment).apiTokens.add(t)
  }
  for (const [scope, keys] of Object.entries(state.keys)) {
    const [container, environment] = scope.split('|') as [string, string]
    for (const k of keys) addKey(container, environment, k.keyId, k.publicKeyPem)
  }

  const rejections: CloudKitRejection[] = []
  const redactor = new Redactor()
  let baseUrl = ''

  const record = (
    request: EmulatorRequest,
    status: number,
    serverErrorCode: string,
    rejection: Omit<AuthRejection, 'signed'> & { signed?: boolean },
    now: number,
  ) => {
    let diagnosis: CloudKitDiagnosis | undefined
    const signed =
      rejection.signed ??
      [HEADER_KEY_ID, HEADER_DATE, HEADER_SIGNATURE].some((h) => receivedHeader(request, h) !== undefined)
    if (signed) {
      const route = parseCloudKitPath(request.target)
      const registeredKeys: RegisteredKey[] = []
      for (const [scope, entry] of registry) {
        const [container, environment] = scope.split('|') as [string, string]
        if (route && container !== route.container) continue
        for (const k of entry.keys)
          registeredKeys.push({ keyId: k.keyId, publicKeyPem: k.key, container, environment })
      }
      diagnosis = diagnoseCloudKitRequest({
        request,
        registeredKeys,
        now,
        windowSeconds: settings.dateWindowSeconds,
        search: 'quick',
      })
    }
    rejections.push({
      at: new Date(now),
      method: request.method,
      target: redactor.redactUrl(request.target),
      status,
      serverErrorCode,
      reason: rejection.reason,
      message: rejection.message,
      ...(rejection.token ? { token: rejection.token } : {}),
      ...(diagnosis ? { diagnosis } : {}),
    })
  }

  const signIn = (
    container: string,
    environment: string,
    userRecordName: string | undefined,
    now: number,
  ) => {
    const user = userRecordName ?? developer
    if (!users.some((u) => u.userRecordName === user)) throw new Error(`Unknown user ${user}.`)
    const token = issueSession(state, scopeKey(container, environment), user, now)
    changed()
    return token
  }

  const handle = async (request: EmulatorRequest, res: ServerResponse) => {
    const now = request.receivedAt
    const headers: Record<string, string> = { date: new Date(now).toUTCString() }
    const path = request.url.pathname
    if (path.startsWith('/assets/upload/'))
      return receiveUpload(
        request,
        res,
        path.slice('/assets/upload/'.length),
        state,
        store,
        now,
        headers,
        changed,
      )
    if (path.startsWith('/assets/download/')) {
      if (request.method !== 'GET')
        return sendJson(res, 405, errorBody('BAD_REQUEST', 'Download URLs take GET.'), headers)
      return sendDownload(res, path.split('/')[3] ?? '', store, headers)
    }
    if (path === '/auth/signin') return signInPage(request, res, headers, now)

    const route = parseCloudKitPath(request.target)
    const fail = (
      failure: CloudKitFailure,
      rejection: Omit<AuthRejection, 'signed'> & { signed?: boolean },
      extra = headers,
    ) => {
      record(request, failure.status, failure.serverErrorCode, rejection, now)
      sendFailure(res, failure, extra)
    }
    if (!route || (route.api === 'device' && !route.operation.startsWith('tokens/')))
      return fail(new CloudKitFailure('NOT_FOUND', `Unknown path ${path}.`), {
        reason: 'UNKNOWN_PATH',
        message: `Unknown path ${path}.`,
      })
    if (route.api === 'database' && route.database === 'tokens')
      // DOC prints /database/1/.../tokens/...; the service answers 405 there (§1, rdar 28516084).
      return fail(new CloudKitFailure('BAD_REQUEST', 'Tokens live under /device/1/...', { status: 405 }), {
        reason: 'TOKENS_UNDER_DATABASE',
        message:
          'APNs token operations live under /device/1/{container}/{environment}/tokens/..., not /database/1/.',
      })
    if (!(ENVIRONMENTS as readonly string[]).includes(route.environment))
      return fail(new CloudKitFailure('AUTHENTICATION_FAILED', 'Authentication failed'), {
        reason: 'ENVIRONMENT_INVALID',
        message: `The environment ${JSON.stringify(route.environment)} is neither "development" nor "production" (lower case).`,
      })
    if (route.api === 'database' && !(DATABASES as readonly string[]).includes(route.database ?? ''))
      return fail(new CloudKitFailure('BAD_REQUEST', `Unknown database ${route.database}.`), {
        reason: 'UNKNOWN_DATABASE',
        message: `Unknown database ${route.database}.`,
      })

    const scope = scopeKey(route.container, route.environment)
    const credentials: ScopeCredentials | undefined = registry.get(scope)
    const auth = authenticate(request, route, credentials, settings, state, scope, now, developer)
    if (!auth.ok) return fail(auth.failure, auth.rejection)

    const respond = (status: number, body: Record<string, unknown>) => {
      const out = { ...headers }
      if (auth.sessionToken !== undefined) {
        out[HEADER_WEB_AUTH_TOKEN] = rotateSession(state, auth.sessionToken, now)
        changed()
      }
      sendJson(res, status, body, out)
    }
    try {
      const body = parseBody(request)
      const result = dispatch(route, request.method, auth.principal, body, scope, now)
      respond(200, result)
    } catch (error) {
      if (!(error instanceof CloudKitFailure)) throw error
      record(
        request,
        error.status,
        error.serverErrorCode,
        { reason: error.serverErrorCode, message: error.message },
        now,
      )
      const body = errorBody(error.serverErrorCode, error.message, error.extra)
      respond(error.status, body)
    }
  }

  const dispatch = (
    route: CloudKitPath,
    method: string,
    principal: Principal,
    body: Record<string, unknown>,
    scope: string,
    now: number,
  ): Record<string, unknown> => {
    const signInUrl = `${baseUrl}/auth/signin?container=${percentEncode(route.container)}&environment=${percentEncode(route.environment)}`
    const needUser = () => {
      if (principal.kind === 'anonymous')
        throw new CloudKitFailure('AUTHENTICATION_REQUIRED', 'request needs authorization', {
          redirectURL: signInUrl,
        })
    }
    const ctx: OperationContext = {
      state,
      changed,
      now,
      baseUrl,
      scope,
      database: (route.database ?? 'public') as OperationContext['database'],
      principal,
      body,
      maxAssetBytes: store.maxBytes,
      signInUrl,
    }
    if (route.api === 'device') {
      expectMethod(method, 'POST')
      return tokensOperation(ctx, route.operation)
    }
    if (route.database !== 'public') needUser()
    const userMethod = USER_OPERATIONS[route.operation]
    if (userMethod) {
      expectMethod(method, userMethod)
      needUser()
      return usersOperation(ctx, route.operation, users)
    }
    const operation = OPERATIONS[route.operation]
    if (!operation) throw new CloudKitFailure('NOT_FOUND', `Unknown operation ${route.operation}.`)
    expectMethod(method, operation.method)
    if (operation.needsUser) needUser()
    return operation.run(ctx)
  }

  const signInPage = (
    request: EmulatorRequest,
    res: ServerResponse,
    headers: Record<string, string>,
    now: number,
  ) => {
    const q = request.url.searchParams
    const container = q.get('container') ?? ''
    const environment = q.get('environment') ?? ''
    if (!registry.has(scopeKey(container, environment)))
      return sendJson(res, 404, errorBody('NOT_FOUND', 'Unknown container or environment.'), headers)
    const user = q.get('user') ?? undefined
    if (user !== undefined && !users.some((u) => u.userRecordName === user))
      return sendJson(res, 404, errorBody('NOT_FOUND', 'Unknown user.'), headers)
    const token = signIn(container, environment, user, now)
    const callback = q.get('callback')
    if (callback) {
      res.writeHead(302, {
        ...headers,
        location: `${callback}${callback.includes('?') ? '&' : '?'}ckWebAuthToken=${percentEncode(token)}`,
      })
      res.end()
      return
    }
    sendJson(res, 200, { ckWebAuthToken: token, userRecordName: user ?? developer }, headers)
  }

  const server = await startEmulatorServer(
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host ? { host: options.host } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    },
    {
      faults,
      handle,
      maxBodyBytes: 64 * 1024 * 1024,
      streamingPath: (path) => path.startsWith('/assets/upload/'),
      renderFault(kind, retryAfterSeconds, request, res) {
        const now = request.receivedAt
        const code = kind === 'throttle' ? 'THROTTLED' : 'TRY_AGAIN_LATER'
        const status = kind === 'throttle' ? 429 : 503
        record(request, status, code, { reason: `FAULT_${code}`, message: `Injected ${kind} fault.` }, now)
        const stream = (request as unknown as { stream?: NodeJS.ReadableStream }).stream
        if (request.url.pathname.startsWith('/assets/upload/')) stream?.resume()
        sendJson(
          res,
          status,
          errorBody(code, kind === 'throttle' ? 'Request throttled' : 'Try again later', {
            retryAfter: retryAfterSeconds,
          }),
          {
            date: new Date(now).toUTCString(),
          },
        )
      },
      async onClose() {
        await stateFile.flush()
        if (!options.stateDir) await rm(assetsDir, { recursive: true, force: true })
      },
    },
  )
  baseUrl = server.url

  return {
    url: server.url,
    port: server.port,
    certificate: server.certificate,
    faults,
    dev,
    rejections,
    registerKey({ container, environment, keyId, publicKeyPem }) {
      addKey(container, environment, keyId, publicKeyPem)
      const key = scopeKey(container, environment)
      state.keys[key] = [...(state.keys[key] ?? []).filter((k) => k.keyId !== keyId), { keyId, publicKeyPem }]
      changed()
    },
    registerApiToken({ container, environment, apiToken }) {
      scopeOf(container, environment).apiTokens.add(apiToken)
    },
    issueWebAuthToken(input = {}) {
      const container = input.container ?? dev?.container ?? configured[0]!.container
      const environment = input.environment ?? dev?.environment ?? configured[0]!.environment
      return signIn(container, environment, input.userRecordName, clock() + faults.clockOffsetMs)
    },
    close: () => server.close(),
  }
}

function parseBody(request: EmulatorRequest): Record<string, unknown> {
  if (request.body.byteLength === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(utf8Decode(request.body, { strict: true }))
  } catch {
    throw new CloudKitFailure('BAD_REQUEST', 'The body is not UTF-8 JSON.')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CloudKitFailure('BAD_REQUEST', 'The body must be a JSON object.')
  return value as Record<string, unknown>
}

function expectMethod(method: string, expected: 'GET' | 'POST'): void {
  if (method !== expected)
    throw new CloudKitFailure('BAD_REQUEST', `This operation takes ${expected}, not ${method}.`, {
      status: 405,
    })
}

/** `/device/1/.../tokens/create|register` (DOC `CreateTokens`, `RegisterTokens`). */
function tokensOperation(ctx: OperationContext, operation: string): Record<string, unknown> {
  const environment = ctx.body.apnsEnvironment
  if (environment !== 'development' && environment !== 'production')
    throw new CloudKitFailure('BAD_REQUEST', 'apnsEnvironment must be "development" or "production".')
  if (operation === 'tokens/create') {
    const apnsToken = createHash('sha256').update(`${ctx.scope}|${ctx.now}|${Math.random()}`).digest('hex')
    ctx.state.apnsTokens[apnsToken] = { scope: ctx.scope, apnsEnvironment: environment, registered: false }
    ctx.changed()
    return {
      apnsEnvironment: environment,
      apnsToken,
      webcourierURL: `${ctx.baseUrl}/webcourier/${apnsToken}`,
    }
  }
  if (operation === 'tokens/register') {
    const apnsToken = ctx.body.apnsToken
    if (typeof apnsToken !== 'string' || apnsToken === '')
      throw new CloudKitFailure('BAD_REQUEST', 'apnsToken is required.')
    ctx.state.apnsTokens[apnsToken] = { scope: ctx.scope, apnsEnvironment: environment, registered: true }
    ctx.changed()
    return { apnsEnvironment: environment, apnsToken }
  }
  throw new CloudKitFailure('NOT_FOUND', `Unknown operation ${operation}.`)
}
