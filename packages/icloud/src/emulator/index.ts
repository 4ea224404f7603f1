import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DurableStore,
  type EmulatorStats,
  FaultController,
  type FaultOptions,
  type RequestLog,
  type ServerOptions,
  startEmulator,
} from '@sigwire/emulator-kit'
import { CLOUDKIT_TABLES } from '@sigwire/emulator-kit/cloudkit'
import { diagnoseICloudRequest, type ICloudSignInEvidence } from '../doctor/diagnose.js'
import type { ICloudFinding } from '../doctor/findings.js'
import { normalizeAppleId } from '../session/state.js'
import { type ICloudAccountConfig, ICloudAccounts } from './accounts.js'
import { expireSessionsAdmin, ICLOUD_COUNTERS } from './admin.js'
import { BridgeDevices } from './bridge/device.js'
import { BridgePushHub } from './bridge/push-hub.js'
import { bridgeCodeAdmin } from './bridge/steps.js'
import { type ICloudContext, type ICloudSettings, iCloudData, type RequestRecord } from './context.js'
import {
  type DriveControls,
  DriveEmulator,
  type DriveEmulatorOptions,
  newUrlKey,
} from './drive/drive-emulator.js'
import { removeOrphanBlobs, seedDrives } from './drive/seed.js'
import { renderICloudError, requestJson } from './http-util.js'
import { widgetKeyDiagnosis } from './idmsa.js'
import { accountOptionsAdmin } from './inspect/account-options.js'
import { createICloudInspector, type ICloudInspector } from './inspect/index.js'
import { sessionsAdmin } from './inspect/sessions.js'
import { createNotes } from './notes/control.js'
import { createPhotos, PHOTOS_TABLES, type PhotosControl, type PhotosOptions } from './photos/control.js'
import { remindersRoutes } from './reminders/cloudkit-routes.js'
import { iCloudRoutes } from './routes.js'
import { createSharedStreams, SHARED_ALBUMS_TABLE } from './sharedstreams/control.js'
import { ICLOUD_TABLES } from './state.js'
import { isTelemetryHost, tripped } from './telemetry.js'

export type { ICloudAccountConfig } from './accounts.js'
export { ICloudAccounts } from './accounts.js'
export type { ICloudSettings, RequestRecord } from './context.js'
export type { DriveControls, DriveEmulatorOptions } from './drive/drive-emulator.js'
export type { AppLibrary } from './drive/drive-state.js'
export {
  ICLOUD_TWO_FACTOR_ROUTES,
  type ICloudAccountOptions,
  type ICloudInspector,
  type ICloudTwoFactorRoute,
  type InspectedAlbum,
  type InspectedDevice,
  type InspectedDriveFolder,
  type InspectedDriveItem,
  type InspectedFile,
  type InspectedPhoto,
  type InspectedPhotoLibrary,
  type InspectedSession,
} from './inspect/index.js'
export type { EmulatedPhoto, PhotosControl, PhotosOptions, SeedResult } from './photos/control.js'
export {
  createSoftwareAuthenticator,
  type SoftwareAuthenticator,
  type SoftwareAuthenticatorOptions,
} from './software-authenticator.js'
export type { EmulatedAccount, EmulatedSecurityKey } from './state.js'

/** Options of {@link startICloudEmulator}: the `sigwire emulate --config` shape plus server and test settings. */
export interface ICloudEmulatorOptions extends ServerOptions, Partial<ICloudSettings>, PhotosOptions {
  /** Accounts to create (their passwords become verifiers). Without any, a development account is made. */
  accounts?: ICloudAccountConfig[]
  /**
   * Directory where accounts, sessions and tokens persist across restarts, even kill -9 (a write is
   * answered only once it is on disk; files mode 0600).
   */
  stateDir?: string
  /** Fault injection (503 throttling with `Retry-After`, latency, dropped connections). */
  faults?: FaultOptions
  /** The emulator's clock in epoch ms (cookie, session and trust expiry). Default `Date.now` plus the fault clock offset. */
  now?: () => number
  /** iCloud Drive: a seed directory, the quota, Advanced Data Protection accounts. */
  drive?: DriveEmulatorOptions
}

/** The development account created when no account is configured. */
export interface ICloudDevAccount {
  /** The development account's Apple ID, to pass to the client. */
  readonly appleId: string
  /** Stable for a given state directory (derived from a seed kept there); random without one. */
  readonly password: string
  /** The fixed two-factor code of the development account. */
  readonly twoFactorCode: string
}

