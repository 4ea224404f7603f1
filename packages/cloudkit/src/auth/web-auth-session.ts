import {
  type Clock,
  firstHeader,
  type HttpRequest,
  type RequestSigner,
  type SignOutput,
  type Token,
  type TokenTrace,
  type TransportResponse,
} from '@sigwire/core'
import { HEADER_WEB_AUTH_TOKEN, HEADER_WEB_AUTH_TOKEN_FALLBACK, PARAM_WEB_AUTH_TOKEN } from '../constants.js'
import type { WebAuthTokenStore } from './web-auth-token-store.js'

/** What `renewWebAuthToken` is told when CloudKit asks for a sign-in. */
export interface WebAuthRenewal {
  /** Where the user signs in (CloudKit's `redirectURL`); the page hands back a new `ckWebAuthToken`. */
  readonly redirectURL: string | undefined
  /** True when the client dropped a token whose successor was lost (its answer never arrived). */
  readonly tokenLost: boolean
  /** The signal of the call that needs the token. */
  readonly signal: AbortSignal | undefined
}

/** Gets a new web auth token (the user signs in at `redirectURL`); undefined gives up. */
export type RenewWebAuthToken = (renewal: WebAuthRenewal) => Promise<string | undefined>

const NO_TOKENS: readonly Token[] = Object.freeze([])
const NO_TRACE: readonly TokenTrace[] = Object.freeze([])

/** What a {@link WebAuthSession} starts from. */
export interface WebAuthSessionOptions {
  /** The token the client was given, if any. */
  readonly token: string | undefined
  /** Asks for a new token when CloudKit wants a sign-in. */
  readonly renew: RenewWebAuthToken | undefined
  /** Told every token an answer rotated in. */
  readonly onRotated: ((token: string) => void) | undefined
  /** Where the latest token is loaded from and saved to; a shared one also gives the user's turns across processes. */
  readonly store: WebAuthTokenStore | undefined
}

/**
 * The signed-in user's web auth token across calls (docs/protocols/cloudkit.md §3). Each answer may
 * carry the token's successor, which replaces it. A token sent on a request whose answer was lost
 * (timeout, reset) is spent as far as the client can know: the service may have used it and sent a
 * successor that never arrived, so it is never sent again, not even by a retry of the same call.
 * Calls then go without a user token, and CloudKit answers AUTHENTICATION_REQUIRED with a
 * `redirectURL`; the client asks `renew` for a new token (once, for every call waiting) or surfaces
 * that error.
 *
 * User calls run one at a time ({@link WebAuthSession.run}). With a {@link WebAuthTokenStore}, each
 * starts from the store's latest token and leaves the token it ended with there (a successor, a
 * renewed one, or none when it was lost or refused); with a shared store, during the user's turn
 * across every process of the fleet, so no two processes send the same token.
 */
export class WebAuthSession {
  #token: string | undefined
  #lost = false
  #renewing: Promise<string | undefined> | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #storing: Promise<unknown> = Promise.resolve()
  readonly #renew: RenewWebAuthToken | undefined
  readonly #onRotated: ((token: string) => void) | undefined
  readonly #store: WebAuthTokenStore | undefined

  constructor(options: WebAuthSessionOptions) {
    this.#token = options.token
    this.#renew = options.renew
    this.#onRotated = options.onRotated
    this.#store = options.store
  }

  /** The current token, or undefined when there is none (never signed in, or dropped). */
  get token(): string | undefined {
    return this.#token
  }

  /**
   * True while user calls must run one at a time: a token is held, was lost, can be renewed, or
   * is kept in a store (which may hold one).
   */
  get active(): boolean {
    return this.#token !== undefined || this.#lost || this.#renew !== undefined || this.#store !== undefined
  }

  /** Whether the client can ask for a new token. */
  get renewable(): boolean {
    return this.#renew !== undefined
  }

  /** Replaces the token (the user signed in); with a store, saves it there before the next user call. */
  set(token: string | undefined): void {
    this.#token = token
    this.#lost = false
    const store = this.#store
    if (store)
      this.#storing = (token === undefined ? store.clear() : store.save(token)).catch(() => undefined)
  }

