import {
  type CallOptions,
  callSignal,
  createRequest,
  type HttpMethod,
  type OwnedBody,
  type ProgressOptions,
  type Transport,
  type TransportResponse,
  utf8Decode,
} from '@sigwire/core'
import { resignOnSkew } from '../auth/resign-on-skew.js'
import { appleNewsError, toAppleNewsError } from '../errors.js'
import type { AppleNewsSigner } from '../signing/signer.js'
import { responseError } from './response-error.js'

/** What every resource file of the client calls through. */
export interface ApiContext {
  readonly baseUrl: string
  readonly channelId: string
  readonly transport: Transport
  readonly signer: AppleNewsSigner
  /** Aborts every call of the client. */
  readonly signal: AbortSignal | undefined
}

/** One signed call. */
export interface ApiCall {
  readonly method: HttpMethod
  readonly path: string
  readonly what: string
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly body?: OwnedBody
  readonly contentType?: string
  /** The operation may be repeated (promoting a list is; creating an article is not). */
  readonly retrySafe?: boolean
  /** For a write that may not be repeated: how to check whether it was applied when its answer is lost. */
  readonly outcomeHint?: string
}

const ID = /^[A-Za-z0-9_-]{1,128}$/

/** Throws `INVALID_ARGUMENT` unless `id` is a plain path-safe identifier (UUID or share-URL id). */
export function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !ID.test(id))
    throw appleNewsError(
      'INVALID_ARGUMENT',
      `The ${what} ${JSON.stringify(String(id).slice(0, 80))} is not an Apple News ID (a UUID like c0ffee00-1234-4abc-8def-0123456789ab).`,
      { details: { argument: what } },
    )
  return id
}

/**
 * Signs and sends one call (re-signed once after a skewed 401); returns the response of a 2xx, else
 * throws the typed error. `onProgress` follows the request body (every attempt from 0).
 */
export async function send(
  context: ApiContext,
  call: ApiCall,
  options: CallOptions & ProgressOptions = {},
): Promise<TransportResponse> {
  let response: TransportResponse
  try {
    const request = createRequest({
      method: call.method,
      url: context.baseUrl + call.path,
      ...(call.query && call.query.length > 0 ? { query: call.query } : {}),
      headers: { accept: 'application/json', 'content-type': call.contentType },
      ...(call.body ? { body: call.body } : {}),
    })
    const signal = callSignal(context.signal, options.signal)
    const sendOptions = {
      signer: context.signer,
      ...(call.retrySafe ? { retrySafe: true } : {}),
      ...(call.outcomeHint ? { outcomeHint: call.outcomeHint } : {}),
      ...(signal ? { signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.onProgress ? { onUploadProgress: options.onProgress } : {}),
    }
    response = await resignOnSkew(context.transport, () => context.transport.send(request, sendOptions))
  } catch (error) {
    throw toAppleNewsError(error)
  }
  if (response.status >= 200 && response.status < 300) return response
  throw responseError(response, call.what)
}

/** Parses a JSON response body. */
export function json<T>(response: TransportResponse, what: string): T {
  try {
    return JSON.parse(utf8Decode(response.body)) as T
  } catch {
    throw appleNewsError(
      'INVALID_RESPONSE',
      `Apple News answered ${what} with HTTP ${response.status} but a body that is not JSON.`,
      { status: response.status },
    )
  }
}

/** The `data` member of a JSON response. */
export function data<T>(response: TransportResponse, what: string): T {
  const parsed = json<{ data?: T }>(response, what)
  if (parsed === null || typeof parsed !== 'object' || parsed.data === undefined)
    throw appleNewsError('INVALID_RESPONSE', `Apple News answered ${what} without a "data" member.`, {
      status: response.status,
    })
  return parsed.data
}