/** A running iCloud emulator. */
export interface ICloudEmulator {
  /** Base URL of the one loopback server (idmsa, setup and the service hosts live under path prefixes). */
  readonly url: string
  /** `{url}/appleauth/auth` (on `idmsa.<hostName>` with a host name): give it to the client as `endpoints.authUrl`. */
  readonly authUrl: string
  /** `{url}/setup/ws/1` (on `setup.<hostName>` with a host name): `endpoints.setupUrl`. */
  readonly setupUrl: string
  /** `{url}/cn/setup/ws/1`: the China mainland setup host. */
  readonly cnSetupUrl: string
  /** PEM of the certificate when serving TLS. */
  readonly certificate: string | undefined
  /** Accounts, codes, session expiry and push notifications. */
  readonly accounts: ICloudAccounts
  /** iCloud Drive: the quota (live) and each account's bytes. */
  readonly drive: DriveControls
  /** Fault injection, live. */
  readonly faults: FaultController
  /** The development account, when no account was configured. */
  readonly dev: ICloudDevAccount | undefined
  /** Requests that reached the telemetry tripwire (`feedbackws`); a correct client leaves it empty. */
  readonly tripwire: ReadonlyArray<{
    /** HTTP method of the telemetry request. */
    method: string
    /** Its URL path. */
    path: string
    /** Its `Host` header (`feedbackws.icloud.com`...), when it had one. */
    host: string | undefined
  }>
  /** The last 500 requests (method, path, header names, whether cookies were sent). */
  readonly requests: readonly RequestRecord[]
  /** Every request with its verdict and, for a refused sign-in, the doctor's findings (also at `GET /_emulator/requests`). */
  readonly log: RequestLog
  /** Requests by route and status, and `signIns` (SRP proofs accepted by `signin/complete`), `accountLogins` and `validates` (answered 200) (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
  /** The Photos libraries behind `ckdatabasews` (seeding, changes, indexing state, ADP). */
  readonly photos: PhotosControl
  /**
   * What the server saw of the account's last `signin/complete` (A, b, B, M1, c, account names,
   * salt, verifier), ready for `diagnoseICloudRequest` from @sigwire/icloud. Kept in memory only.
   */
  signInEvidence(appleId: string): ICloudSignInEvidence | undefined
  /**
   * The code the emulated trusted device shows for the bridge sign-in of `appleId` (an account with
   * `twoFactor: 'bridge'`), once a sign-in started it; also at `GET /_emulator/icloud/bridge-code?appleId=`.
   */
  bridgeCode(appleId: string): string | undefined
  /** The state as a state browser shows it (Drive, Photos, Find My, sessions) and the account options. */
  readonly inspect: ICloudInspector
  /** Stops the server and flushes the state. */
  close(): Promise<void>
}

const DEFAULTS: ICloudSettings = {
  profile: 'default',
  headerProfile: '2026',
  legacyAuth: false,
  codeAnswer: 'apple',
  sessionLifetimeMs: 30 * 60_000,
  sessionTokenLifetimeMs: 30 * 86_400_000,
  trustLifetimeMs: 60 * 86_400_000,
  longPollHoldMs: 20_000,
  forceLeadingZeroB: false,
  tamperWebservices: {},
  hostName: undefined,
  pcsApproval: 'auto',
  pcsApprovalDelayMs: 1000,
  pcsCookieAttempts: 1,
  bridgeLifetimeMs: 10 * 60_000,
  bridgeDeviceDelayMs: 0,
}

/**
 * Starts an iCloud.com emulator on loopback: an SRP server on idmsa paths (verifier stored, padded and
 * unpadded M1 accepted and recorded), two-factor and two-step codes readable by tests, trust tokens,
 * `accountLogin`/`validate`/`logout` with expiring session cookies (421 after expiry), the account-page
 * services, the webcourier long poll, 503 throttling on demand and a `feedbackws` tripwire.
 */
