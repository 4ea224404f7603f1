import { setTimeout as sleep } from 'node:timers/promises'
import {
  createRequest,
  formatQueryPairs,
  SigwireError,
  SkewClock,
  Transport,
  type TransportOptions,
} from '@sigwire/core'
import { AUTHKEY_EDIT_PATH, type AuthLevel, levelAllows, SAFE_CREATIVE_API_URL } from '../constants.js'
import { isSafeCreativeError, SafeCreativeError, safeCreativeError } from '../errors.js'
import { AUTHKEY_EDIT_COMPONENT, signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, type ParamsInput, toParamPairs } from '../signing/params.js'
import {
  type AuthkeyCredentials,
  createSafeCreativeSigner,
  type SafeCreativeSigner,
} from '../signing/signer.js'
import { asObject, children, expectRoot, parseXml, text, type XmlValue } from '../xml/parse-response.js'
import { formBody } from './form-body.js'
import { type AuthkeyState, type CodeName, toAuthkeyState, toCodeName, toWork, type Work } from './models.js'
import type { AuthorizationStore } from './store.js'
import { SafeCreativeUser } from './user.js'

/** Options of {@link SafeCreativeClient}. Transport options (timeouts, retries, proxy, TLS) apply too. */
export interface SafeCreativeClientOptions extends Omit<TransportOptions, 'clock'> {
  /** The application's shared key. */
  readonly sharedKey: string
  /** The application's private key. */
  readonly privateKey: string
  /**
   * The API endpoint. Default production, `https://api.safecreative.org/v2/`; the sandbox is
   * `SAFE_CREATIVE_ARENA_URL`; an emulator is `${emulator.url}/v2/`.
   */
  readonly apiUrl?: string
  /** Clock for `ztime`. Default: a {@link SkewClock} synced from `component=ztime` before the first signed call. */
  readonly clock?: SkewClock
  /** Sync the clock from `component=ztime` before the first signed call. Default true. */
  readonly syncClock?: boolean
  /** `locale` sent with every call (e.g. `en-US`), signed like any parameter. */
  readonly locale?: string
  /** Share an existing transport (its clock must be a SkewClock for ztime syncing). */
  readonly transport?: Transport
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal
  /** Time limit in ms (retries included). */
  readonly timeoutMs?: number
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
  /** Resync the clock and retry once on `InvalidTime`. Default true. */
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
 * The Safe Creative API v2 client. One per application; `user(auth)` gives a client for one
 * authorized user. Close it when done.
 *
 * ```ts
 * const client = new SafeCreativeClient({ sharedKey, privateKey, apiUrl: SAFE_CREATIVE_ARENA_URL })
 * const user = await client.authorize({ store, level: 'ADD', onAuthorizationUrl: (url) => console.log(url) })
 * const code = await user.registerFile('song.mp3', { title: 'My song' })
 * ```
 */
export class SafeCreativeClient {
  /** The transport (shared with every user client). */
  readonly transport: Transport
  /** The clock `ztime` comes from. */
  readonly clock: SkewClock
  /** The API endpoint. */
  readonly apiUrl: string
  readonly #signer: SafeCreativeSigner
  readonly #ownsTransport: boolean
  readonly #syncClock: boolean
  readonly #locale: string | undefined
  readonly #cache = new Map<string, Promise<unknown>>()
  #synced: Promise<void> | undefined

  constructor(options: SafeCreativeClientOptions) {
    this.#signer = createSafeCreativeSigner({ sharedKey: options.sharedKey, privateKey: options.privateKey })
    const clock =
      options.clock ??
      (options.transport?.clock instanceof SkewClock ? options.transport.clock : new SkewClock())
    this.clock = clock
    this.#ownsTransport = options.transport === undefined
    this.transport = options.transport ?? new Transport({ ...options, clock })
    this.transport.redactor.addSecret(options.privateKey)
    this.apiUrl = normalizeEndpoint(options.apiUrl ?? SAFE_CREATIVE_API_URL)
    this.#syncClock = options.syncClock ?? true
    this.#locale = options.locale
  }

