import { randomUUID } from 'node:crypto'
import {
  type CallOptions,
  callSignal,
  type HttpMethod,
  isSigwireError,
  type Lease,
  type TlsOptions,
  Transport,
  type TransportOptions,
} from '@sigwire/core'
import type { AccountInfo } from '../auth/account.js'
import { loadAuthorizePage } from '../auth/authorize-page.js'
import type { AuthContext } from '../auth/context.js'
import { commonQuery, webHeaders } from '../auth/headers.js'
import { SessionRenewal } from '../auth/renew-on-expiry.js'
import type { SecurityKeyHandler } from '../auth/security-key.js'
import { accountLogin, legacyLogin, logout, validateSession } from '../auth/setup.js'
import { srpSignIn } from '../auth/signin.js'
import {
  BRIDGE_TIMEOUT_MS,
  completeTwoFactor,
  type TwoFactorHandler,
  type TwoFactorMethod,
} from '../auth/two-factor.js'
import { completeTwoStep } from '../auth/two-step.js'
import {
  approveWebAccess,
  pcsAppFor,
  requestPcsCookies,
  type WebAccessApprovalHandler,
  type WebAccessTiming,
  webAccessState,
} from '../auth/web-access.js'
import { CHINA_ENDPOINTS, GLOBAL_ENDPOINTS, type ICloudEndpoints, USER_AGENT } from '../constants.js'
import { ICloudError, isICloudError, toICloudError } from '../errors.js'
import { cookieOrigins } from '../session/cookie-origins.js'
import { SessionCookies } from '../session/cookies.js'
import { HostPolicy } from '../session/host-policy.js'
import {
  type SessionCall,
  SessionHttp,
  type SessionResponse,
  serviceErrorCode,
  throttledError,
} from '../session/http.js'
import { type ICloudRegion, newSessionState, normalizeAppleId, type SessionState } from '../session/state.js'
import { createMemorySessionStore, type SessionStore } from '../session/store.js'
import type { ProofEncoding } from '../srp/tokens.js'
import { type AccountApi, AccountService } from './account/account.js'
import { type CalendarApi, CalendarService } from './calendar.js'
import { type ContactsApi, ContactsService } from './contacts.js'
import { DriveService } from './drive/drive-service.js'
import type { DriveApi } from './drive/types.js'
import { type FindMyApi, FindMyService } from './findmy/findmy.js'
import { type HeartbeatApi, HeartbeatService } from './heartbeat.js'
import { type HmeApi, HmeService } from './hme/hme.js'
import { type KeyValueApi, KeyValueService } from './keyvalue.js'
import { type NotesApi, NotesService } from './notes/notes.js'
import { type PhotosApi, PhotosService } from './photos/photos.js'
import { type PushApi, PushService } from './push.js'
import { RemindersService } from './reminders/reminders.js'
import type { RemindersApi } from './reminders/types.js'
import type { ContentCall, ServiceCaller, ServiceCallOptions } from './service-caller.js'
import { type StorageApi, StorageService } from './storage.js'
import type { WebAccessApi } from './web-access-api.js'

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
  /**
   * Where the first code goes: `device` (a push to the trusted devices), `sms`, `voice`, or `generated`
   * (nothing is sent; the user makes a code on a device). Default: where Apple's page starts.
   */
  twoFactorMethod?: TwoFactorMethod
  /**
   * Signs the WebAuthn challenge of an account protected by security keys (FIDO2). Without it, such a
   * sign-in fails with `SECURITY_KEY_REQUIRED`.
   */
  onSecurityKey?: SecurityKeyHandler
  /**
   * Told when an Advanced Data Protection account must approve web access on a trusted device; the
   * client asks for the approval at sign-in and waits for it (see `webAccessTiming`). Without it, the
   * services that need the PCS cookies fail with `WEB_ACCESS_REQUIRED`.
   */
  onWebAccessApproval?: WebAccessApprovalHandler
  /** How long to wait for a web-access approval and the PCS cookies, and how often to ask. */
  webAccessTiming?: WebAccessTiming
  /**
   * Where the session is kept between runs (`createFileSessionStore(path)`). Default: in memory only.
   * A saved session of another Apple ID is ignored.
   */
  store?: SessionStore
  /** `cn` for China mainland accounts (`icloud.com.cn`). Default `global`. */
  region?: ICloudRegion
  /** Overrides of the hosts (an emulator's `authUrl`, `setupUrl` and `url`). */
  endpoints?: Partial<ICloudEndpoints>
  /**
   * Extra hosts that may receive cookies and tokens: `host:port` for that one port, or a bare `host`
   * (`127.0.0.1` for a local emulator) for the default port and the ports of `endpoints` on that host.
   * Cookies go only to the exact origins of the endpoints and of the services the account document
   * names, never to another port of the same host.
   */
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
  /** The trusted-device bridge's push websocket (docs/protocols/icloud.md §17). */
  bridge?: BridgeOptions
  /** How A, B and S enter the SRP proofs (tests of servers). Default: js-srp GSA (minimal bytes). */
  proofEncoding?: ProofEncoding
  /** Aborts every call of the client, sign-in included (each call may also take its own `signal`). */
  signal?: AbortSignal
}

