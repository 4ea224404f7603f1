import type { KeyObject } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redactor } from '@sigwire/core'
import {
  DurableStore,
  type EmulatorRequest,
  type EmulatorStats,
  FaultController,
  type RequestLog,
  type RequestLogEntry,
  reply,
  startEmulator,
} from '@sigwire/emulator-kit'
import {
  CLOUDKIT_TABLES,
  CloudKitData,
  errorBody,
  renderCloudKitError,
  type StoredKey,
  scopeKey,
} from '@sigwire/emulator-kit/cloudkit'
import { parseCloudKitPath } from '../client/address.js'
import { type CloudKitDiagnosis, diagnoseCloudKitRequest, type RegisteredKey } from '../doctor/diagnose.js'
import { parseCloudKitPublicKey } from '../signing/keys.js'
import { readStoredAsset } from './asset-file.js'
import { type AuthSettings, isSigned, issueSession } from './auth.js'
import { type CloudKitEmulatorState, inspectCloudKitState } from './inspect.js'
import {
  type CloudKitContainerConfig,
  type CloudKitDevCredentials,
  type CloudKitEmulatorOptions,
  type CloudKitUserConfig,
  devCredentials,
  loadContainers,
} from './options.js'
import { type CloudKitEnv, cloudKitRoutes } from './routes.js'
import { Webcourier } from './webcourier.js'

/** One request the emulator refused, and why. */
export interface CloudKitRejection {
  /** When the request arrived (the emulator's clock). */
  readonly at: Date
  /** HTTP method as received. */
  readonly method: string
  /** The request-target, with tokens redacted. */
  readonly target: string
  /** HTTP status answered (401 for refused authentication, 429 or 503 for injected faults...). */
  readonly status: number
  /** The `serverErrorCode` of the answer (`AUTHENTICATION_FAILED`, `THROTTLED`...). */
  readonly serverErrorCode: string
  /** Verifier reason (`SIGNATURE_MISMATCH`, `DATE_OUT_OF_WINDOW`, ...), policy reason, or the server error code. */
  readonly reason: string
  /** What was wrong, in words; empty when the log has no message. */
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
  /** Port it listens on (on loopback). */
  readonly port: number
  /** PEM of the self-signed certificate when `tls` is on. */
  readonly certificate: string | undefined
  /** Live fault controls. */
  readonly faults: FaultController
  /** The generated development credentials (only when no container was configured). */
  readonly dev: CloudKitDevCredentials | undefined
  /** Every refused request, oldest first (the last 1000). */
  readonly rejections: readonly CloudKitRejection[]
  /** Every request with its verdict and the doctor's findings (also at `GET /_emulator/requests`). */
  readonly log: RequestLog
  /** Requests by route and status, and `throttled` (429 `THROTTLED` answers) (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
  /** Registers a public key for a container and environment (what CloudKit Dashboard does); it persists. */
  registerKey(input: {
    container: string
    environment: string
    keyId: string
    publicKeyPem: string
  }): Promise<void>
  /** Accepts an API token for a container and environment. */
  registerApiToken(input: { container: string; environment: string; apiToken: string }): void
  /** Signs a user in and returns a web auth token (what the redirectURL page does). */
  issueWebAuthToken(input?: { container?: string; environment?: string; userRecordName?: string }): string
  /** A snapshot of the databases, zones, records and subscriptions (for a state browser). */
  inspect(): CloudKitEmulatorState
  /** The bytes of a stored asset by its `assetId` (an asset field's value in {@link CloudKitEmulator.inspect}). */
  readAsset(assetId: string): Promise<Uint8Array | undefined>
  /** Stops the server and closes the state. */
  close(): Promise<void>
}

const DEFAULT_USER: CloudKitUserConfig = {
  userRecordName: '_5a1d0e7f3c9b4e2a8d6f1b3c5e7a9d0f',
  emailAddress: 'developer@sigwire.test',
  givenName: 'Dev',
  familyName: 'Eloper',
}

