import { setTimeout as sleep } from 'node:timers/promises'
import {
  type CallOptions,
  callSignal,
  checkBaseUrl,
  clockMs,
  createRequest,
  formatQueryPairs,
  parseRetryAfter,
  type SharedState,
  SkewClock,
  type StreamSendOptions,
  Transport,
  type TransportOptions,
  type TransportResponse,
} from '@sigwire/core'
import { resyncOnInvalidTime } from '../auth/resync-ztime.js'
import { IN_PROCESS_GUARD, type NonceGuard, runNonceStep } from '../auth/shared-nonce.js'
import { sharedZtime } from '../auth/shared-ztime.js'
import {
  AUTHKEY_EDIT_PATH,
  type AuthLevel,
  levelAllows,
  SAFE_CREATIVE_API_URL,
  SAFE_CREATIVE_SEARCH_URL,
} from '../constants.js'
import { isSafeCreativeError, SafeCreativeError, safeCreativeError, toSafeCreativeError } from '../errors.js'
import { AUTHKEY_EDIT_COMPONENT, signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, type ParamsInput, toParamPairs } from '../signing/params.js'
import {
  type AuthkeyCredentials,
  createSafeCreativeSigner,
  type SafeCreativeSigner,
} from '../signing/signer.js'
import { asObject, children, expectRoot, parseXml, text, type XmlValue } from '../xml/parse-response.js'
import type { SafeCreativeUser, UserQuota } from './account-models.js'
import { type AppComponents, appComponents, type PartnerApi } from './app-components.js'
import type { LicenseFeature, WorkTypeGroup } from './catalog-models.js'
import { formBody } from './form-body.js'
import { KeyedQueue } from './keyed-queue.js'
import { type AuthkeyState, type CodeName, toAuthkeyState, toCodeName, toWork, type Work } from './models.js'
import { type SearchApi, searchApi } from './search.js'
import type { AuthorizationStore } from './store.js'
import { type UserApi, userApi } from './user.js'

/** Options of {@link createSafeCreativeClient}. */
export interface SafeCreativeClientOptions {
  /** The application's shared key. */
  readonly sharedKey: string
  /** The application's private key. */
  readonly privateKey: string
  /**
   * The API endpoint. Default production, `https://api.safecreative.org/v2/`; the sandbox is
   * `SAFE_CREATIVE_ARENA_URL`; an emulator's `apiUrl`. No query, fragment or credentials; `http://`
   * only to loopback unless `allowInsecureHttp`.
   */
  readonly baseUrl?: string
  /** Allow `baseUrl` to be `http://` to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean
  /**
   * The search endpoint of `search.byquery`, `search.byfields` and `semantic.query`. Default
   * `https://api-search.safecreative.org/v2/` with the production `baseUrl`, else `baseUrl` (the arena
   * and the emulator serve searches themselves).
   */
  readonly searchUrl?: string
  /**
   * Sync the clock from `component=ztime` before the first signed call. Default true. Needs the
   * transport's clock to be a `SkewClock` (the default); with another clock, nothing is synced.
   */
  readonly syncClock?: boolean
  /** `locale` sent with every call (e.g. `en-US`), signed like any parameter. */
  readonly locale?: string
  /**
   * A transport to share (not closed by `close()`), or the options of the client's own: `timeoutMs`,
   * `retry`, `tls`, `proxy`, `clock` (a `SkewClock`, so `ztime` can be synced)...
   */
  readonly transport?: Transport | TransportOptions
  /** Aborts every call of the client (each call may also take its own `signal`). */
  readonly signal?: AbortSignal
  /**
   * State shared with the other clients of the fleet (`createRedisSharedState` from
   * `@sigwire/redis`): each authkey's nonce step (`authkey.state` then `work.register`) runs one at a
   * time across all of them, and the clock offset learned from `component=ztime` is shared. Default:
   * none: the client's nonce steps take turns per authkey in this process only.
   */
  readonly shared?: SharedState
}