export async function startICloudEmulator(options: ICloudEmulatorOptions = {}): Promise<ICloudEmulator> {
  const faults = new FaultController(options.faults, options.now)
  const now = () => faults.now()
  const tables = [
    ...new Set<string>([...ICLOUD_TABLES, ...CLOUDKIT_TABLES, ...PHOTOS_TABLES, SHARED_ALBUMS_TABLE]),
  ]
  const store = await DurableStore.open({ dir: options.stateDir, name: 'icloud', tables })
  const settings: ICloudSettings = { ...DEFAULTS }
  for (const key of Object.keys(DEFAULTS) as Array<keyof ICloudSettings>)
    if (options[key] !== undefined) (settings as unknown as Record<string, unknown>)[key] = options[key]
  // File bytes live beside the state (or in a temporary directory without one).
  const blobDir = options.stateDir
    ? join(options.stateDir, 'drive-blobs')
    : await mkdtemp(join(tmpdir(), 'sigwire-icloud-drive-'))
  await mkdir(blobDir, { recursive: true, mode: 0o700 })
  let urlKey = store.table<string>('meta').get('driveUrlKey')
  if (urlKey === undefined) {
    urlKey = newUrlKey()
    await store.write((tx) => tx.put('meta', 'driveUrlKey', urlKey))
  }
  const drive = new DriveEmulator(store, blobDir, options.drive ?? {}, Buffer.from(urlKey, 'base64'))
  const accounts = new ICloudAccounts(store, now, (appleId, notification) => {
    const waiters = ctx.waiters.get(appleId)
    if (waiters && waiters.size > 0) for (const deliver of [...waiters]) deliver([notification])
    else ctx.queued.set(appleId, [...(ctx.queued.get(appleId) ?? []), notification])
  })
  if (settings.hostName !== undefined && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(settings.hostName))
    throw new TypeError(
      `hostName must be a domain such as sigwire.test (got ${JSON.stringify(String(settings.hostName).slice(0, 80))}).`,
    )
  const ctx: Omit<ICloudContext, 'tx' | 'cookieDomain'> = {
    data: iCloudData(store),
    settings,
    now,
    origin: '',
    secure: Boolean(options.tls),
    tripwire: [],
    requests: [],
    waiters: new Map(),
    evidence: new Map(),
    queued: new Map(),
    accounts,
    drive,
    bridge: new BridgeDevices(new BridgePushHub(now)),
  }

  // `drive.adpAccounts` is the older spelling of an account's `advancedDataProtection`: one PCS flow serves both.
  const adpIds = new Set((options.drive?.adpAccounts ?? []).map((id) => normalizeAppleId(id)))
  for (const config of options.accounts ?? [])
    accounts.add(
      adpIds.has(normalizeAppleId(config.appleId)) ? { ...config, advancedDataProtection: true } : config,
    )
  let dev: ICloudDevAccount | undefined
  if ((options.accounts ?? []).length === 0) {
    const seed = (ctx.data.meta.get('devSeed') as string | undefined) ?? randomBytes(16).toString('hex')
    await store.write((tx) => tx.put('meta', 'devSeed', seed))
    const password = `dev-${createHash('sha256').update(`${seed}:password`).digest('base64url').slice(0, 16)}`
    dev = { appleId: 'dev@sigwire.test', password, twoFactorCode: '123456' }
    // The account (salt, verifier) is remade from the seed, so the same stateDir keeps the same login.
    const salt = createHash('sha256').update(`${seed}:salt`).digest().subarray(0, 16).toString('base64')
    if (!accounts.get(dev.appleId))
      accounts.add({
        appleId: dev.appleId,
        password,
        twoFactor: true,
        fixedCode: dev.twoFactorCode,
        salt,
        firstName: 'Dev',
        lastName: 'Account',
        ...(adpIds.has(dev.appleId) ? { advancedDataProtection: true } : {}),
      })
  }
  await accounts.written
  await removeOrphanBlobs(drive)
  await seedDrives(drive, store, accounts.list(), options.drive?.seedDir, now())
  // Shared albums are seeded with the library, from the same directory (its shared-albums/ folder,
  // docs/protocols/icloud.md §22.4); their download URLs are the Photos content route's.
  const sharedStreams = createSharedStreams(store, ctx, {
    downloadUrl: (assetId) => photos.downloadUrl(assetId),
  })
  const photos = createPhotos(store, ctx, {
    ...(options.photosDir === undefined ? {} : { photosDir: options.photosDir }),
    ...(options.photosAccount === undefined ? {} : { photosAccount: options.photosAccount }),
    ...(options.photosRenditions === undefined ? {} : { photosRenditions: options.photosRenditions }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    defaultAccount: () => dev?.appleId ?? options.accounts?.[0]?.appleId,
    seedSharedAlbums: sharedStreams.seed,
  })
  await photos.start()
  const notes = createNotes(store, photos.data, ctx)

  const server = await startEmulator(
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host ? { host: options.host } : {}),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    },
    {
      routes: iCloudRoutes(ctx, (service) => [
        ...notes.routes(service),
        ...remindersRoutes(store, ctx, photos.data, service),
        ...photos.routes(service),
        ...sharedStreams.routes(service),
      ]),
      faults,
      store,
      counters: ICLOUD_COUNTERS,
      adminEndpoints: {
        'POST expire-sessions': expireSessionsAdmin(accounts),
        'GET icloud/account-options': accountOptionsAdmin(store, ctx.data),
        'POST icloud/account-options': accountOptionsAdmin(store, ctx.data),
        'GET icloud/sessions': sessionsAdmin(store, ctx.data, now),
        'POST icloud/sessions': sessionsAdmin(store, ctx.data, now),
      },
      renderError: (error, request) => {
        // Any request for the telemetry host trips the wire, whatever its path.
        if ((error.code === 'NOT_FOUND' || error.code === 'METHOD_NOT_ALLOWED') && isTelemetryHost(request))
          return tripped(ctx, request)
        return renderICloudError(error)
      },
      renderFault: (_kind, retryAfterSeconds) => {
        // Apple throttles with an nginx-style 503 HTML page (docs/protocols/icloud.md §7).
        const html =
          '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>'
        return {
          status: 503,
          body: { text: html, type: 'text/html' },
          headers: { 'retry-after': String(retryAfterSeconds) },
        }
      },
      diagnose: (request, error) => {
        const findings = error.details.findings as ICloudFinding[] | undefined
        if (findings?.length) return { ok: false, findings }
        if (error.code === '-20600') return widgetKeyDiagnosis(request)
        if (error.code !== '-20101' || !request.url.pathname.endsWith('/signin/complete')) return undefined
        const name = requestJson<{ accountName?: unknown }>(request)?.accountName
        const evidence = typeof name === 'string' ? ctx.evidence.get(normalizeAppleId(name)) : undefined
        return evidence ? diagnoseICloudRequest(evidence) : undefined
      },
      // The bridge's push websocket shares the emulator's port (and its TLS).
      onUpgrade: (req, socket, head) => ctx.bridge.hub.upgrade(req, socket, head),
      admin: (request) =>
        request.url.pathname === '/_emulator/icloud/bridge-code' && request.method === 'GET'
          ? bridgeCodeAdmin(ctx, request)
          : undefined,
      onClose: async () => ctx.bridge.hub.close(),
      // The webcourier `tok` is a push token, a credential of the session.
      redactTarget: (target) => target.replace(/([?&]tok=)[^&]*/g, '$1***'),
      onRequest: (request) => {
        ctx.requests.push({
          method: request.method,
          path: request.url.pathname,
          headerNames: Object.keys(request.headers),
          origin: typeof request.headers.origin === 'string' ? request.headers.origin : undefined,
          cookie: request.headers.cookie !== undefined,
        })
        if (ctx.requests.length > 500) ctx.requests.splice(0, ctx.requests.length - 500)
      },
    },
  )
  // With a host name, the URLs handed out use names the user maps to loopback (docs/protocols/icloud.md §12).
  const named = (prefix: string) => {
    if (!settings.hostName) return server.url
    const url = new URL(server.url)
    url.hostname = `${prefix}.${settings.hostName}`
    return url.origin
  }
  ctx.origin = named('setup')
  const idmsaHost = new URL(named('idmsa')).host
  ctx.bridge.socketUrl = options.tls ? idmsaHost : `ws://${idmsaHost}`
  return {
    url: server.url,
    authUrl: `${named('idmsa')}/appleauth/auth`,
    setupUrl: `${named('setup')}/setup/ws/1`,
    cnSetupUrl: `${named('setup')}/cn/setup/ws/1`,
    certificate: server.certificate,
    accounts,
    drive,
    faults,
    dev,
    tripwire: ctx.tripwire,
    requests: ctx.requests,
    log: server.log,
    stats: server.stats,
    photos: photos.control,
    inspect: createICloudInspector(store, ctx, photos.library),
    signInEvidence: (appleId) => ctx.evidence.get(normalizeAppleId(appleId)),
    bridgeCode: (appleId) => ctx.bridge.view(normalizeAppleId(appleId), now())?.code,
    close: async () => {
      for (const waiters of ctx.waiters.values()) for (const deliver of [...waiters]) deliver([])
      await server.close()
      if (!options.stateDir) await rm(blobDir, { recursive: true, force: true })
      await photos.close()
    },
  }
}
