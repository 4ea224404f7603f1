import { randomUUID } from 'node:crypto'
import { type HttpMethod, type OwnedBody, Transport, type TransportOptions } from '@sigwire/core'
import type { AccountInfo } from '../auth/account.js'
import type { AuthContext } from '../auth/context.js'
import { commonQuery, webHeaders } from '../auth/headers.js'
import { accountLogin, legacyLogin, logout, validateSession } from '../auth/setup.js'
import { srpSignIn } from '../auth/signin.js'
import { completeTwoFactor, type TwoFactorHandler } from '../auth/two-factor.js'
import { completeTwoStep } from '../auth/two-step.js'
import {
  CHINA_ENDPOINTS,
  GLOBAL_ENDPOINTS,
  type ICloudEndpoints,
  REAUTH_STATUSES,
  USER_AGENT,
  WEBAUTH_TOKEN_COOKIE,
} from '../constants.js'
import { ICloudError, isICloudError } from '../errors.js'
import { SessionCookies } from '../session/cookies.js'
import { HostPolicy } from '../session/host-policy.js'
import { SessionHttp, serviceErrorCode, throttledError } from '../session/http.js'
import { type ICloudRegion, newSessionState, normalizeAppleId, type SessionState } from '../session/state.js'
import { MemorySessionStore, type SessionStore } from '../session/store.js'
import type { ProofEncoding } from '../srp/tokens.js'
import { CalendarService } from './calendar.js'
import { ContactsService } from './contacts.js'
import { HeartbeatService } from './heartbeat.js'
import { KeyValueService } from './keyvalue.js'
import { PushService } from './push.js'
import type { ServiceCaller } from './service-caller.js'
import { StorageService } from './storage.js'

/** Options of {@link createICloudClient}. */
export interface ICloudClientOptions {
  /** The Apple ID (trimmed and lower-cased before use). */
  appleId: string
  /**
   * The account password (not an app-specific password). Kept in memory only, to sign in and to
   * re-authenticate after the session expires; never written to the session store.
   */
  password?: string
  /** Supplies a verification code when Apple asks for one. Without it, such a sign-in fails with `TWO_FACTOR_REQUIRED`. */
  twoFactor?: TwoFactorHandler
  /** Where the session is kept between runs. Default: in memory only. */
  store?: SessionStore
  /** `cn` for China mainland accounts (`icloud.com.cn`). Default `global`. */
  region?: ICloudRegion
  /** Overrides of the hosts (an emulator's `authUrl`, `setupUrl` and `url`). */
  endpoints?: Partial<ICloudEndpoints>
  /** Extra hosts that may receive cookies and tokens (`127.0.0.1` for a local emulator). */
  allowHosts?: readonly string[]
  /** Allow plain http to loopback (local emulators only). */
  allowInsecureLoopback?: boolean
  /** Allow the retired plaintext `POST {setup}/login` through `signIn({ legacy: true })`. Default false. */
  allowLegacyLogin?: boolean
  /** The user's IANA time zone for calendar calls. Default: this machine's. */
  timeZone?: string
  /** Locale for contacts and calendar (`en_US`). */
  locale?: string
  /** A transport to share, or options for the client's own one (TLS CA, proxy, timeouts). */
  transport?: Transport | TransportOptions
  /** How A, B and S enter the SRP proofs (tests of servers). Default: js-srp GSA (minimal bytes). */
  proofEncoding?: ProofEncoding
}

/** How a session was obtained. */
export interface LoginResult {
  /** `validate`: saved cookies were still good; `accountLogin`: saved session token; `signin`: SRP; `legacy-login`: plaintext. */
  readonly method: 'validate' | 'accountLogin' | 'signin' | 'legacy-login'
  /** Which second factor was completed in this login. */
  readonly secondFactor: 'none' | 'hsa2' | '2sa'
  /** The account. */
  readonly account: AccountInfo
}

/** Per-call options of sign-in methods. */
export interface LoginOptions {
  /** Password for this call (overrides the client's). */
  password?: string
  /** Code callback for this call (overrides the client's). */
  twoFactor?: TwoFactorHandler
  signal?: AbortSignal
}

/**
 * An iCloud.com session: SRP sign-in with two-factor and trust, a cookie session persisted by a
 * {@link SessionStore}, re-authentication on 421/450, and the account-page web services.
 */