/** Options of the low-level {@link SafeCreativeClient.call}. */
export interface ComponentCallOptions extends CallOptions {
  /** The root element the component answers with. */
  readonly root: string
  /** The user's authorization, for components signed with the authkey's key. */
  readonly auth?: AuthkeyCredentials
  /** `GET` (parameters in the query) or `POST` (component in the query, the rest as a form). Default GET. */
  readonly method?: 'GET' | 'POST'
  /** Another endpoint (upload servers). */
  readonly url?: string
  /** The call may be repeated on a network failure. Default: GET only. */
  readonly retrySafe?: boolean
  /** Resync the clock and repeat the call once on `InvalidTime`. Default true. */
  readonly retryOnInvalidTime?: boolean
}

/** Options of {@link SafeCreativeClient.waitForAuthorization}. */
export interface WaitOptions extends CallOptions {
  /** The least level to wait for. Default: any. */
  readonly level?: AuthLevel
  /** Give up after this many ms (`AUTHORIZATION_TIMEOUT`). Default 10 minutes. */
  readonly waitMs?: number
  /** Poll interval in ms. Default 2000. */
  readonly intervalMs?: number
}

/** Options of {@link SafeCreativeClient.authorize}. */
export interface AuthorizeOptions extends WaitOptions {
  /** Where the authkey and its private key are kept between runs. */
  readonly store: AuthorizationStore
  /** The level to ask for. */
  readonly level: AuthLevel
  /** Sends the user to the authorization page (open a browser, print the link, redirect). */
  readonly onAuthorizationUrl: (url: string) => void | Promise<void>
}

/**
 * The Safe Creative API v2 client for one application; `user(auth)` gives the API of one authorized
 * user. Every error it raises, transport errors included, is a `SafeCreativeError`. Close it when done.
 */
export interface SafeCreativeClient {
  /** The transport (shared with every user API; its clock is the one `ztime` comes from). */
  readonly transport: Transport
  /** The API endpoint. */
  readonly baseUrl: string
  /** The application's shared key. */
  readonly sharedKey: string
  /** Closes the connections (not a transport passed in). */
  close(): Promise<void>
  /** The server's time in epoch ms (`component=ztime`, unsigned). */
  ztime(options?: CallOptions): Promise<number>
  /**
   * Learns the offset between the local clock and Safe Creative's from `component=ztime` (the request's
   * midpoint is taken as the moment the server read its clock). Returns the offset in ms.
   */
  syncClock(options?: CallOptions): Promise<number>
  /** The API version string (`component=version`). */
  version(options?: CallOptions): Promise<string>
  /** Creates an authkey (app-signed). Persist both values: the private key cannot be obtained again. */
  createAuthkey(options?: CallOptions): Promise<AuthkeyCredentials>
  /**
   * The `api-ui/authkey.edit` URL where the user approves `auth` at `level`, signed with the authkey's
   * private key (§3; the Java SDK and the wiki agree). After approving, Safe Creative sends the user to
   * the bring-back URL configured for the application.
   */
  authorizationUrl(auth: AuthkeyCredentials, level: AuthLevel, options?: CallOptions): Promise<string>
  /** The state of an authkey (`authkey.state`: app-signed even though it names an authkey). */
  authkeyState(authkey: string, options?: CallOptions): Promise<AuthkeyState>
  /** Polls `authkey.state` until the user approved `authkey` (at `level` or above), or times out. */
  waitForAuthorization(authkey: string, options?: WaitOptions): Promise<AuthkeyState>
  /**
   * The whole authorization flow: reuses the authkey in `store` when it is authorized at `level`;
   * otherwise creates one (saved at once, since its private key is shown only once), hands the
   * authorization URL to `onAuthorizationUrl`, waits for the user's approval and saves the result.
   */
  authorize(options: AuthorizeOptions): Promise<UserApi>
  /** The API of one authorized user. */
  user(auth: AuthkeyCredentials): UserApi
  /** A registered work's public data (`work.get`, unsigned). `NOT_FOUND` when there is none. */
  getWork(code: string, options?: CallOptions): Promise<Work>
  /** Work types (`work.types`), fetched once per client. */
  workTypes(options?: CallOptions): Promise<readonly CodeName[]>
  /** Work languages (`work.languages`), fetched once per client. */
  workLanguages(options?: CallOptions): Promise<readonly CodeName[]>
  /** Work type groups with their types (`work.types.tree`), fetched once per client and locale. */
  workTypesTree(options?: CallOptions & { locale?: string }): Promise<readonly WorkTypeGroup[]>
  /** Countries for account addresses (`user.countries`), fetched once per client and locale. */
  countries(options?: CallOptions & { locale?: string }): Promise<readonly CodeName[]>
  /** License features and their possible values (`license.features`), fetched once per client and locale. */
  licenseFeatures(options?: CallOptions & { locale?: string }): Promise<readonly LicenseFeature[]>
  /** A user's public profile (`user.get`, signed with the application's key). `NOT_FOUND` when unknown. */
  getUser(code: string, options?: CallOptions): Promise<SafeCreativeUser>
  /**
   * Disk and registration quota (`user.quota`, signed with the application's key) of the user who
   * authorized `authkey`, or of the application's own user without one.
   */
  userQuota(authkey?: string, options?: CallOptions): Promise<UserQuota>
  /** Public searches: by text, fields, hash (with a local SHA-1 of a file) and fingerprints. */
  readonly search: SearchApi
  /** Components Safe Creative grants to partner applications only (`user.link`, `user.unlink`, `work.download`). */
  readonly partner: PartnerApi
  /**
   * Calls any component: signs it with the right key (a caller never picks one), sends it, parses the
   * XML, and turns `<error>`/`<exception>` answers into typed errors. On `InvalidTime` the clock is
   * resynced from `component=ztime` and the call repeated once.
   */
  call(component: string, params: ParamsInput, options: ComponentCallOptions): Promise<XmlValue>
}

