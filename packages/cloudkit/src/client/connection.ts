import {
  type CallOptions,
  callSignal,
  createRequest,
  firstHeader,
  type HttpMethod,
  jsonBody,
  type OwnedBody,
  type ProgressOptions,
  type ResponseVerdict,
  type StreamResponse,
  type StreamSendOptions,
  type Transport,
  type TransportResponse,
  utf8Decode,
} from '@sigwire/core'
import { resignOnSkew } from '../auth/resign-on-skew.js'
import { mayHaveUsedToken } from '../auth/spent-token.js'
import type { WebAuthTokenStore } from '../auth/web-auth-token-store.js'
import {
  HEADER_WEB_AUTH_TOKEN,
  HEADER_WEB_AUTH_TOKEN_FALLBACK,
  PARAM_API_TOKEN,
  PARAM_WEB_AUTH_TOKEN,
} from '../constants.js'
import { CloudKitError, cloudKitError, invalidArgument } from '../errors.js'
import type { CloudKitSigner } from '../signing/signer.js'
import { type CloudKitAddress, type CloudKitDatabaseName, databasePath, devicePath } from './address.js'
import { type AuthContext, errorFromResponse, parseErrorBody } from './response-errors.js'

/** One CloudKit call. */
export interface CallSpec {
  /** The database of a `/database/1/...` call; undefined for `/device/1/...` token calls. */
  readonly database: CloudKitDatabaseName | undefined
  /** The operation path, e.g. `records/query`. */
  readonly operation: string
  readonly method: 'GET' | 'POST'
  /** The JSON body (serialized once; those bytes are signed and sent). */
  readonly body?: unknown
  /** The operation only reads, so a dropped connection may be retried. */
  readonly readOnly?: boolean
}

/** What a {@link Connection} needs. */
export interface ConnectionOptions {
  readonly address: CloudKitAddress
  readonly baseUrl: string
  readonly transport: Transport
  readonly signer: CloudKitSigner | undefined
  readonly apiToken: string | undefined
  readonly webAuthToken: string | undefined
  readonly onWebAuthToken: ((token: string) => void) | undefined
  /** Where the token is kept; a shared one runs the user's calls one at a time across processes. */
  readonly webAuthTokenStore?: WebAuthTokenStore | undefined
  /** Aborts every call of the client. */
  readonly signal: AbortSignal | undefined
}

const CONTENT_TYPE = { 'content-type': 'text/plain' } as const

/** How to check a write whose answer was lost (`OUTCOME_UNKNOWN`; docs/protocols/cloudkit.md §4). */
export const OUTCOME_HINT =
  'Look it up (records.lookup, zones.lookup, subscriptions.lookup) before writing again; compare the recordChangeTag: a create that was applied answers EXISTS when repeated, an update with the old recordChangeTag answers CONFLICT.'

/**
 * Sends CloudKit calls with the right authentication: a server-to-server signature for the public
 * database when a key is configured, otherwise `ckAPIToken` plus the user's `ckWebAuthToken`
 * (percent-encoded). A user token is good for one round trip: every response may carry its successor
 * in `X-Apple-CloudKit-Web-Auth-Token`, so calls that carry one run one at a time and each uses the
 * latest (docs/protocols/cloudkit.md §3).
 */
export class Connection {
  readonly address: CloudKitAddress
  readonly transport: Transport
  readonly #options: ConnectionOptions
  #webAuthToken: string | undefined
  #userQueue: Promise<unknown> = Promise.resolve()
  #storing: Promise<unknown> = Promise.resolve()

  constructor(options: ConnectionOptions) {
    this.#options = options
    this.address = options.address
    this.transport = options.transport
    this.#webAuthToken = options.webAuthToken
    const redactor = options.transport.redactor
    redactor.addSecret(options.apiToken)
    redactor.addSecret(options.webAuthToken)
  }

  /** The current web auth token (rotated after every response that carried a new one). */
  get webAuthToken(): string | undefined {
    return this.#webAuthToken
  }