/** Settings of the trusted-device bridge's push websocket. */
export interface BridgeOptions {
  /** Longest wait for each answer of the push websocket (not for the user typing the code), ms. Default 30 000. */
  timeoutMs?: number
  /**
   * TLS of the push websocket (it does not go through the transport). Default: the `tls` of
   * `transport` when it is given as options.
   */
  tls?: TlsOptions
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
export interface LoginOptions extends CallOptions {
  /** Password for this call (overrides the client's). */
  password?: string
  /** Code callback for this call (overrides the client's). */
  twoFactor?: TwoFactorHandler
  /** Where the first code goes, for this call (overrides the client's). */
  twoFactorMethod?: TwoFactorMethod
  /** Security-key callback for this call (overrides the client's). */
  onSecurityKey?: SecurityKeyHandler
  /** Web-access approval callback for this call (overrides the client's). */
  onWebAccessApproval?: WebAccessApprovalHandler
}

/**
 * An iCloud.com session: SRP sign-in with two-factor and trust, a cookie session persisted by a
 * {@link SessionStore}, re-authentication on 421/450, and the account-page web services. Every error
 * it raises, transport errors included, is an `ICloudError`.
 */
export interface ICloudClient {
  /** `storageUsageInfo`. */
  readonly storage: StorageApi
  /** Contacts: `co/startup`, `co/mecard`. */
  readonly contacts: ContactsApi
  /** Calendar: `ca/startup`, `ca/events`, `ca/alarmtriggers`. */
  readonly calendar: CalendarApi
  /** The account page: signed-in devices and the family (docs/protocols/icloud.md §18.4). */
  readonly accountPage: AccountApi
  /** Find My: devices, locations, sound, message, lost mode, erase (docs/protocols/icloud.md §18.1). */
  readonly findMy: FindMyApi
  /** Hide My Email addresses (docs/protocols/icloud.md §18.2). */
  readonly hme: HmeApi
  /** Reminders lists and reminders (docs/protocols/icloud.md §18.3). */
  readonly reminders: RemindersApi
  /** Push tokens, topic state and the webcourier long poll. */
  readonly push: PushApi
  /** Key-value `json/sync`. */
  readonly keyValue: KeyValueApi
  /** `refreshWebAuth` keep-alive. */
  readonly heartbeat: HeartbeatApi
  /** Advanced Data Protection: web access approval and the PCS cookies. */
  readonly webAccess: WebAccessApi
  /** iCloud Drive: browse, download, upload and manage files (`drivews` and `docws`). */
  readonly drive: DriveApi
  /** iCloud Photos: libraries, albums, assets, changes, downloads, edits and uploads (`ckdatabasews`). */
  readonly photos: PhotosApi
  /** iCloud Notes, read only: folders, notes, bodies as text, HTML or Markdown, folder export (docs/protocols/icloud.md §19). */
  readonly notes: NotesApi
  /** The transport (its `redactor` masks every password, token and cookie value this client saw). */
  readonly transport: Transport
  /** The Apple ID as used on the wire. */
  readonly appleId: string
  /** The signed-in account, once {@link ICloudClient.login} (or resume/signIn) succeeded. */
  readonly account: AccountInfo | undefined
  /**
   * Gets a session the cheapest way (docs/protocols/icloud.md §6.4): validate the saved cookies, else
   * `accountLogin` with the saved session token, else a full SRP sign-in with the saved trust token
   * (two-factor only when Apple asks).
   */
  login(options?: LoginOptions): Promise<LoginResult>
  /** Continues a saved session without the password; undefined when there is none or it expired. */
  resume(options?: CallOptions): Promise<LoginResult | undefined>
  /** A full sign-in: SRP on idmsa, two-factor or two-step when asked, trust, `accountLogin`. */
  signIn(options?: LoginOptions & { legacy?: boolean }): Promise<LoginResult>
  /** Logs out on the server (`trustBrowser: false` also forgets this client's trust) and forgets the saved session. */
  logout(options?: { trustBrowser?: boolean; allBrowsers?: boolean } & CallOptions): Promise<void>
  /** Stops heartbeats and closes the connections (not a transport passed in). */
  close(): Promise<void>
}

/** Creates an iCloud.com client. Nothing is sent until `login()`. */
export function createICloudClient(options: ICloudClientOptions): ICloudClient {
  try {
    return new Client(options)
  } catch (error) {
    throw toICloudError(error)
  }
}

/** The {@link ICloudClient}; every public method turns core errors into `ICloudError`s. */
class Client implements ICloudClient {
  readonly storage: StorageService
  readonly contacts: ContactsService
  readonly calendar: CalendarService
  readonly accountPage: AccountService
  readonly findMy: FindMyService
  readonly hme: HmeService
  readonly reminders: RemindersService
  readonly push: PushService
  readonly keyValue: KeyValueService
  readonly heartbeat: HeartbeatService
  readonly webAccess: WebAccessApi
  readonly drive: DriveService
  readonly photos: PhotosService
  readonly notes: NotesService
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
  readonly #renewal: SessionRenewal
  #closed = false
  /** The revision of the shared store's session this client last loaded or saved. */
  #revision: number | undefined
  /** The account's lease while this client signs in (shared stores only). */
  #lease: Lease | undefined