/**
 * Creates a Safe Creative API v2 client. Keys and `baseUrl` are checked now; nothing is sent until
 * the first call.
 *
 * ```ts
 * const client = createSafeCreativeClient({ sharedKey, privateKey, baseUrl: SAFE_CREATIVE_ARENA_URL })
 * const user = await client.authorize({
 *   store: createFileAuthorizationStore('auth.json'),
 *   level: 'ADD',
 *   onAuthorizationUrl: (url) => console.log(url),
 * })
 * const code = await user.registerFile('song.mp3', { title: 'My song' })
 * ```
 */
export function createSafeCreativeClient(options: SafeCreativeClientOptions): SafeCreativeClient {
  try {
    return new Client(options)
  } catch (error) {
    throw toSafeCreativeError(error)
  }
}

/** How to check a registration whose answer was lost (`work.register` has no idempotency key; §4). */
const REGISTER_HINT =
  "List the user's works (user.listWorks, component work.list) and look for it before registering again: a second registration creates a second work."

/** @internal The client; user APIs and uploads reach its internals through this class. */
export class Client implements SafeCreativeClient {
  readonly transport: Transport
  readonly baseUrl: string
  readonly #clock: SkewClock | undefined
  readonly #signer: SafeCreativeSigner
  readonly #ownsTransport: boolean
  readonly #syncClock: boolean
  readonly #locale: string | undefined
  readonly #signal: AbortSignal | undefined
  readonly #cache = new Map<string, Promise<unknown>>()
  readonly #app: AppComponents
  /** Public searches: by text, fields, hash (with a local SHA-1 of a file) and fingerprints. */
  readonly search: SearchApi
  /** Steps that spend an authkey's single-use nonce, one at a time per authkey in this process (§2.5). */
  readonly #nonceSteps = new KeyedQueue()
  readonly #shared: SharedState | undefined
  readonly #sharedZtime: ReturnType<typeof sharedZtime> | undefined
  #synced: Promise<void> | undefined

  constructor(options: SafeCreativeClientOptions) {
    this.#signer = createSafeCreativeSigner({ sharedKey: options.sharedKey, privateKey: options.privateKey })
    this.baseUrl = normalizeEndpoint(
      checkBaseUrl(options.baseUrl ?? SAFE_CREATIVE_API_URL, {
        allowInsecureHttp: options.allowInsecureHttp,
      }),
    )
    this.#ownsTransport = !(options.transport instanceof Transport)
    this.transport =
      options.transport instanceof Transport ? options.transport : new Transport(options.transport)
    this.transport.redactor.addSecret(options.privateKey)
    this.#clock = this.transport.clock instanceof SkewClock ? this.transport.clock : undefined
    this.#syncClock = (options.syncClock ?? true) && this.#clock !== undefined
    this.#locale = options.locale
    this.#signal = options.signal
    this.#shared = options.shared
    this.#sharedZtime = options.shared ? sharedZtime(options.shared, this.#signer.sharedKey) : undefined
    this.#app = appComponents(this)
    this.search = searchApi(this, searchEndpoint(options.searchUrl, this.baseUrl, options.allowInsecureHttp))
  }

