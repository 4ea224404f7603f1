import { createHash, randomBytes } from 'node:crypto'
import {
  DurableStore,
  type EmulatorRequest,
  type EmulatorStats,
  FaultController,
  type FaultOptions,
  type RequestLog,
  type ServerOptions,
  startEmulator,
} from '@sigwire/emulator-kit'
import { diagnoseICloudRequest, type ICloudSignInEvidence } from '../doctor/diagnose.js'
import { normalizeAppleId } from '../session/state.js'
import { type ICloudAccountConfig, ICloudAccounts } from './accounts.js'
import { expireSessionsAdmin, ICLOUD_COUNTERS } from './admin.js'
import { type ICloudContext, type ICloudSettings, iCloudData, type RequestRecord } from './context.js'
import { answer, renderICloudError, requestJson } from './http-util.js'
import { iCloudRoutes } from './routes.js'
import { ICLOUD_TABLES } from './state.js'
import { isTelemetryHost, tripped } from './telemetry.js'

export type { ICloudAccountConfig } from './accounts.js'
export { ICloudAccounts } from './accounts.js'
export type { ICloudSettings, RequestRecord } from './context.js'
export type { EmulatedAccount } from './state.js'

/** Options of {@link startICloudEmulator}: the `sigwire emulate --config` shape plus server and test settings. */
export interface ICloudEmulatorOptions extends ServerOptions, Partial<ICloudSettings> {
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
}

/** The development account created when no account is configured. */
export interface ICloudDevAccount {
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
  /** `{url}/appleauth/auth`: give it to the client as `endpoints.authUrl`. */
  readonly authUrl: string
  /** `{url}/setup/ws/1`: `endpoints.setupUrl`. */
  readonly setupUrl: string
  /** `{url}/cn/setup/ws/1`: the China mainland setup host. */
  readonly cnSetupUrl: string
  /** PEM of the certificate when serving TLS. */
  readonly certificate: string | undefined
  /** Accounts, codes, session expiry and push notifications. */
  readonly accounts: ICloudAccounts
  /** Fault injection, live. */
  readonly faults: FaultController
  /** The development account, when no account was configured. */
  readonly dev: ICloudDevAccount | undefined
  /** Requests that reached the telemetry tripwire (`feedbackws`); a correct client leaves it empty. */
  readonly tripwire: ReadonlyArray<{ method: string; path: string; host: string | undefined }>
  /** The last 500 requests (method, path, header names, whether cookies were sent). */
  readonly requests: readonly RequestRecord[]
  /** Every request with its verdict and, for a refused sign-in, the doctor's findings (also at `GET /_emulator/requests`). */
  readonly log: RequestLog
  /** Requests by route and status, and `signIns` (SRP proofs accepted by `signin/complete`), `accountLogins` and `validates` (answered 200) (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
  /**
   * What the server saw of the account's last `signin/complete` (A, b, B, M1, c, account names,
   * salt, verifier), ready for `diagnoseICloudRequest` from @sigwire/icloud. Kept in memory only.
   */
  signInEvidence(appleId: string): ICloudSignInEvidence | undefined
  /** Stops the server and flushes the state. */
  close(): Promise<void>
}

const DEFAULTS: ICloudSettings = {
  headerProfile: '2026',
  legacyAuth: false,
  codeAnswer: 204,
  sessionLifetimeMs: 30 * 60_000,
  sessionTokenLifetimeMs: 30 * 86_400_000,
  trustLifetimeMs: 60 * 86_400_000,
  longPollHoldMs: 20_000,
  forceLeadingZeroB: false,
  tamperWebservices: {},
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
  const store = await DurableStore.open({ dir: options.stateDir, name: 'icloud', tables: ICLOUD_TABLES })
  const settings: ICloudSettings = { ...DEFAULTS }
  for (const key of Object.keys(DEFAULTS) as Array<keyof ICloudSettings>)
    if (options[key] !== undefined) (settings as unknown as Record<string, unknown>)[key] = options[key]
  const accounts = new ICloudAccounts(store, now, (appleId, notification) => {
    const waiters = ctx.waiters.get(appleId)
    if (waiters && waiters.size > 0) for (const deliver of [...waiters]) deliver([notification])
    else ctx.queued.set(appleId, [...(ctx.queued.get(appleId) ?? []), notification])
  })
  const ctx: Omit<ICloudContext, 'tx'> = {
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
  }

  for (const config of options.accounts ?? []) accounts.add(config)
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
      })
  }
  await accounts.written

  const server = await startEmulator(
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host ? { host: options.host } : {}),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    },
    {
      routes: iCloudRoutes(ctx),
      faults,
      store,
      counters: ICLOUD_COUNTERS,
      admin: { 'POST expire-sessions': expireSessionsAdmin(accounts) },
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
        if (error.code !== '-20101' || !request.url.pathname.endsWith('/signin/complete')) return undefined
        const name = requestJson<{ accountName?: unknown }>(request)?.accountName
        const evidence = typeof name === 'string' ? ctx.evidence.get(normalizeAppleId(name)) : undefined
        return evidence ? diagnoseICloudRequest(evidence) : undefined
      },
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
  ctx.origin = server.url
  return {
    url: server.url,
    authUrl: `${server.url}/appleauth/auth`,
    setupUrl: `${server.url}/setup/ws/1`,
    cnSetupUrl: `${server.url}/cn/setup/ws/1`,
    certificate: server.certificate,
    accounts,
    faults,
    dev,
    tripwire: ctx.tripwire,
    requests: ctx.requests,
    log: server.log,
    stats: server.stats,
    signInEvidence: (appleId) => ctx.evidence.get(normalizeAppleId(appleId)),
    close: async () => {
      for (const waiters of ctx.waiters.values()) for (const deliver of [...waiters]) deliver([])
      await server.close()
    },
  }
}