  constructor(options: ICloudClientOptions) {
    if (!options.appleId || typeof options.appleId !== 'string')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'appleId is required.',
        details: { argument: 'appleId' },
      })
    this.#options = options
    this.#renewal = new SessionRenewal((signal) => this.#reauthenticate(signal))
    this.#store = options.store ?? createMemorySessionStore()
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
      endpoints: [this.#endpoints.authUrl, this.#endpoints.setupUrl],
    })
    // The endpoints themselves must pass the policy: a wrong authUrl fails before any password is used.
    policy.check(this.#endpoints.authUrl, 'idmsa')
    policy.check(this.#endpoints.setupUrl, 'setup')
    let origins: { for: unknown; set: ReadonlySet<string> } | undefined
    this.#http = new SessionHttp(
      this.transport,
      policy,
      this.#cookies,
      () => this.#state,
      () => {
        const services = this.#state.webservices
        if (origins === undefined || origins.for !== services)
          origins = { for: services, set: cookieOrigins(policy, this.#endpoints, services) }
        return origins.set
      },
    )
    const caller = this.#caller()
    this.storage = new StorageService(caller)
    this.contacts = new ContactsService(caller)
    this.calendar = new CalendarService(caller)
    this.accountPage = new AccountService(caller)
    this.findMy = new FindMyService(caller)
    this.hme = new HmeService(caller)
    this.reminders = new RemindersService(caller)
    this.push = new PushService(caller)
    this.keyValue = new KeyValueService(caller)
    this.heartbeat = new HeartbeatService(caller)
    this.webAccess = {
      state: (options = {}) => this.#guard(() => webAccessState(this.#context(options.signal))),
      approve: (options = {}) =>
        this.#guard(() =>
          approveWebAccess(
            this.#context(options.signal),
            options.onWebAccessApproval ?? this.#options.onWebAccessApproval,
            this.#webAccessTiming(options),
          ),
        ),
      requestCookies: (app, options = {}) =>
        this.#guard(async () => {
          await requestPcsCookies(this.#context(options.signal), app, this.#webAccessTiming(options))
          await this.#save()
        }),
    }
    this.drive = new DriveService(caller, this.webAccess)
    this.photos = new PhotosService(caller)
    this.notes = new NotesService(caller)
  }

  /** The client's `webAccessTiming`, with a call's own interval and time limit over it. */
  #webAccessTiming(options: { intervalMs?: number; timeoutMs?: number | undefined }): WebAccessTiming {
    return {
      ...this.#options.webAccessTiming,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }
  }

  get appleId(): string {
    return this.#state.appleId
  }

  get account(): AccountInfo | undefined {
    return this.#account
  }

  /**
   * Gets a session the cheapest way (docs/protocols/icloud.md §6.4): validate the saved cookies, else
   * `accountLogin` with the saved session token, else a full SRP sign-in with the saved trust token
   * (two-factor only when Apple asks).
   */
  async login(options: LoginOptions = {}): Promise<LoginResult> {
    // The account's lease (in a fleet) covers the sign-in only; the web-access step after it waits
    // for a person on a trusted device and needs no turn.
    const result = await this.#guard(() =>
      this.#exclusive(options.signal, async () => {
        await this.#adoptNewer()
        return (await this.#resume(options)) ?? (await this.#signIn(options, true))
      }),
    )
    await this.#guard(() => this.#webAccessAtSignIn(options))
    return result
  }

  /** `fn` with core errors turned into `ICloudError`s. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw toICloudError(error)
    }
  }

  /** With an approval callback, asks an Advanced Data Protection account's devices for web access. */
  async #webAccessAtSignIn(options: LoginOptions): Promise<void> {
    const handler = options.onWebAccessApproval ?? this.#options.onWebAccessApproval
    if (handler === undefined || !this.#account) return
    await approveWebAccess(this.#context(options.signal), handler, this.#options.webAccessTiming)
  }

  async resume(options: CallOptions = {}): Promise<LoginResult | undefined> {
    try {
      return await this.#exclusive(options.signal, async () => {
        await this.#adoptNewer()
        return this.#resume(options)
      })
    } catch (error) {
      throw toICloudError(error)
    }
  }

  /**
   * Runs `work` holding the account's lease when the store is shared by a fleet (one sign-in at a
   * time across processes); with a store of one process, runs it as it is.
   */
  async #exclusive<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const fleet = this.#store.fleet
    if (fleet === undefined) return work()
    const callerSignal = callSignal(this.#options.signal, signal)
    return fleet.exclusive(async (lease) => {
      this.#lease = lease
      try {
        return await work()
      } finally {
        this.#lease = undefined
      }
    }, callerSignal)
  }

  /**
   * Takes the fleet's session when it changed since this client loaded or saved it, and says whether
   * it comes from a later sign-in than this client's own (another process signed in meanwhile).
   */
  async #adoptNewer(): Promise<boolean> {
    await this.#load()
    const fleet = this.#store.fleet
    if (fleet === undefined) return false
    const latest = await fleet.loadRevision()
    if (latest === undefined || latest.revision === this.#revision) return false
    const newer = (latest.state.authenticatedAt ?? '') > (this.#state.authenticatedAt ?? '')
    this.#adopt(latest.state)
    this.#remember()
    this.#revision = latest.revision
    return newer
  }

  async #resume(options: CallOptions): Promise<LoginResult | undefined> {
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

  async signIn(options: LoginOptions & { legacy?: boolean } = {}): Promise<LoginResult> {
    try {
      const result = await this.#exclusive(options.signal, () => this.#signIn(options, true))
      await this.#webAccessAtSignIn(options)
      return result
    } catch (error) {
      throw toICloudError(error)
    }
  }

  async #signIn(options: LoginOptions & { legacy?: boolean }, interactive: boolean): Promise<LoginResult> {
    await this.#load()
    const password = options.password ?? this.#options.password
    if (password === undefined || password === '')
      throw new ICloudError({
        code: 'AUTHENTICATION_REQUIRED',
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
    // The web client loads the sign-in page first; it opens the idmsa conversation (§3.1).
    await loadAuthorizePage(ctx)
    const outcome = await srpSignIn(ctx, password, {
      ...(this.#options.proofEncoding ? { encoding: this.#options.proofEncoding } : {}),
    })
    let secondFactor: LoginResult['secondFactor'] = 'none'
    if (outcome.kind === 'two-factor') {
      // Re-authentication never asks for a code on its own (docs/protocols/icloud.md §6.4), and must not
      // even push one to the user's devices.
      if (!interactive)
        throw new ICloudError({
          code: 'AUTHENTICATION_REQUIRED',
          message:
            'The iCloud session expired and Apple asks for a new two-factor code; call login() interactively.',
        })
      await this.#save()
      await completeTwoFactor(ctx, {
        handler: twoFactor,
        method: options.twoFactorMethod ?? this.#options.twoFactorMethod,
        onSecurityKey: options.onSecurityKey ?? this.#options.onSecurityKey,
        bridge: {
          timeoutMs: this.#options.bridge?.timeoutMs ?? BRIDGE_TIMEOUT_MS,
          tls:
            this.#options.bridge?.tls ??
            (this.#options.transport instanceof Transport ? undefined : this.#options.transport?.tls),
        },
      })
      secondFactor = 'hsa2'
    }
    let account = await accountLogin(ctx)
    if (account.hsaVersion === 1 && account.hsaChallengeRequired) {
      if (!interactive)
        throw new ICloudError({
          code: 'AUTHENTICATION_REQUIRED',
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

  async logout(options: { trustBrowser?: boolean; allBrowsers?: boolean } & CallOptions = {}): Promise<void> {
    try {
      await this.#logout(options)
    } catch (error) {
      throw toICloudError(error)
    }
  }

  async #logout(options: { trustBrowser?: boolean; allBrowsers?: boolean } & CallOptions): Promise<void> {
    await this.#load()
    await logout(this.#context(options.signal), {
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
    const fleet = this.#store.fleet
    const versioned = fleet ? await fleet.loadRevision() : undefined
    const saved = fleet ? versioned?.state : await this.#store.load()
    if (!saved || normalizeAppleId(saved.appleId) !== this.#state.appleId) return
    this.#revision = versioned?.revision
    this.#adopt(saved)
    this.#remember()
  }

  /** Continues `saved` (its secrets registered with the redactor, its cookies in the jar). */
  #adopt(saved: SessionState): void {
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

  /**
   * What the store holds, as far as this client knows: the jar's change count and the rest of the
   * state, from the last load or save. A validate that changed neither is not saved again.
   */
  #stored: { readonly cookies: SessionCookies; readonly changes: number; readonly state: string } | undefined

  /** The state without its cookies and save time, to compare with {@link #stored}. */
  #stateKey(): string {
    const { cookies: _cookies, savedAt: _savedAt, ...rest } = this.#state
    const { authUrl, setupUrl, homeUrl } = this.#endpoints
    return JSON.stringify({ ...rest, endpoints: { authUrl, setupUrl, homeUrl } })
  }

  #remember(): void {
    this.#stored = { cookies: this.#cookies, changes: this.#cookies.changes, state: this.#stateKey() }
  }

  #unchanged(): boolean {
    const stored = this.#stored
    return (
      stored !== undefined &&
      stored.cookies === this.#cookies &&
      stored.changes === this.#cookies.changes &&
      stored.state === this.#stateKey()
    )
  }

  async #save(): Promise<void> {
    const { authUrl, setupUrl, homeUrl } = this.#endpoints
    this.#state.endpoints = { authUrl, setupUrl, homeUrl }
    this.#state.cookies = this.#cookies.serialize()
    this.#state.savedAt = new Date().toISOString()
    await this.#write()
    this.#remember()
  }

  async #write(): Promise<void> {
    const fleet = this.#store.fleet
    if (fleet === undefined) return this.#store.save(this.#state)
    // Compare-and-set: another process saved since this one loaded. Holding the lease, this process
    // has the newest sign-in and saves over it; otherwise the fleet's session is at least as new as
    // this one (only lease holders sign in), so this one adopts it.
    for (;;) {
      const revision = await fleet.saveIfUnchanged(this.#state, this.#revision ?? 'absent', this.#lease)
      if (revision !== undefined) {
        this.#revision = revision
        return
      }
      const latest = await fleet.loadRevision()
      if (this.#lease === undefined && latest !== undefined) {
        this.#adopt(latest.state)
        this.#revision = latest.revision
        return
      }
      this.#revision = latest?.revision
    }
  }

  #context(callerSignal?: AbortSignal): AuthContext {
    const signal = callSignal(this.#options.signal, callerSignal)
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
    if (method !== 'validate') this.#state.authenticatedAt = new Date().toISOString()
    // A validate that set no cookie and moved no service URL leaves the stored session as it was:
    // writing it again (an fsynced file, or a fleet's compare-and-set) would only move `savedAt`.
    if (method !== 'validate' || !this.#unchanged()) await this.#save()
    return { method, secondFactor, account }
  }

  /** Signs in again without the user (see {@link SessionRenewal}): the session token, else SRP. */
  async #reauthenticate(signal: AbortSignal | undefined): Promise<void> {
    // In a fleet, one process at a time; one that waited finds the session another just renewed.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#exclusive(signal, async () => {
          if (!(await this.#adoptNewer())) await this.#renewOwnSession(signal)
        })
        return
      } catch (error) {
        // This process stalled past its lease and another took over: take its turn again, and most
        // likely the session the new holder saves.
        if (!isSigwireError(error, 'LEASE_LOST') || attempt >= 3) throw error
      }
    }
  }

  async #renewOwnSession(signal: AbortSignal | undefined): Promise<void> {
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
        code: 'AUTHENTICATION_REQUIRED',
        message:
          'The iCloud session expired and no password is held to sign in again; call login() with the password.',
      })
    await this.#signIn(signal ? { signal } : {}, false)
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
      call: async <T>(
        service: string,
        method: HttpMethod,
        path: string,
        options: Parameters<ServiceCaller['call']>[3] = {},
      ): Promise<T> => {
        try {
          return await this.#callService<T>(service, method, path, options)
        } catch (error) {
          throw toICloudError(error)
        }
      },
      poll: async (url, query, options) => {
        const signal = callSignal(this.#options.signal, options.signal)
        const response = await this.#http.call({
          method: 'GET',
          url,
          purpose: 'webcourier',
          query,
          cookies: false,
          timeoutMs: options.timeoutMs,
          ...(signal ? { signal } : {}),
        })
        return { status: response.status, body: response.json() }
      },
      respond: async (service, method, path, options = {}) => {
        try {
          return await this.#serviceResponse(service, method, path, options)
        } catch (error) {
          throw toICloudError(error)
        }
      },
      content: (call) => this.#http.call(this.#contentCall(call)),
      contentStream: (call) => this.#http.stream(this.#contentCall(call)),
      cookie: async (service, name) => {
        try {
          return await this.#cookies.value(this.#baseOf(service), name)
        } catch (error) {
          throw toICloudError(error)
        }
      },
      sessionToken: () => this.#state.sessionToken,
      dsid: () => this.#state.dsid,
      serviceUrl: (service) => {
        try {
          return this.#baseOf(service)
        } catch (error) {
          throw toICloudError(error)
        }
      },
      redact: (value) => this.transport.redactor.addSecret(value),
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
    options: ServiceCallOptions,
  ): Promise<T> {
    const response = await this.#serviceResponse(service, method, path, options)
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

  /** A content call as a session call: the caller's signals, no cookies unless asked for. */
  #contentCall(call: ContentCall): SessionCall {
    if (this.#closed)
      throw new ICloudError({ code: 'ABORTED', message: 'This client was closed; create a new one.' })
    const signal = callSignal(this.#options.signal, call.signal)
    return {
      method: call.method,
      url: call.url,
      purpose: call.purpose,
      headers: { 'user-agent': USER_AGENT, ...call.headers },
      cookies: call.cookies === true,
      ...(call.body ? { body: call.body } : {}),
      ...(signal ? { signal } : {}),
      ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
      ...(call.retrySafe ? { retrySafe: true } : {}),
      ...(call.onUploadProgress ? { onUploadProgress: call.onUploadProgress } : {}),
    }
  }

  async #serviceResponse(
    service: string,
    method: HttpMethod,
    path: string,
    options: ServiceCallOptions,
  ): Promise<SessionResponse> {
    if (this.#closed)
      throw new ICloudError({ code: 'ABORTED', message: 'This client was closed; create a new one.' })
    if (!this.#account)
      throw new ICloudError({
        code: 'AUTHENTICATION_REQUIRED',
        message: 'Call login() (or resume()) before using the web services.',
      })
    const signal = callSignal(this.#options.signal, options.signal)
    const send = async () => {
      const response = await this.#http.call({
        method,
        url: `${this.#baseOf(service).replace(/\/+$/, '')}${path}`,
        purpose: service,
        query: { ...options.query, ...commonQuery(this.#state) },
        headers: webHeaders(this.#endpoints, options.contentType),
        ...(options.body ? { body: options.body } : {}),
        ...(signal ? { signal } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.retrySafe ? { retrySafe: true } : {}),
      })
      if (response.headers['set-cookie'] !== undefined) await this.#save()
      return response
    }
    let response = await this.#renewal.around(service, signal, send)
    if (response.status === 423 && this.#state.webservices?.[service]?.pcsRequired) {
      // Advanced Data Protection: the service wants PCS cookies, not a new sign-in (§6.4, §13).
      const ctx = this.#context(signal)
      await approveWebAccess(ctx, this.#options.onWebAccessApproval, this.#options.webAccessTiming)
      await requestPcsCookies(ctx, pcsAppFor(service), this.#options.webAccessTiming)
      await this.#save()
      response = await send()
    }
    if (response.status === 503 || response.status === 429) throw throttledError(response, service)
    if (response.status === 423)
      throw new ICloudError({
        code: 'WEB_ACCESS_REQUIRED',
        status: 423,
        message: `${service} answered 423 "Missing PCS cookies" although the PCS cookies were requested; approve web access on a trusted device and sign in again.`,
      })
    return response
  }

  /** The base URL of a web service (the setup host for `setup`), from the account document. */
  #baseOf(service: string): string {
    if (service === 'setup') return this.#endpoints.setupUrl
    const entry = this.#state.webservices?.[service]
    if (!entry)
      throw new ICloudError({
        code: 'SERVICE_NOT_AVAILABLE',
        message: `The account document lists no "${service}" web service for this account.`,
      })
    return entry.url
  }
}