  /**
   * Runs a step that spends `authkey`'s single-use nonce: one at a time per authkey in this process,
   * and with `shared` state also under the authkey's lease across every client sharing it (see
   * {@link runNonceStep}); without it the guard has nothing to claim.
   */
  nonceStep<T>(
    authkey: string,
    step: (guard: NonceGuard) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const shared = this.#shared
    return this.#nonceSteps.run(authkey, () =>
      shared === undefined
        ? step(IN_PROCESS_GUARD)
        : runNonceStep(shared, this.#signer.sharedKey, authkey, step, this.signalOf(options)),
    )
  }

  get partner(): PartnerApi {
    return this.#app.partner
  }

  workTypesTree(options: CallOptions & { locale?: string } = {}): Promise<readonly WorkTypeGroup[]> {
    return this.#app.workTypesTree(options)
  }

  countries(options: CallOptions & { locale?: string } = {}): Promise<readonly CodeName[]> {
    return this.#app.countries(options)
  }

  licenseFeatures(options: CallOptions & { locale?: string } = {}): Promise<readonly LicenseFeature[]> {
    return this.#app.licenseFeatures(options)
  }

  getUser(code: string, options: CallOptions = {}): Promise<SafeCreativeUser> {
    return this.#app.getUser(code, options)
  }

  userQuota(authkey?: string, options: CallOptions = {}): Promise<UserQuota> {
    return this.#app.userQuota(authkey, options)
  }

  get sharedKey(): string {
    return this.#signer.sharedKey
  }

