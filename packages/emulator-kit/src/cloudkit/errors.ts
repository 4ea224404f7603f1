import { randomUUID } from 'node:crypto'
import { EmulatorError, type EmulatorError as KitError } from '../errors.js'
import { type Reply, reply } from '../reply.js'
import type { EmulatorRequest } from '../routes.js'
import { ENGINE_ERROR_STATUS, type EngineErrorCode } from './vocabulary.js'

/** The status and code the kit's own errors become in CloudKit's shape. */
const KIT_CODES: Readonly<Record<string, EngineErrorCode>> = {
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'BAD_REQUEST',
  MALFORMED_REQUEST: 'BAD_REQUEST',
  BODY_TOO_LARGE: 'QUOTA_EXCEEDED',
  INTERNAL: 'INTERNAL_ERROR',
}

/**
 * A request-level failure with CloudKit's error dictionary (docs/protocols/cloudkit.md §5): `reason` is
 * what the body says; `extra` adds `retryAfter`, `redirectURL` or another status.
 */
export function cloudKitError(
  serverErrorCode: EngineErrorCode,
  reason: string,
  extra: {
    retryAfter?: number
    redirectURL?: string
    status?: number
    kind?: 'auth' | 'request'
    logReason?: string
    explanation?: string
    token?: string
  } = {},
): EmulatorError {
  return new EmulatorError(serverErrorCode, reason, {
    status: extra.status ?? ENGINE_ERROR_STATUS[serverErrorCode],
    details: {
      ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
      ...(extra.redirectURL === undefined ? {} : { redirectURL: extra.redirectURL }),
    },
    ...(extra.kind ? { kind: extra.kind } : {}),
    ...(extra.logReason ? { reason: extra.logReason } : {}),
    ...(extra.explanation ? { explanation: extra.explanation } : {}),
    ...(extra.token ? { token: extra.token } : {}),
  })
}

/** The error dictionary CloudKit sends: `{uuid, serverErrorCode, reason[, retryAfter][, redirectURL]}`. */
export function errorBody(
  serverErrorCode: string,
  reason: string,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return { uuid: randomUUID(), serverErrorCode, reason, ...extra }
}

/** Renders any emulator error as CloudKit's error dictionary. */
export function renderCloudKitError(error: KitError, _request: EmulatorRequest): Reply {
  const kit = Object.hasOwn(KIT_CODES, error.code)
  const code = kit ? KIT_CODES[error.code]! : error.code
  return reply(error.status, { json: errorBody(code, error.message, kit ? {} : error.details) })
}

/** A per-item error inside an HTTP 200 batch. */
export function itemError(
  serverErrorCode: EngineErrorCode,
  reason: string,
  extra: { recordName?: string; subscriptionID?: string; zoneID?: unknown } = {},
): Record<string, unknown> {
  return { ...extra, ...errorBody(serverErrorCode, reason) }
}

/** Shorthand for a `BAD_REQUEST` failure. */
export function badRequest(reason: string): EmulatorError {
  return cloudKitError('BAD_REQUEST', reason)
}
