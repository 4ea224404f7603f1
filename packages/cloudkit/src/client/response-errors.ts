import { type TokenTrace, type TransportResponse, utf8Decode } from '@sigwire/core'
import { CloudKitError, type CloudKitErrorCode, isServerErrorCode } from '../errors.js'

/** CloudKit's error dictionary (DOC `ErrorCodes`; §5), as sent for a failed request or a failed item. */
export interface ServerErrorBody {
  /** CloudKit's id of the failure; quote it when asking Apple about one. */
  uuid?: string
  /** The error code (`AUTHENTICATION_FAILED`, `CONFLICT`, `THROTTLED`...; §5). */
  serverErrorCode?: string
  /** What went wrong, in CloudKit's words. */
  reason?: string
  /** How long to wait before retrying; the client reads it as seconds (Apple does not give the unit, §5). */
  retryAfter?: number
  /** Where the user signs in, with `AUTHENTICATION_REQUIRED` (421, §3). */
  redirectURL?: string
  /** For a failed item of a batch: the record it is about. */
  recordName?: string
}

const ADVICE: Partial<Record<CloudKitErrorCode, string>> = {
  BAD_REQUEST:
    'The request is malformed for this operation; check the arguments against the CloudKit Web Services reference.',
  ACCESS_DENIED: "The caller may not do this: check the container's security roles in CloudKit Dashboard.",
  NOT_FOUND: 'The record, zone or subscription does not exist.',
  ZONE_NOT_FOUND: 'The zone does not exist in this database; create it with zones.modify first.',
  CONFLICT:
    'The record changed on the server since it was read: fetch it again and retry with its new recordChangeTag, or use a force operation.',
  EXISTS: 'A record with this name already exists; use update or forceUpdate, or another recordName.',
  VALIDATING_REFERENCE_ERROR:
    'A VALIDATE reference points to a record that does not exist, or the record is still referenced.',
  QUOTA_EXCEEDED: 'The app or user storage quota is exhausted.',
  THROTTLED: 'CloudKit is throttling this client; wait for retryAfter before retrying.',
  TRY_AGAIN_LATER: 'CloudKit is temporarily unavailable; retry after retryAfter.',
  ZONE_BUSY: 'The zone is busy; retry after retryAfter.',
  INTERNAL_ERROR: 'CloudKit failed internally; retry later and quote the uuid to Apple if it persists.',
  ATOMIC_ERROR: 'An atomic batch failed because another operation in it failed; see the per-record errors.',
  UNIQUE_FIELD_ERROR: 'A field marked unique already has this value in another record.',
}

/** Parses a body as CloudKit's error dictionary, or undefined when it is not one. */
export function parseErrorBody(body: Uint8Array): ServerErrorBody | undefined {
  try {
    const value = JSON.parse(utf8Decode(body)) as unknown
    return value !== null && typeof value === 'object' && 'serverErrorCode' in value
      ? (value as ServerErrorBody)
      : undefined
  } catch {
    return undefined
  }
}

/** What the client knows about how a failed request was authenticated. */
export interface AuthContext {
  readonly mode: 'server-to-server' | 'api-token' | 'none'
  readonly keyId?: string
  readonly container: string
  readonly environment: string
}

