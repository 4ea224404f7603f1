import {
  type CallOptions,
  callSignal,
  createRequest,
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
import { type CallTokens, type RenewWebAuthToken, WebAuthSession } from '../auth/web-auth-session.js'
import type { WebAuthTokenStore } from '../auth/web-auth-token-store.js'
import { PARAM_API_TOKEN } from '../constants.js'
import { CloudKitError, cloudKitError, invalidArgument, isCloudKitError } from '../errors.js'
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
  readonly renewWebAuthToken: RenewWebAuthToken | undefined
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
 * latest; a token whose answer was lost is never sent again, and AUTHENTICATION_REQUIRED asks
 * `renewWebAuthToken` for a new one (docs/protocols/cloudkit.md §3; {@link WebAuthSession}).
 */
export class Connection {
  readonly address: CloudKitAddress
  readonly transport: Transport
  readonly #options: ConnectionOptions
  readonly #session: WebAuthSession

  constructor(options: ConnectionOptions) {
    this.#options = options
    this.address = options.address
    this.transport = options.transport
    // Rotated tokens travel only as the ckWebAuthToken parameter and the X-Apple-CloudKit-Web-Auth-Token
    // header, which the redactor masks by name. Registering each one by value would grow the redactor
    // by one pattern per request for the life of the client.
    this.#session = new WebAuthSession({
      token: options.webAuthToken,
      renew: options.renewWebAuthToken,
      onRotated: options.onWebAuthToken,
      store: options.webAuthTokenStore,
    })
    const redactor = options.transport.redactor
    redactor.addSecret(options.apiToken)
    redactor.addSecret(options.webAuthToken)
  }

  /** The current web auth token (rotated after every response that carried a new one). */
  get webAuthToken(): string | undefined {
    return this.#session.token
  }

  /** Replaces the web auth token (after the user signed in). */
  setWebAuthToken(token: string | undefined): void {
    this.transport.redactor.addSecret(token)
    this.#session.set(token)
  }

  /** Sends a call and returns its parsed JSON body; a non-2xx answer throws the typed error. */
  async call<T>(spec: CallSpec, options: CallOptions = {}): Promise<T> {
    const auth = this.#authFor(spec.database)
    if (auth !== 'api-token') return this.#run<T>(spec, auth, options, undefined)
    if (!this.#session.active) return this.#run<T>(spec, auth, options, undefined)
    return this.#session.run(() => this.#runAsUser<T>(spec, options), this.signalOf(options))
  }

  /**
   * A user call: on AUTHENTICATION_REQUIRED the refused token is dropped and, with
   * `renewWebAuthToken`, a new one is asked for and the call sent once more (CloudKit did not act on
   * a refused request, so repeating a write is safe).
   */
  async #runAsUser<T>(spec: CallSpec, options: CallOptions): Promise<T> {
    for (let renewed = false; ; renewed = true) {
      const tokens = this.#session.forCall()
      try {
        return await this.#run<T>(spec, 'api-token', options, tokens)
      } catch (error) {
        if (!isCloudKitError(error, 'AUTHENTICATION_REQUIRED')) throw error
        this.#session.refused(tokens.sent)
        if (renewed || !this.#session.renewable) throw error
        const token = await this.#session
          .renew(error.redirectURL, this.signalOf(options))
          .catch((cause: unknown) => {
            throw renewalFailed(error, cause)
          })
        if (token === undefined) throw error
        this.transport.redactor.addSecret(token)
      }
    }
  }

  async #run<T>(
    spec: CallSpec,
    auth: 'server-to-server' | 'api-token',
    options: CallOptions,
    tokens: CallTokens | undefined,
  ): Promise<T> {
    let response: TransportResponse
    try {
      response = await this.#send(spec, auth, options, tokens)
    } catch (error) {
      throw cloudKitError(error)
    } finally {
      tokens?.finish()
    }
    if (response.status < 200 || response.status >= 300)
      throw errorFromResponse(response, this.#context(auth))
    return parseJson<T>(response)
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
    tokens: CallTokens | undefined,
  ): Promise<TransportResponse> {
    const path =
      spec.database === undefined
        ? devicePath(this.address, spec.operation)
        : databasePath(this.address, spec.database, spec.operation)
    const query: Array<[string, string]> = []
    if (auth === 'api-token') {
      // createRequest percent-encodes per RFC 3986, so + / = in a web auth token become %2B %2F %3D (§3).
      // The web auth token is added per attempt by `tokens` (a retry must not repeat a lost one).
      query.push([PARAM_API_TOKEN, this.#options.apiToken!])
    }
    const request = createRequest({
      method: spec.method,
      url: this.#options.baseUrl + path,
      query,
      ...(spec.body === undefined ? {} : { body: jsonBody(spec.body), headers: CONTENT_TYPE }),
    })
    const send = {
      classify: tokens
        ? (response: TransportResponse) => {
            tokens.answered(response)
            return classify(response)
          }
        : classify,
      ...(spec.readOnly ? { retrySafe: true } : { outcomeHint: OUTCOME_HINT }),
      ...this.#callOptions(options),
    }
    if (auth === 'server-to-server')
      return resignOnSkew(this.transport, () =>
        this.transport.send(request, { ...send, signer: this.#options.signer! }),
      )
    return this.transport.send(request, tokens ? { ...send, signer: tokens } : send)
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

/** The AUTHENTICATION_REQUIRED error, told that `renewWebAuthToken` threw (its error as `cause`). */
function renewalFailed(error: CloudKitError, cause: unknown): CloudKitError {
  if (isCloudKitError(cause)) return cause
  return new CloudKitError({
    code: 'AUTHENTICATION_REQUIRED',
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
    ...(error.redirectURL === undefined ? {} : { redirectURL: error.redirectURL }),
    message: `${error.message} renewWebAuthToken failed: ${String((cause as Error)?.message ?? cause)}`,
    cause,
  })
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