  /** The application's shared key. */
  get sharedKey(): string {
    return this.#signer.sharedKey
  }

  /** Closes the connections (not a transport passed in). */
  async close(): Promise<void> {
    if (this.#ownsTransport) await this.transport.close()
  }

  /** The server's time in epoch ms (`component=ztime`, unsigned). */
  async ztime(options: CallOptions = {}): Promise<number> {
    const value = await this.call('ztime', {}, { ...options, root: 'ztime', retryOnInvalidTime: false })
    const ms = Number(text(value))
    if (!Number.isSafeInteger(ms))
      throw safeCreativeError('UNEXPECTED_RESPONSE', 'component=ztime did not answer epoch milliseconds.')
    return ms
  }

  /**
   * Learns the offset between the local clock and Safe Creative's from `component=ztime` (the request's
   * midpoint is taken as the moment the server read its clock). Returns the offset in ms.
   */
  async syncClock(options: CallOptions = {}): Promise<number> {
    const before = Date.now()
    const server = await this.ztime(options)
    const after = Date.now()
    this.clock.syncTo(server, Math.round((before + after) / 2))
    this.#synced = Promise.resolve()
    return this.clock.offsetMs
  }

  /** The API version string (`component=version`). */
  async version(options: CallOptions = {}): Promise<string> {
    return text(await this.call('version', {}, { ...options, root: 'version' }))
  }

  /** Creates an authkey (app-signed). Persist both values: the private key cannot be obtained again. */
  async createAuthkey(options: CallOptions = {}): Promise<AuthkeyCredentials> {
    const value = await this.call('authkey.create', {}, { ...options, root: 'authkeycreate' })
    const auth = { authkey: text(value, 'authkey'), privateKey: text(value, 'privatekey') }
    if (!auth.authkey || !auth.privateKey)
      throw safeCreativeError(
        'UNEXPECTED_RESPONSE',
        'authkey.create answered without an authkey and private key.',
      )
    this.transport.redactor.addSecret(auth.privateKey)
    return auth
  }

  /**
   * The `api-ui/authkey.edit` URL where the user approves `auth` at `level`, signed with the authkey's
   * private key (§3; the Java SDK and the wiki agree). After approving, Safe Creative sends the user to
   * the bring-back URL configured for the application.
   */
  async authorizationUrl(
    auth: AuthkeyCredentials,
    level: AuthLevel,
    options: CallOptions = {},
  ): Promise<string> {
    await this.#ensureClock(options)
    const signed = this.#signer.withAuthkey(auth).signParams(
      [
        ['authkey', auth.authkey],
        ['level', level],
      ],
      this.clock.nowMs(),
      { component: AUTHKEY_EDIT_COMPONENT },
    )
    return `${new URL(this.apiUrl).origin}${AUTHKEY_EDIT_PATH}?${formatQueryPairs(signed.params)}`
  }

  /** The state of an authkey (`authkey.state`: app-signed even though it names an authkey). */
  async authkeyState(authkey: string, options: CallOptions = {}): Promise<AuthkeyState> {
    return toAuthkeyState(
      asObject(await this.call('authkey.state', { authkey }, { ...options, root: 'authkeystate' })),
    )
  }