/**
 * Starts a CloudKit Web Services emulator: a real HTTP(S) server that verifies every request with the
 * same verifier the client package exports (docs/protocols/cloudkit.md §7), keeps zones, records with
 * change tags, change tokens, subscriptions and assets (upload URLs served by itself), evaluates
 * queries, answers Apple's error bodies, injects faults, and keeps its state in `stateDir` durably.
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
  const faults = new FaultController(options.faults ?? {}, clock)
  const settings: AuthSettings = {
    verify: options.verify !== false,
    dateWindowSeconds: options.dateWindowSeconds ?? 600,
    emptyBodyHash:
      options.emptyBodyHash === 'sha256' ? 'sha256-of-empty' : (options.emptyBodyHash ?? 'sha256-of-empty'),
    s2sOnUserDatabases: options.s2sOnUserDatabases ?? 'reject',
    webAuthTokenReuse: options.webAuthTokenReuse ?? 'allow-until-expiry',
  }
  const users = options.users && options.users.length > 0 ? options.users : [DEFAULT_USER]
  const store = await DurableStore.open({ dir: options.stateDir, name: 'cloudkit', tables: CLOUDKIT_TABLES })
  const data = new CloudKitData(store)
  const dev = options.containers && options.containers.length > 0 ? undefined : await devCredentials(store)
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

  const assetsDir = options.stateDir
    ? join(options.stateDir, 'cloudkit-assets')
    : await mkdtemp(join(tmpdir(), 'sigwire-cloudkit-assets-'))
  await mkdir(assetsDir, { recursive: true, mode: 0o700 })
  await removeOrphanAssets(assetsDir, data)

  const registry = new Map<
    string,
    { keys: Array<{ keyId: string; key: KeyObject }>; apiTokens: Set<string> }
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
  const registered = new Map<
    string,
    Array<{ keyId: string; key: KeyObject; container: string; environment: string }>
  >()
  const addKey = (container: string, environment: string, keyId: string, pem: string) => {
    const entry = scopeOf(container, environment)
    const key = parseCloudKitPublicKey(pem)
    entry.keys = [...entry.keys.filter((k) => k.keyId !== keyId), { keyId, key }]
    const list = (registered.get(container) ?? []).filter(
      (k) => !(k.keyId === keyId && k.environment === environment),
    )
    registered.set(container, [...list, { keyId, key, container, environment }])
  }
  for (const c of configured) {
    scopeOf(c.container, c.environment)
    for (const k of c.keys ?? []) addKey(c.container, c.environment, k.keyId, k.publicKeyPem!)
    for (const t of c.apiTokens ?? []) scopeOf(c.container, c.environment).apiTokens.add(t)
  }
  for (const k of data.keys) addKey(k.container, k.environment, k.keyId, k.publicKeyPem)

  const developer = users[0]!.userRecordName
  const webcourier = new Webcourier()
  const env: CloudKitEnv = {
    data,
    settings,
    users,
    developer,
    baseUrl: '',
    assets: { dir: assetsDir, maxBytes: options.maxAssetBytes ?? 50 * 1024 * 1024 },
    webcourier,
    webcourierHoldMs: options.webcourierHoldMs ?? 30_000,
    credentials: (scope) => registry.get(scope),
    knownScope: (scope) => registry.has(scope),
  }

  const diagnose = (request: EmulatorRequest, bodyKnown: boolean): CloudKitDiagnosis | undefined => {
    if (!isSigned(request)) return undefined
    const route = parseCloudKitPath(request.target)
    const registeredKeys: RegisteredKey[] = []
    for (const [container, keys] of registered) {
      if (route && container !== route.container) continue
      for (const k of keys)
        registeredKeys.push({ keyId: k.keyId, publicKeyPem: k.key, container, environment: k.environment })
    }
    return diagnoseCloudKitRequest({
      request,
      registeredKeys,
      now: request.receivedAt,
      windowSeconds: settings.dateWindowSeconds,
      search: 'quick',
      bodyKnown,
    })
  }

  const redactor = new Redactor()
  const server = await startEmulator(
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host ? { host: options.host } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    },
    {
      routes: cloudKitRoutes(env),
      faults,
      store,
      renderError: renderCloudKitError,
      counters: { throttled: (entry) => entry.status === 429 },
      renderFault(kind, retryAfterSeconds) {
        const code = kind === 'throttle' ? 'THROTTLED' : 'TRY_AGAIN_LATER'
        return reply(kind === 'throttle' ? 429 : 503, {
          json: errorBody(code, kind === 'throttle' ? 'Request throttled' : 'Try again later', {
            retryAfter: retryAfterSeconds,
          }),
        })
      },
      diagnose: (request, _error, bodyKnown) => diagnose(request, bodyKnown),
      defaultHeaders: (request) => ({ date: new Date(request.receivedAt).toUTCString() }),
      // A webcourier URL carries the push token, which is all it takes to read a user's notifications.
      redactTarget: (target) =>
        redactor.redactUrl(target).replace(/^\/webcourier\/[^/?]+/, '/webcourier/***'),
      async onClose() {
        webcourier.close()
        if (!options.stateDir) await rm(assetsDir, { recursive: true, force: true })
      },
    },
  )
  env.baseUrl = server.url

  const rejections: CloudKitRejection[] = []
  server.log.subscribe((entry) => {
    if (entry.status < 400 && entry.verdict !== 'fault') return
    rejections.push(rejectionOf(entry))
    if (rejections.length > 1000) rejections.splice(0, rejections.length - 1000)
  })

  return {
    url: server.url,
    port: server.port,
    certificate: server.certificate,
    faults,
    dev,
    rejections,
    log: server.log,
    stats: server.stats,
    async registerKey({ container, environment, keyId, publicKeyPem }) {
      addKey(container, environment, keyId, publicKeyPem)
      await store.write((tx) =>
        tx.put<StoredKey>('keys', JSON.stringify([container, environment, keyId]), {
          container,
          environment,
          keyId,
          publicKeyPem,
        }),
      )
    },
    registerApiToken({ container, environment, apiToken }) {
      scopeOf(container, environment).apiTokens.add(apiToken)
    },
    issueWebAuthToken(input = {}) {
      const container = input.container ?? dev?.container ?? configured[0]!.container
      const environment = input.environment ?? dev?.environment ?? configured[0]!.environment
      const user = input.userRecordName ?? developer
      if (!users.some((u) => u.userRecordName === user)) throw new Error(`Unknown user ${user}.`)
      const tx = store.transaction()
      const token = issueSession(tx, scopeKey(container, environment), user, faults.now())
      void tx.commit()
      return token
    },
    inspect: () => inspectCloudKitState(data),
    readAsset: (assetId) => readStoredAsset(data, assetsDir, assetId),
    close: () => {
      webcourier.close()
      return server.close()
    },
  }
}

function rejectionOf(entry: RequestLogEntry): CloudKitRejection {
  const faultCode = entry.status === 429 ? 'THROTTLED' : 'TRY_AGAIN_LATER'
  return {
    at: new Date(entry.at),
    method: entry.method,
    target: entry.target,
    status: entry.status,
    serverErrorCode: entry.code ?? (entry.verdict === 'fault' ? faultCode : 'UNKNOWN'),
    reason: entry.reason ?? entry.code ?? 'UNKNOWN',
    message: entry.message ?? '',
    ...(entry.token ? { token: entry.token } : {}),
    ...(entry.diagnosis ? { diagnosis: entry.diagnosis as CloudKitDiagnosis } : {}),
  }
}

/** Removes partial uploads and asset files no upload refers to (a crash between the file and its commit). */
async function removeOrphanAssets(dir: string, data: CloudKitData): Promise<void> {
  for (const name of await readdir(dir))
    if (!data.hasAsset(name)) await rm(join(dir, name), { force: true, recursive: true })
}