  /** Replaces the web auth token (after the user signed in). */
  setWebAuthToken(token: string | undefined): void {
    this.transport.redactor.addSecret(token)
    this.#webAuthToken = token
    const store = this.#options.webAuthTokenStore
    // The next user call waits for this save: it reads the token from the store.
    if (store)
      this.#storing = (token === undefined ? store.clear() : store.save(token)).catch(() => undefined)
  }

  #adoptRotated(token: string): void {
    // Rotated tokens travel only as the ckWebAuthToken parameter and the X-Apple-CloudKit-Web-Auth-Token
    // header, which the redactor masks by name. Registering each one by value would grow the redactor
    // by one pattern per request for the life of the client.
    this.#webAuthToken = token
  }

  /** Sends a call and returns its parsed JSON body; a non-2xx answer throws the typed error. */
  async call<T>(spec: CallSpec, options: CallOptions = {}): Promise<T> {
    const auth = this.#authFor(spec.database)
    const run = async () => {
      let response: TransportResponse
      try {
        response = await this.#send(spec, auth, options)
      } catch (error) {
        throw cloudKitError(error)
      }
      if (response.status < 200 || response.status >= 300)
        throw errorFromResponse(response, this.#context(auth))
      return parseJson<T>(response)
    }
    const store = this.#options.webAuthTokenStore
    if (auth !== 'api-token' || (this.#webAuthToken === undefined && store === undefined)) return run()
    const turn = store === undefined ? run : () => this.#withStore(store, run, options)
    const next = this.#userQueue.then(turn, turn)
    this.#userQueue = next.catch(() => undefined)
    return next
  }

  /**
   * Runs one user call with the store's latest token and keeps its successor there; with a shared
   * store, during the user's turn in the fleet. A token whose answer was lost may have been used (and
   * its successor lost with the answer): it is forgotten, never sent again.
   */
  async #withStore<T>(store: WebAuthTokenStore, run: () => Promise<T>, options: CallOptions): Promise<T> {
    await this.#storing
    const once = async (latest: string | undefined, keep: (token: string | null) => void) => {
      if (latest !== undefined) this.#webAuthToken = latest
      const sent = this.#webAuthToken
      try {
        return await run()
      } catch (error) {
        if (sent !== undefined && this.#webAuthToken === sent && mayHaveUsedToken(error))
          this.#webAuthToken = undefined
        throw error
      } finally {
        if (this.#webAuthToken !== latest) keep(this.#webAuthToken ?? null)
      }
    }
    if (store.fleet) return store.fleet.turn(once, this.signalOf(options))
    const latest = this.#webAuthToken === undefined ? await store.load() : undefined
    return once(latest, (token) => {
      void (token === null ? store.clear() : store.save(token)).catch(() => undefined)
    })
  }

  /**
   * An unsigned request to a URL CloudKit handed out (asset upload and download hosts). `onProgress`
   * follows the request body, or with `stream` the response body.
   */
  async unsigned(
    method: HttpMethod,
    url: string,
    body: OwnedBody | undefined,
    options: CallOptions & ProgressOptions & { stream: true },
  ): Promise<StreamResponse>
  async unsigned(
    method: HttpMethod,
    url: string,
    body: OwnedBody | undefined,
    options?: CallOptions & ProgressOptions & { stream?: false },
  ): Promise<TransportResponse>
  async unsigned(
    method: HttpMethod,
    url: string,
    body: OwnedBody | undefined,
    options: CallOptions & ProgressOptions & { stream?: boolean } = {},
  ): Promise<TransportResponse | StreamResponse> {
    try {
      const request = createRequest({ method, url, ...(body ? { body } : {}) })
      // Asset hosts take the same bytes again without harm: a repeated upload only yields another receipt.
      const send: StreamSendOptions = { retrySafe: true, classify, ...this.#callOptions(options) }
      if (options.stream) {
        if (options.onProgress) send.onDownloadProgress = options.onProgress
        return await this.transport.sendStream(request, send)
      }
      if (options.onProgress) send.onUploadProgress = options.onProgress
      return await this.transport.send(request, send)
    } catch (error) {
      throw cloudKitError(error)
    }
  }

  /** The authentication context of a failed unsigned call (for error messages). */
  get unsignedContext(): AuthContext {
    return this.#context('none')
  }

  #authFor(database: CloudKitDatabaseName | undefined): 'server-to-server' | 'api-token' {
    const { signer, apiToken } = this.#options
    if ((database === 'public' || database === undefined) && signer) return 'server-to-server'
    if (apiToken) return 'api-token'
    throw invalidArgument(
      signer
        ? `Server-to-server keys reach only the public database; the ${database} database needs apiToken and the user's webAuthToken.`
        : 'This client has no credentials: pass serverToServer ({ keyId, privateKey }) for the public database, or apiToken (and webAuthToken for user data).',
      'apiToken',
    )
  }

  async #send(
    spec: CallSpec,
    auth: 'server-to-server' | 'api-token',
    options: CallOptions,
  ): Promise<TransportResponse> {
    const path =
      spec.database === undefined
        ? devicePath(this.address, spec.operation)
        : databasePath(this.address, spec.database, spec.operation)
    const query: Array<[string, string]> = []
    if (auth === 'api-token') {
      // createRequest percent-encodes per RFC 3986, so + / = in a web auth token become %2B %2F %3D (§3).
      query.push([PARAM_API_TOKEN, this.#options.apiToken!])
      if (this.#webAuthToken !== undefined) query.push([PARAM_WEB_AUTH_TOKEN, this.#webAuthToken])
    }
    const request = createRequest({
      method: spec.method,
      url: this.#options.baseUrl + path,
      query,
      ...(spec.body === undefined ? {} : { body: jsonBody(spec.body), headers: CONTENT_TYPE }),
    })
    const send = {
      classify,
      ...(spec.readOnly ? { retrySafe: true } : { outcomeHint: OUTCOME_HINT }),
      ...this.#callOptions(options),
    }
    const response =
      auth === 'server-to-server'
        ? await resignOnSkew(this.transport, () =>
            this.transport.send(request, { ...send, signer: this.#options.signer! }),
          )
        : await this.transport.send(request, send)
    this.#rotate(response)
    return response
  }

  /** The signal of one call: the call's own and the client's together. */
  signalOf(options: CallOptions): AbortSignal | undefined {
    return callSignal(this.#options.signal, options.signal)
  }

  #callOptions(options: CallOptions): Pick<StreamSendOptions, 'signal' | 'timeoutMs'> {
    const signal = this.signalOf(options)
    return {
      ...(signal ? { signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }
  }

  #rotate(response: TransportResponse): void {
    const token =
      firstHeader(response.headers[HEADER_WEB_AUTH_TOKEN]) ??
      firstHeader(response.headers[HEADER_WEB_AUTH_TOKEN_FALLBACK])
    if (token === undefined || token === '' || token === this.#webAuthToken) return
    this.#adoptRotated(token)
    this.#options.onWebAuthToken?.(token)
  }

  #context(mode: AuthContext['mode']): AuthContext {
    return {
      mode,
      ...(mode === 'server-to-server' ? { keyId: this.#options.signer!.keyId } : {}),
      container: this.address.container,
      environment: this.address.environment,
    }
  }
}

/**
 * Reads CloudKit's retry signals: `THROTTLED`, `TRY_AGAIN_LATER` and `ZONE_BUSY` mean the request was
 * refused, not processed, so they are retried after `retryAfter` seconds whatever the method.
 */
export function classify(response: TransportResponse): ResponseVerdict | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined
  const body = parseErrorBody(response.body)
  const code = body?.serverErrorCode
  if (code !== 'THROTTLED' && code !== 'TRY_AGAIN_LATER' && code !== 'ZONE_BUSY') return undefined
  return {
    retry: 'always',
    ...(typeof body?.retryAfter === 'number' ? { retryAfterMs: body.retryAfter * 1000 } : {}),
  }
}

function parseJson<T>(response: TransportResponse): T {
  if (response.body.byteLength === 0) return {} as T
  try {
    return JSON.parse(utf8Decode(response.body)) as T
  } catch {
    throw new CloudKitError({
      code: 'INVALID_RESPONSE',
      status: response.status,
      message: `CloudKit answered ${response.status} with a body that is not JSON: ${JSON.stringify(utf8Decode(response.body).slice(0, 120))}.`,
    })
  }
}