  async close(): Promise<void> {
    if (this.#ownsTransport) await this.transport.close()
  }

  async ztime(options: CallOptions = {}): Promise<number> {
    const value = await this.call('ztime', {}, { ...options, root: 'ztime', retryOnInvalidTime: false })
    const ms = Number(text(value))
    if (!Number.isSafeInteger(ms))
      throw safeCreativeError('INVALID_RESPONSE', 'component=ztime did not answer epoch milliseconds.')
    return ms
  }

  async syncClock(options: CallOptions = {}): Promise<number> {
    const before = Date.now()
    const server = await this.ztime(options)
    const after = Date.now()
    if (this.#clock === undefined) return this.transport.clock.offsetMs
    this.#clock.syncTo(server, Math.round((before + after) / 2))
    this.#synced = Promise.resolve()
    await this.#sharedZtime?.save(this.#clock.offsetMs)
    return this.#clock.offsetMs
  }

  async version(options: CallOptions = {}): Promise<string> {
    return text(await this.call('version', {}, { ...options, root: 'version' }))
  }

  async createAuthkey(options: CallOptions = {}): Promise<AuthkeyCredentials> {
    const value = await this.call('authkey.create', {}, { ...options, root: 'authkeycreate' })
    const auth = { authkey: text(value, 'authkey'), privateKey: text(value, 'privatekey') }
    if (!auth.authkey || !auth.privateKey)
      throw safeCreativeError(
        'INVALID_RESPONSE',
        'authkey.create answered without an authkey and private key.',
      )
    this.transport.redactor.addSecret(auth.privateKey)
    return auth
  }

  async authorizationUrl(
    auth: AuthkeyCredentials,
    level: AuthLevel,
    options: CallOptions = {},
  ): Promise<string> {
    await this.#ensureClock(options)
    try {
      const signed = this.#signer.withAuthkey(auth).signParams(
        [
          ['authkey', auth.authkey],
          ['level', level],
        ],
        this.#nowMs(),
        { component: AUTHKEY_EDIT_COMPONENT },
      )
      return `${new URL(this.baseUrl).origin}${AUTHKEY_EDIT_PATH}?${formatQueryPairs(signed.params)}`
    } catch (error) {
      throw toSafeCreativeError(error)
    }
  }

  async authkeyState(authkey: string, options: CallOptions = {}): Promise<AuthkeyState> {
    return toAuthkeyState(
      asObject(await this.call('authkey.state', { authkey }, { ...options, root: 'authkeystate' })),
    )
  }

  async waitForAuthorization(authkey: string, options: WaitOptions = {}): Promise<AuthkeyState> {
    const deadline = Date.now() + (options.waitMs ?? 600_000)
    const interval = options.intervalMs ?? 2000
    for (;;) {
      const state = await this.authkeyState(authkey, options)
      if (
        state.authorized &&
        (options.level === undefined || (state.level && levelAllows(state.level, options.level)))
      )
        return state
      if (Date.now() + interval > deadline)
        throw safeCreativeError(
          'AUTHORIZATION_TIMEOUT',
          `The user did not authorize the authkey${options.level ? ` at level ${options.level}` : ''} within ${Math.round((options.waitMs ?? 600_000) / 1000)} s; send them to the authorization URL again.`,
          { authorized: state.authorized, ...(state.level ? { level: state.level } : {}) },
        )
      const signal = this.signalOf(options)
      try {
        await sleep(interval, undefined, signal ? { signal } : {})
      } catch {
        throw safeCreativeError('ABORTED', 'Waiting for the authorization was aborted by the caller.')
      }
    }
  }

  async authorize(options: AuthorizeOptions): Promise<UserApi> {
    const saved = await options.store.load()
    let auth: AuthkeyCredentials | undefined = saved
    if (saved) {
      this.transport.redactor.addSecret(saved.privateKey)
      const state = await this.authkeyState(saved.authkey, options).catch((error: unknown) => {
        if (isSafeCreativeError(error, 'UNKNOWN_AUTHKEY') || isSafeCreativeError(error, 'NOT_AUTHORIZED'))
          return undefined
        throw error
      })
      if (state === undefined) auth = undefined
      else if (state.authorized && state.level && levelAllows(state.level, options.level)) {
        await options.store.save({
          ...saved,
          authorized: true,
          level: state.level,
          ...(state.userCode ? { userCode: state.userCode } : {}),
        })
        return this.user(saved)
      }
    }
    if (!auth) {
      auth = await this.createAuthkey(options)
      await options.store.save({ ...auth, authorized: false })
    }
    await options.onAuthorizationUrl(await this.authorizationUrl(auth, options.level, options))
    const state = await this.waitForAuthorization(auth.authkey, options)
    await options.store.save({
      ...auth,
      authorized: true,
      ...(state.level ? { level: state.level } : {}),
      ...(state.userCode ? { userCode: state.userCode } : {}),
    })
    return this.user(auth)
  }

  user(auth: AuthkeyCredentials): UserApi {
    this.transport.redactor.addSecret(auth.privateKey)
    return userApi(this, auth)
  }

  async getWork(code: string, options: CallOptions = {}): Promise<Work> {
    return toWork(asObject(await this.call('work.get', { code }, { ...options, root: 'work' })))
  }

  workTypes(options: CallOptions = {}): Promise<readonly CodeName[]> {
    return this.cached('work.types', async () =>
      children(await this.call('work.types', {}, { ...options, root: 'worktypes' }), 'worktype').map(
        toCodeName,
      ),
    )
  }

  workLanguages(options: CallOptions = {}): Promise<readonly CodeName[]> {
    return this.cached('work.languages', async () =>
      children(await this.call('work.languages', {}, { ...options, root: 'worklanguages' }), 'language').map(
        toCodeName,
      ),
    )
  }

  async call(component: string, params: ParamsInput, options: ComponentCallOptions): Promise<XmlValue> {
    let pairs: ParamPair[]
    try {
      pairs = toParamPairs(params)
    } catch (error) {
      throw toSafeCreativeError(error)
    }
    if (signingKeyFor(component) !== 'none') await this.#ensureClock(options)
    if (options.retryOnInvalidTime === false) return this.send(component, pairs, options)
    return resyncOnInvalidTime(this, () => this.send(component, pairs, options), options)
  }

  /** A value computed once and kept (dropped if it fails). */
  cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let entry = this.#cache.get(key) as Promise<T> | undefined
    if (!entry) {
      entry = compute()
      this.#cache.set(key, entry)
      entry.catch(() => this.#cache.delete(key))
    }
    return entry
  }

  /** The signal of one call: the call's own and the client's together. */
  signalOf(options: CallOptions): AbortSignal | undefined {
    return callSignal(this.#signal, options.signal)
  }

  /** The transport options of one call (signal and time limit). */
  callOptions(options: CallOptions): Pick<StreamSendOptions, 'signal' | 'timeoutMs'> {
    const signal = this.signalOf(options)
    return {
      ...(signal ? { signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }
  }

  /** One attempt of a component call, with no `InvalidTime` recovery (see {@link resyncOnInvalidTime}). */
  async send(
    component: string,
    pairs: readonly ParamPair[],
    options: ComponentCallOptions & { outcomeHint?: string },
  ): Promise<XmlValue> {
    let response: TransportResponse
    try {
      const url = options.url ? normalizeEndpoint(new URL(options.url)) : this.baseUrl
      const all: ParamPair[] = [...pairs]
      if (this.#locale !== undefined && !all.some(([n]) => n === 'locale')) all.push(['locale', this.#locale])
      const method = options.method ?? 'GET'
      const params: ParamPair[] = [['component', component], ...all]
      const request =
        method === 'GET'
          ? createRequest({ method, url, query: params })
          : createRequest({
              method,
              url,
              query: [['component', component]],
              headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
              body: formBody(all),
            })
      const signer = options.auth ? this.#signer.withAuthkey(options.auth) : this.#signer
      response = await this.transport.send(request, {
        signer,
        retrySafe: options.retrySafe ?? method === 'GET',
        ...(component === 'work.register' ? { outcomeHint: REGISTER_HINT } : {}),
        ...this.callOptions(options),
      })
    } catch (error) {
      throw toSafeCreativeError(error)
    }
    if (response.status === 429) throw throttled(response, component)
    const doc = parseXml(response.body, response.status)
    const value = expectRoot(doc, options.root, { component, status: response.status, trace: response.trace })
    if (response.status >= 300)
      throw new SafeCreativeError({
        code: 'INVALID_RESPONSE',
        message: `${component} answered HTTP ${response.status}.`,
        status: response.status,
      })
    return value
  }

  #nowMs(): number {
    return clockMs(this.transport.clock)
  }

  /** The fleet's clock offset when one was measured lately, else a measurement of this client's own. */
  async #adoptSharedClock(options: CallOptions): Promise<unknown> {
    const offset = await this.#sharedZtime?.load()
    if (offset === undefined || this.#clock === undefined) return this.syncClock(options)
    this.#clock.setOffset(offset)
    return offset
  }

  async #ensureClock(options: CallOptions): Promise<void> {
    if (!this.#syncClock) return
    this.#synced ??= this.#adoptSharedClock(options).then(
      () => undefined,
      (error: unknown) => {
        this.#synced = undefined
        throw error
      },
    )
    await this.#synced
  }
}

/** `THROTTLED` for a 429 that outlasted the retries. */
function throttled(response: TransportResponse, component: string): SafeCreativeError {
  const header = response.headers['retry-after']
  const wait = parseRetryAfter(Array.isArray(header) ? header[0] : header)
  return new SafeCreativeError({
    code: 'THROTTLED',
    status: 429,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    message: `Safe Creative is throttling ${component} (HTTP 429)${wait === undefined ? '' : `; wait ${Math.ceil(wait / 1000)} s`} before calling again.`,
  })
}

/** The search endpoint: the one given, the production search host, or the API endpoint itself. */
function searchEndpoint(
  given: string | undefined,
  baseUrl: string,
  allowInsecureHttp: boolean | undefined,
): string {
  if (given !== undefined) return normalizeEndpoint(checkBaseUrl(given, { allowInsecureHttp }))
  return baseUrl === SAFE_CREATIVE_API_URL ? SAFE_CREATIVE_SEARCH_URL : baseUrl
}

function normalizeEndpoint(url: URL): string {
  const copy = new URL(url)
  if (!copy.pathname.endsWith('/')) copy.pathname += '/'
  return copy.toString()
}
