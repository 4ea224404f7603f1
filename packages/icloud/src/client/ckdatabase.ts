import { setTimeout as sleep } from 'node:timers/promises'
import { type CallOptions, jsonBody } from '@sigwire/core'
import { ICloudError, isICloudError } from '../errors.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

// The calls of the web apps' CloudKit containers (Photos, Notes, Reminders) through `ckdatabasews`.

/** Read-only calls are sent again after throttling; this many times at most. */
export const THROTTLE_RETRIES = 4
const MAX_THROTTLE_WAIT_MS = 60_000

/**
 * The operations that only read (CloudKit Web Services Reference: "Fetching Records Using a Query",
 * "Fetching Records by Record Name", "Fetching Record Zones", "Fetching Record Zone Changes",
 * "Fetching Database Changes"; `internal/records/query/batch` is the Photos web app's batch of count
 * queries, docs/protocols/icloud.md §16). They are POSTs, so the transport would treat a lost answer as
 * a write that may have been applied; repeating one changes nothing, so they are sent again instead.
 */
const READ_OPS: ReadonlySet<string> = new Set([
  'records/query',
  'records/lookup',
  'records/changes',
  'zones/list',
  'zones/lookup',
  'changes/zone',
  'changes/database',
  'internal/records/query/batch',
])

/** One database operation of a container. */
export interface CkDatabaseRequest {
  /** The container, e.g. `com.apple.notes`. */
  readonly container: string
  /** The database of the container. */
  readonly database: 'private' | 'shared'
  /** The operation, e.g. `records/query`. */
  readonly op: string
  /** The JSON body. */
  readonly body: unknown
  /** The caller's options. */
  readonly options: CallOptions
  /**
   * Whether the transport may send the call again after a lost connection (it only reads). Default:
   * true for the read operations (`records/query`, `records/lookup`, `zones/list`, `changes/zone`, ...).
   */
  readonly retrySafe?: boolean
  /** How many times a THROTTLED answer is waited out and the call sent again (0 when absent). */
  readonly throttleRetries?: number
  /** Turns the service's refusals into the container's typed errors. */
  readonly mapError?: (error: unknown) => unknown
}

/**
 * Sends one `ckdatabasews` operation with the web app's parameters (pyicloud service.py 99-105:
 * `remapEnums`, `getCurrentSyncToken`, a JSON body sent as `text/plain`). After throttling it waits
 * as asked (or backs off) and sends again: the refused call changed nothing.
 */
export async function callCkDatabase<T>(caller: ServiceCaller, request: CkDatabaseRequest): Promise<T> {
  const { options } = request
  for (let attempt = 0; ; attempt++) {
    try {
      return await caller.call<T>(
        'ckdatabasews',
        'POST',
        `/database/1/${request.container}/production/${request.database}/${request.op}`,
        {
          query: { remapEnums: 'true', getCurrentSyncToken: 'true' },
          body: jsonBody(request.body),
          contentType: 'text/plain',
          retrySafe: request.retrySafe ?? READ_OPS.has(request.op),
          ...callOptions(options),
        },
      )
    } catch (error) {
      if (isICloudError(error, 'THROTTLED') && attempt < (request.throttleRetries ?? 0)) {
        const wait = Math.min(error.retryAfterMs ?? 1000 * 2 ** attempt, MAX_THROTTLE_WAIT_MS)
        await sleep(wait, undefined, options.signal ? { signal: options.signal } : {})
        continue
      }
      throw request.mapError ? request.mapError(error) : error
    }
  }
}

/** The messages of {@link containerRefusal} for one container. */
export interface RefusalMessages {
  /** What to do when Advanced Data Protection keeps the web out. */
  readonly webAccess: string
  /** What a missing zone means for this container. */
  readonly zoneNotFound: string
  /** The `details` of the NOT_FOUND error of a missing zone. */
  readonly zoneDetails?: Record<string, unknown>
}

/**
 * A container's own refusals as typed errors: ACCESS_DENIED or HTTP 423 is Advanced Data Protection
 * without web access (docs/protocols/icloud.md §5.5), WEB_ACCESS_REQUIRED; ZONE_NOT_FOUND is NOT_FOUND.
 */
export function containerRefusal(error: unknown, messages: RefusalMessages): unknown {
  if (!isICloudError(error, 'SERVICE_ERROR')) return error
  if (error.serviceCode === 'ACCESS_DENIED' || error.status === 423)
    return new ICloudError({
      code: 'WEB_ACCESS_REQUIRED',
      status: error.status,
      serviceCode: error.serviceCode ?? 'ACCESS_DENIED',
      message: messages.webAccess,
      cause: error,
    })
  if (error.serviceCode === 'ZONE_NOT_FOUND')
    return new ICloudError({
      code: 'NOT_FOUND',
      status: error.status,
      serviceCode: 'ZONE_NOT_FOUND',
      message: messages.zoneNotFound,
      ...(messages.zoneDetails ? { details: messages.zoneDetails } : {}),
      cause: error,
    })
  return error
}

/**
 * The pages of a `records/query`: `fetch` is called with the previous page's `continuationMarker`
 * (none for the first page) until a page comes without one.
 */
export async function* queryPages<A extends { continuationMarker?: string | null | undefined }>(
  fetch: (marker: string | undefined) => Promise<A>,
): AsyncIterableIterator<A> {
  let marker: string | undefined
  do {
    const answer = await fetch(marker)
    yield answer
    marker = answer?.continuationMarker ?? undefined
  } while (marker)
}