export class ICloudClient {
  /** `storageUsageInfo`. */
  readonly storage: StorageService
  /** Contacts: `co/startup`, `co/mecard`. */
  readonly contacts: ContactsService
  /** Calendar: `ca/startup`, `ca/events`, `ca/alarmtriggers`. */
  readonly calendar: CalendarService
  /** Push tokens, topic state and the webcourier long poll. */
  readonly push: PushService
  /** Key-value `json/sync`. */
  readonly keyValue: KeyValueService
  /** `refreshWebAuth` keep-alive. */
  readonly heartbeat: HeartbeatService
  /** The transport (its `redactor` masks every password, token and cookie value this client saw). */
  readonly transport: Transport

  readonly #options: ICloudClientOptions
  readonly #store: SessionStore
  readonly #endpoints: ICloudEndpoints
  readonly #ownsTransport: boolean
  readonly #http: SessionHttp
  #state: SessionState
  #cookies: SessionCookies
  #loaded = false
  #account: AccountInfo | undefined
  #reauth: Promise<void> | undefined
  #closed = false

  constructor(options: ICloudClientOptions) {
    if (!options.appleId || typeof options.appleId !== 'string')
      throw new ICloudError({ code: 'INVALID_ARGUMENT', message: 'appleId is required.' })
    this.#options = options
    this.#store = options.store ?? new MemorySessionStore()
    const region = options.region ?? 'global'
    this.#endpoints = { ...(region === 'cn' ? CHINA_ENDPOINTS : GLOBAL_ENDPOINTS), ...options.endpoints }
    if (options.transport instanceof Transport) {
      this.transport = options.transport
      this.#ownsTransport = false
    } else {
      this.transport = new Transport({ userAgent: USER_AGENT, ...options.transport })
      this.#ownsTransport = true
    }
    this.transport.redactor.addSecret(options.password)
    this.#state = newSessionState(options.appleId, region)
    this.#cookies = new SessionCookies(this.transport.redactor)
    const policy = new HostPolicy({
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
      ...(options.allowInsecureLoopback ? { allowInsecureLoopback: true } : {}),
    })
    // The endpoints themselves must pass the policy: a wrong authUrl fails before any password is used.
    policy.check(this.#endpoints.authUrl, 'idmsa')
    policy.check(this.#endpoints.setupUrl, 'setup')
    this.#http = new SessionHttp(this.transport, policy, this.#cookies, () => this.#state)
    const caller = this.#caller()
    this.storage = new StorageService(caller)
    this.contacts = new ContactsService(caller)
    this.calendar = new CalendarService(caller)
    this.push = new PushService(caller)
    this.keyValue = new KeyValueService(caller)
    this.heartbeat = new HeartbeatService(caller)
  }

  /** The Apple ID as used on the wire. */
  get appleId(): string {
    return this.#state.appleId
  }

  /** The signed-in account, once {@link ICloudClient.login} (or resume/signIn) succeeded. */
  get account(): AccountInfo | undefined {
    return this.#account
  }

  /**
   * Gets a session the cheapest way (docs/protocols/icloud.md §6.4): validate the saved cookies, else
   * `accountLogin` with the saved session token, else a full SRP sign-in with the saved trust token
   * (two-factor only when Apple asks).
   */
  async login(options: LoginOptions = {}): Promise<LoginResult> {
    const resumed = await this.resume(options)
    if (resumed) return resumed
    return this.signIn(options)
  }

  /** Continues a saved session without the password; undefined when there is none or it expired. */
  async resume(options: { signal?: AbortSignal } = {}): Promise<LoginResult | undefined> {
    await this.#load()
    const ctx = this.#context(options.signal)
    if (await this.#cookies.hasWebAuthToken(this.#endpoints.setupUrl)) {
      const account = await validateSession(ctx)
      if (account) return this.#finish('validate', 'none', account)
    }
    if (this.#state.sessionToken) {
      try {
        const account = await accountLogin(ctx)
        if (!account.hsaChallengeRequired) return this.#finish('accountLogin', 'none', account)
      } catch (error) {
        if (!isICloudError(error, 'ACCOUNT_LOGIN_FAILED')) throw error
      }
    }
    return undefined
  }

  /** A full sign-in: SRP on idmsa, two-factor or two-step when asked, trust, `accountLogin`. */
  async signIn(options: LoginOptions & { legacy?: boolean } = {}): Promise<LoginResult> {
    return this.#signIn(options, true)
  }

  async #signIn(options: LoginOptions & { legacy?: boolean }, interactive: boolean): Promise<LoginResult> {
    await this.#load()
    const password = options.password ?? this.#options.password
    if (password === undefined || password === '')
      throw new ICloudError({
        code: 'REAUTH_REQUIRED',
        message: `No saved session for ${this.#state.appleId} can be resumed and no password was given; sign in with the password.`,
      })
    this.transport.redactor.addSecret(password)
    const ctx = this.#context(options.signal)
    const twoFactor = options.twoFactor ?? this.#options.twoFactor
    if (options.legacy) {
      if (!this.#options.allowLegacyLogin)
        throw new ICloudError({
          code: 'LEGACY_AUTH_DISABLED',
          message:
            'The plaintext legacy login is off; create the client with allowLegacyLogin: true to use it.',
        })
      return this.#finish('legacy-login', 'none', await legacyLogin(ctx, password))
    }
    const outcome = await srpSignIn(ctx, password, {
      ...(this.#options.proofEncoding ? { encoding: this.#options.proofEncoding } : {}),
    })
    let secondFactor: LoginResult['secondFactor'] = 'none'
    if (outcome.kind === 'two-factor') {
      // Re-authentication never asks for a code on its own (docs/protocols/icloud.md §6.4), and must not
      // even push one to the user's devices.
      if (!interactive)
        throw new ICloudError({
          code: 'REAUTH_REQUIRED',
          message:
            'The iCloud session expired and Apple asks for a new two-factor code; call login() interactively.',
        })
      await this.#save()
      await completeTwoFactor(ctx, twoFactor)
      secondFactor = 'hsa2'
    }
    let account = await accountLogin(ctx)
    if (account.hsaVersion === 1 && account.hsaChallengeRequired) {
      if (!interactive)
        throw new ICloudError({
          code: 'REAUTH_REQUIRED',
          message:
            'The iCloud session expired and Apple asks for a new two-step code; call login() interactively.',
        })
      await this.#save()
      await completeTwoStep(ctx, twoFactor)
      secondFactor = '2sa'
      account = await accountLogin(ctx)
    }
    return this.#finish('signin', secondFactor, account)
  }

  /** Logs out on the server (`trustBrowser: false` also forgets this client's trust) and forgets the saved session. */
  async logout(options: { trustBrowser?: boolean; allBrowsers?: boolean } = {}): Promise<void> {
    await this.#load()
    await logout(this.#context(), {
      trustBrowser: options.trustBrowser ?? true,
      allBrowsers: options.allBrowsers ?? false,
    })
    this.#account = undefined
    this.#cookies.clear()
    const keep = options.trustBrowser !== false ? this.#state.trustToken : undefined
    this.#state = {
      ...newSessionState(this.#state.appleId, this.#state.region),
      clientId: this.#state.clientId,
    }
    if (keep) this.#state.trustToken = keep
    this.#replaceCookies()
    await this.#save()
  }

  /** Stops heartbeats and closes the connections (not a transport passed in). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.heartbeat.stopAll()
    if (this.#ownsTransport) await this.transport.close()
  }

  #replaceCookies(): void {
    this.#cookies = new SessionCookies(this.transport.redactor)
    this.#http.cookies = this.#cookies
  }

  async #load(): Promise<void> {
    if (this.#loaded) return
    this.#loaded = true
    const saved = await this.#store.load(this.#state.appleId)
    if (!saved || normalizeAppleId(saved.appleId) !== this.#state.appleId) return
    this.#state = { ...saved, region: saved.region ?? this.#state.region }
    const redactor = this.transport.redactor
    for (const value of [
      saved.sessionToken,
      saved.trustToken,
      saved.scnt,
      saved.sessionId,
      saved.authAttributes,
    ])
      redactor.addSecret(value)
    if (saved.push) redactor.addSecret(saved.push.token)
    this.#cookies = new SessionCookies(redactor, saved.cookies)
    this.#http.cookies = this.#cookies
  }

  async #save(): Promise<void> {
    const { authUrl, setupUrl, homeUrl } = this.#endpoints
    this.#state.endpoints = { authUrl, setupUrl, homeUrl }
    this.#state.cookies = this.#cookies.serialize()
    this.#state.savedAt = new Date().toISOString()
    await this.#store.save(this.#state)
  }

  #context(signal?: AbortSignal): AuthContext {
    return {
      http: this.#http,
      state: this.#state,
      endpoints: this.#endpoints,
      oauthState: `auth-${randomUUID()}`,
      ...(signal ? { signal } : {}),
    }
  }

  async #finish(
    method: LoginResult['method'],
    secondFactor: LoginResult['secondFactor'],
    account: AccountInfo,
  ): Promise<LoginResult> {
    this.#account = account
    await this.#save()
    return { method, secondFactor, account }
  }

  async #reauthenticate(signal?: AbortSignal): Promise<void> {
    this.#reauth ??= (async () => {
      try {
        // The saved cookies just failed; try the session token, then SRP with the trust token.
        const ctx = this.#context(signal)
        if (this.#state.sessionToken) {
          try {
            const account = await accountLogin(ctx)
            if (!account.hsaChallengeRequired) {
              await this.#finish('accountLogin', 'none', account)
              return
            }
          } catch (error) {
            if (!isICloudError(error, 'ACCOUNT_LOGIN_FAILED')) throw error
          }
        }
        if (!this.#options.password)
          throw new ICloudError({
            code: 'REAUTH_REQUIRED',
            message:
              'The iCloud session expired and no password is held to sign in again; call login() with the password.',
          })
        await this.#signIn(signal ? { signal } : {}, false)
      } finally {
        this.#reauth = undefined
      }
    })()
    return this.#reauth
  }

  #caller(): ServiceCaller {
    const self = this
    return {
      get timeZone() {
        return self.#options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'
      },
      get locale() {
        return self.#options.locale ?? 'en_US'
      },
      call: (service, method, path, options = {}) => this.#callService(service, method, path, options, false),
      poll: async (url, query, options) => {
        const response = await this.#http.call({
          method: 'GET',
          url,
          purpose: 'webcourier',
          query,
          cookies: false,
          timeoutMs: options.timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        })
        return { status: response.status, body: response.json() }
      },
      rememberPush: async (push) => {
        this.transport.redactor.addSecret(push.token)
        this.#state.push = push
        await this.#save()
      },
    }
  }

  async #callService<T>(
    service: string,
    method: HttpMethod,
    path: string,
    options: {
      query?: Record<string, string | undefined>
      body?: OwnedBody
      contentType?: string
      signal?: AbortSignal
    },
    retried: boolean,
  ): Promise<T> {
    if (this.#closed)
      throw new ICloudError({ code: 'ABORTED', message: 'This client was closed; create a new one.' })
    if (!this.#account)
      throw new ICloudError({
        code: 'NOT_SIGNED_IN',
        message: 'Call login() (or resume()) before using the web services.',
      })
    let base: string
    if (service === 'setup') base = this.#endpoints.setupUrl
    else {
      const entry = this.#state.webservices?.[service]
      if (!entry)
        throw new ICloudError({
          code: 'SERVICE_NOT_AVAILABLE',
          message: `The account document lists no "${service}" web service for this account.`,
        })
      base = entry.url
    }
    const response = await this.#http.call({
      method,
      url: `${base.replace(/\/+$/, '')}${path}`,
      purpose: service,
      query: { ...options.query, ...commonQuery(this.#state) },
      headers: webHeaders(this.#endpoints, options.contentType),
      ...(options.body ? { body: options.body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (response.headers['set-cookie'] !== undefined) await this.#save()
    if (REAUTH_STATUSES.has(response.status) || response.status === 401) {
      if (retried)
        throw new ICloudError({
          code: 'REAUTH_REQUIRED',
          status: response.status,
          message: `${service} still answers ${response.status} after signing in again; the session cannot be restored automatically. Call login() interactively.`,
        })
      await this.#reauthenticate(options.signal)
      return this.#callService(service, method, path, options, true)
    }
    if (response.status === 503 || response.status === 429) throw throttledError(response, service)
    if (response.status >= 400) {
      const serviceCode = serviceErrorCode(response.json())
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        status: response.status,
        ...(serviceCode === undefined ? {} : { serviceCode }),
        message: `${service} ${path} failed with HTTP ${response.status}${serviceCode ? ` (${serviceCode})` : ''}.`,
      })
    }
    return response.json<T>() as T
  }
}

/** Creates an {@link ICloudClient}. Nothing is sent until `login()`. */
export function createICloudClient(options: ICloudClientOptions): ICloudClient {
  return new ICloudClient(options)
}

/** The name of the session cookie (for tests and diagnostics). */
export const SESSION_COOKIE_NAME = WEBAUTH_TOKEN_COOKIE
