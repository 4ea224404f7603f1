import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { sendJson } from '@sigwire/emulator-kit'
import { type CloudKitServerErrorCode, SERVER_ERROR_STATUS } from '../errors.js'

/** A request-level failure, answered with CloudKit's error dictionary (docs/protocols/cloudkit.md §5). */
export class CloudKitFailure extends Error {
  readonly serverErrorCode: CloudKitServerErrorCode
  readonly status: number
  readonly extra: { retryAfter?: number; redirectURL?: string }

  constructor(
    serverErrorCode: CloudKitServerErrorCode,
    reason: string,
    extra: { retryAfter?: number; redirectURL?: string; status?: number } = {},
  ) {
    super(reason)
    this.serverErrorCode = serverErrorCode
    this.status = extra.status ?? SERVER_ERROR_STATUS[serverErrorCode]
    this.extra = {
      ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
      ...(extra.redirectURL === undefined ? {} : { redirectURL: extra.redirectURL }),
    }
  }
}

/** The error dictionary CloudKit sends: `{uuid, serverErrorCode, reason[, retryAfter][, redirectURL]}`. */
export function errorBody(
  serverErrorCode: string,
  reason: string,
  extra: { retryAfter?: number; redirectURL?: string; recordName?: string } = {},
): Record<string, unknown> {
  return { uuid: randomUUID(), serverErrorCode, reason, ...extra }
}

/** Writes a request-level failure. */
export function sendFailure(
  res: ServerResponse,
  failure: CloudKitFailure,
  headers: Record<string, string>,
): void {
  sendJson(res, failure.status, errorBody(failure.serverErrorCode, failure.message, failure.extra), headers)
}

/** A per-item error inside an HTTP 200 batch. */
export function itemError(
  serverErrorCode: CloudKitServerErrorCode,
  reason: string,
  extra: { recordName?: string; subscriptionID?: string; zoneID?: unknown } = {},
): Record<string, unknown> {
  return { ...extra, ...errorBody(serverErrorCode, reason) }
}

/** Shorthand for a `BAD_REQUEST` failure. */
export function badRequest(reason: string): CloudKitFailure {
  return new CloudKitFailure('BAD_REQUEST', reason)
}