/** The typed error for a non-2xx CloudKit response. */
export function errorFromResponse(response: TransportResponse, auth: AuthContext): CloudKitError {
  const body = parseErrorBody(response.body)
  const status = response.status
  const serviceCode = body?.serverErrorCode
  const code: CloudKitErrorCode = isServerErrorCode(serviceCode)
    ? serviceCode
    : serviceCode !== undefined
      ? 'UNKNOWN_SERVER_ERROR'
      : statusCode(status)
  const retryAfterMs = typeof body?.retryAfter === 'number' ? body.retryAfter * 1000 : undefined
  const common = {
    code,
    status,
    ...(serviceCode === undefined ? {} : { serviceCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(body?.uuid === undefined ? {} : { uuid: body.uuid }),
    ...(body?.reason === undefined ? {} : { reason: body.reason }),
    ...(body?.redirectURL === undefined ? {} : { redirectURL: body.redirectURL }),
  }
  const said = `CloudKit answered ${status}${serviceCode ? ` ${serviceCode}` : ''}${body?.reason ? ` ("${body.reason}")` : ''}${body?.uuid ? ` [uuid ${body.uuid}]` : ''}`
  if (code === 'AUTHENTICATION_FAILED') return authenticationFailed(said, response.trace, auth, common)
  if (code === 'AUTHENTICATION_REQUIRED')
    return new CloudKitError({
      ...common,
      message: `${said}: this call needs a signed-in user (no web auth token, or one that expired, was refused or was dropped after its answer was lost). Open redirectURL${body?.redirectURL ? ` (${body.redirectURL})` : ''} for the user to sign in, then give the client the ckWebAuthToken it returns (setWebAuthToken, or the renewWebAuthToken option to do it on demand).`,
    })
  if (body === undefined && status === 405)
    return new CloudKitError({
      ...common,
      message: `${said}: the endpoint does not accept this method or path (APNs tokens live under /device/1/..., not /database/1/...).`,
    })
  if (body === undefined)
    return new CloudKitError({
      ...common,
      code: status >= 500 ? code : 'INVALID_RESPONSE',
      message: `${said} without CloudKit's error body: ${JSON.stringify(utf8Decode(response.body).slice(0, 200))}. Check the base URL.`,
    })
  return new CloudKitError({ ...common, message: `${said}. ${ADVICE[code] ?? ''}`.trim() })
}

function authenticationFailed(
  said: string,
  trace: readonly TokenTrace[],
  auth: AuthContext,
  common: Omit<ConstructorParameters<typeof CloudKitError>[0], 'message'>,
): CloudKitError {
  if (auth.mode !== 'server-to-server')
    return new CloudKitError({
      ...common,
      message: `${said}: the API token is not valid for ${auth.container} (${auth.environment}), or the web auth token expired or was already used (each token is good for one request; the client keeps the rotated one).`,
    })
  const signed = (label: string) => trace.find((t) => t.label === label)?.text
  const details = {
    keyId: auth.keyId,
    date: signed('date'),
    bodyHash: signed('body-hash'),
    target: signed('request-target'),
  }
  return new CloudKitError({
    ...common,
    trace,
    details,
    message: `${said}: the server-to-server signature was rejected. Signed: date ${details.date}, body hash ${details.bodyHash}, target ${details.target}, key ID ${details.keyId}. Check that this key ID is registered for ${auth.container} in ${auth.environment} (development and production have separate keys), that the private key matches the public key in CloudKit Dashboard, and that the clock is right. diagnoseCloudKitRequest (or sigwire doctor) says which.`,
  })
}

function statusCode(status: number): CloudKitErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST'
    case 401:
      return 'AUTHENTICATION_FAILED'
    case 403:
      return 'ACCESS_DENIED'
    case 404:
      return 'NOT_FOUND'
    case 421:
      return 'AUTHENTICATION_REQUIRED'
    case 429:
      return 'THROTTLED'
    case 503:
      return 'TRY_AGAIN_LATER'
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_RESPONSE'
  }
}

/** The typed error of one failed item inside an HTTP 200 batch (§4). */
export function itemError(item: ServerErrorBody, what: string): CloudKitError {
  const serviceCode = item.serverErrorCode ?? 'UNKNOWN'
  const code: CloudKitErrorCode = isServerErrorCode(serviceCode) ? serviceCode : 'UNKNOWN_SERVER_ERROR'
  return new CloudKitError({
    code,
    serviceCode,
    message:
      `${what} failed: ${serviceCode}${item.reason ? ` ("${item.reason}")` : ''}. ${ADVICE[code] ?? ''}`.trim(),
    ...(item.uuid === undefined ? {} : { uuid: item.uuid }),
    ...(item.reason === undefined ? {} : { reason: item.reason }),
    ...(item.recordName === undefined ? {} : { recordName: item.recordName }),
    ...(item.redirectURL === undefined ? {} : { redirectURL: item.redirectURL }),
    ...(typeof item.retryAfter === 'number' ? { retryAfterMs: item.retryAfter * 1000 } : {}),
  })
}