  /** Polls `authkey.state` until the user approved `authkey` (at `level` or above), or times out. */
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
      try {
        await sleep(interval, undefined, options.signal ? { signal: options.signal } : {})
      } catch {
        throw safeCreativeError('ABORTED', 'Waiting for the authorization was aborted by the caller.')
      }
    }
  }

  /**
   * The whole authorization flow: reuses the authkey in `store` when it is authorized at `level`;
   * otherwise creates one (saved at once, since its private key is shown only once), hands the
   * authorization URL to `onAuthorizationUrl`, waits for the user's approval and saves the result.
   */
  async authorize(options: AuthorizeOptions): Promise<SafeCreativeUser> {
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

  /** A client for one authorized user. */
  user(auth: AuthkeyCredentials): SafeCreativeUser {
    this.transport.redactor.addSecret(auth.privateKey)
    return new SafeCreativeUser(this, auth)
  }

  /** A registered work's public data (`work.get`, unsigned). `NOT_FOUND` when there is none. */
  async getWork(code: string, options: CallOptions = {}): Promise<Work> {
    return toWork(asObject(await this.call('work.get', { code }, { ...options, root: 'work' })))
  }

  /** Work types (`work.types`), fetched once per client. */
  workTypes(options: CallOptions = {}): Promise<readonly CodeName[]> {
    return this.cached('work.types', async () =>
      children(await this.call('work.types', {}, { ...options, root: 'worktypes' }), 'worktype').map(
        toCodeName,
      ),
    )
  }

  /** Work languages (`work.languages`), fetched once per client. */
  workLanguages(options: CallOptions = {}): Promise<readonly CodeName[]> {
    return this.cached('work.languages', async () =>
      children(await this.call('work.languages', {}, { ...options, root: 'worklanguages' }), 'language').map(
        toCodeName,
      ),
    )
  }

  /** @internal A value computed once and kept (dropped if it fails). */
  cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let entry = this.#cache.get(key) as Promise<T> | undefined
    if (!entry) {
      entry = compute()
      this.#cache.set(key, entry)
      entry.catch(() => this.#cache.delete(key))
    }
    return entry
  }

  /**
   * Calls any component: signs it with the right key (a caller never picks one), sends it, parses the
   * XML, and turns `<error>`/`<exception>` answers into typed errors. On `InvalidTime` the clock is
   * resynced from `component=ztime` and the call retried once.
   */
  async call(component: string, params: ParamsInput, options: ComponentCallOptions): Promise<XmlValue> {
    const kind = signingKeyFor(component)
    const pairs = toParamPairs(params)
    if (kind !== 'none') await this.#ensureClock(options)
    try {
      return await this.#send(component, pairs, options)
    } catch (error) {
      if (!isSafeCreativeError(error, 'INVALID_TIME') || options.retryOnInvalidTime === false) throw error
      await this.syncClock(options)
      return this.#send(component, pairs, options)
    }
  }

  /** @internal Resyncs the clock once after `INVALID_TIME` and repeats `run`. */
  async retryOnInvalidTime<T>(run: () => Promise<T>, options: CallOptions): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (!isSafeCreativeError(error, 'INVALID_TIME')) throw error
      await this.syncClock(options)
      return run()
    }
  }

  async #ensureClock(options: CallOptions): Promise<void> {
    if (!this.#syncClock) return
    this.#synced ??= this.syncClock(options).then(
      () => undefined,
      (error: unknown) => {
        this.#synced = undefined
        throw error
      },
    )
    await this.#synced
  }

  async #send(
    component: string,
    pairs: readonly ParamPair[],
    options: ComponentCallOptions,
  ): Promise<XmlValue> {
    const url = options.url ? normalizeEndpoint(options.url) : this.apiUrl
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
    let response: Awaited<ReturnType<Transport['send']>>
    try {
      response = await this.transport.send(request, {
        signer,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        retrySafe: options.retrySafe ?? method === 'GET',
      })
    } catch (error) {
      if (error instanceof SigwireError && !(error instanceof SafeCreativeError))
        throw new SafeCreativeError({
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
          cause: error,
        })
      throw error
    }
    const doc = parseXml(response.body, response.status)
    const value = expectRoot(doc, options.root, { component, status: response.status, trace: response.trace })
    if (response.status >= 300)
      throw new SafeCreativeError({
        code: 'UNEXPECTED_RESPONSE',
        message: `${component} answered HTTP ${response.status}.`,
        status: response.status,
      })
    return value
  }
}

function normalizeEndpoint(url: string): string {
  const parsed = new URL(url)
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/'
  return parsed.toString()
}