  /**
   * Runs one user call after the ones before it in this process. With a store: the call starts from
   * the store's latest token and the token it ended with is saved there; with a shared store, the
   * call runs during the user's turn across the fleet (`signal` stops waiting for it).
   */
  run<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const store = this.#store
    const turn = store === undefined ? call : () => this.#withStore(store, call, signal)
    const next = this.#queue.then(turn, turn)
    this.#queue = next.catch(() => undefined)
    return next
  }

  async #withStore<T>(
    store: WebAuthTokenStore,
    call: () => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    await this.#storing
    if (store.fleet)
      return store.fleet.turn(async (latest, keep) => {
        // The store is the truth across the fleet; only a store that never held a token leaves this
        // client's own (given at creation) to be used and saved.
        if (latest !== undefined) this.#adopt(latest)
        try {
          return await call()
        } finally {
          keep(this.#token ?? null)
        }
      }, signal)
    if (this.#token === undefined) {
      const loaded = await store.load()
      if (loaded !== undefined) this.#adopt(loaded)
    }
    const before = this.#token
    try {
      return await call()
    } finally {
      const after = this.#token
      if (after !== before)
        await (after === undefined ? store.clear() : store.save(after)).catch(() => undefined)
    }
  }

  /** Takes the store's latest token (null: it was forgotten, its answer lost or the token refused). */
  #adopt(latest: string | null): void {
    if (latest === null) {
      this.#token = undefined
      return
    }
    if (latest === this.#token) return
    this.#token = latest
    this.#lost = false
  }

  /** Takes the successor a response carries, if any. */
  observe(response: Pick<TransportResponse, 'headers'>): void {
    const next =
      firstHeader(response.headers[HEADER_WEB_AUTH_TOKEN]) ??
      firstHeader(response.headers[HEADER_WEB_AUTH_TOKEN_FALLBACK])
    if (next === undefined || next === '' || next === this.#token) return
    this.#token = next
    this.#lost = false
    this.#onRotated?.(next)
  }

  /** A token went out and no answer came back: drop it if it is still the current one. */
  lost(token: string): void {
    if (this.#token !== token) return
    this.#token = undefined
    this.#lost = true
  }

  /** CloudKit refused `token` as needing a sign-in: drop it if it is still the current one. */
  refused(token: string | undefined): void {
    if (token !== undefined && this.#token === token) this.#token = undefined
  }

  /**
   * Asks `renew` for a new token, once for all the calls that need one at the same time. Resolves
   * to the new token, or undefined when there is no `renew` or it gave up. The call that asked saves
   * it to the store when its turn ends.
   */
  renew(redirectURL: string | undefined, signal: AbortSignal | undefined): Promise<string | undefined> {
    const renew = this.#renew
    if (renew === undefined) return Promise.resolve(undefined)
    this.#renewing ??= renew({ redirectURL, tokenLost: this.#lost, signal })
      .then((token) => {
        if (token !== undefined && token !== '') {
          this.#token = token
          this.#lost = false
        }
        return token || undefined
      })
      .finally(() => {
        this.#renewing = undefined
      })
    return this.#renewing
  }

  /** The per-call hook that puts the token on each attempt (see {@link CallTokens}). */
  forCall(): CallTokens {
    return new CallTokens(this)
  }
}

/**
 * The web auth token of one call, attached to each attempt as `ckWebAuthToken` by the transport's
 * per-attempt hook (a `RequestSigner` that signs nothing: API-token requests carry no signature). An
 * attempt that sent a token and got no answer marks that token lost before the next attempt, so a
 * retry never repeats it; every answer's successor token is taken as it arrives.
 */
export class CallTokens implements RequestSigner {
  readonly #session: WebAuthSession
  #unanswered: string | undefined
  #sent: string | undefined

  constructor(session: WebAuthSession) {
    this.#session = session
  }

  /** The token the last attempt carried (undefined when it went without one). */
  get sent(): string | undefined {
    return this.#sent
  }

  tokens(_request: HttpRequest, _date: Date): readonly Token[] {
    return NO_TOKENS
  }

  sign(_request: HttpRequest, _clock: Clock): SignOutput {
    this.finish()
    const token = this.#session.token
    this.#sent = token
    this.#unanswered = token
    return { query: token === undefined ? [] : [[PARAM_WEB_AUTH_TOKEN, token]], trace: NO_TRACE }
  }

  /** An answer arrived for the last attempt. */
  answered(response: Pick<TransportResponse, 'headers'>): void {
    this.#unanswered = undefined
    this.#session.observe(response)
  }

  /** The call (or an attempt) ended: a token still waiting for its answer is lost. */
  finish(): void {
    if (this.#unanswered !== undefined) this.#session.lost(this.#unanswered)
    this.#unanswered = undefined
  }
}
