import {
  EmulatorError,
  isEmulatorError,
  parseJsonBody,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import {
  badRequest,
  type CloudKitData,
  cloudKitError,
  DEFAULT_ZONE,
  ENGINE_FIELD_TYPES,
  errorBody,
  listZones,
  lookupRecords,
  type OperationContext,
  recordChanges,
} from '@sigwire/emulator-kit/cloudkit'
import type { ICloudContext } from '../context.js'
import type { EmulatedAccount } from '../state.js'
import { NOTES_CONTAINER, NOTES_ENVIRONMENT, NOTES_SCOPE, type NotesLibrary } from './library.js'
import { notesChanges, notesQuery } from './query.js'

const MAX_JSON_BODY = 1024 * 1024
/** Apple's own containers add ENCRYPTED_BYTES to CloudKit's field types (`TitleEncrypted`, §19.3). */
const NOTES_FIELD_TYPES: ReadonlySet<string> = new Set([...ENGINE_FIELD_TYPES, 'ENCRYPTED_BYTES'])

/** What the Notes routes need from the iCloud emulator. */
export interface NotesEnv {
  /** Base. */
  readonly base: Omit<ICloudContext, 'tx' | 'cookieDomain'>
  /** The engine's state. */
  readonly data: CloudKitData
  /** The accounts' notes. */
  readonly library: NotesLibrary
  /** The authenticated account of a service request (its web session cookie), or undefined. */
  account(request: RouteRequest<unknown>): EmulatedAccount | undefined
}

/**
 * The `ckdatabasews` routes of the `com.apple.notes` container (docs/protocols/icloud.md §19.6):
 * listed before the Photos routes, whose pattern takes any container.
 */
export function notesRoutes(env: NotesEnv, serviceAuth: RouteAuth<unknown>): Route<unknown>[] {
  const auth: RouteAuth<unknown> = {
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service: 'ckdatabasews' }),
      }),
  }
  return ['', '/cn'].map((prefix) => ({
    method: ['GET', 'POST'],
    path: `${prefix}/ws/ckdatabasews/database/1/${NOTES_CONTAINER}/:environment/:database/*op`,
    auth,
    maxBodyBytes: MAX_JSON_BODY,
    handle: (request: RouteRequest<unknown>) => cloudKitShaped(() => runDatabase(env, request)),
  }))
}

/** Engine errors carry CloudKit's error dictionary as the iCloud emulator's error body. */
async function cloudKitShaped(run: () => Reply | Promise<Reply>): Promise<Reply> {
  try {
    return await run()
  } catch (error) {
    if (isEmulatorError(error) && !Object.hasOwn(error.details, 'body'))
      throw new EmulatorError(error.code, error.message, {
        status: error.status,
        details: { body: errorBody(error.code, error.message, error.details) },
        headers: error.headers,
        kind: error.kind,
      })
    throw error
  }
}

async function runDatabase(env: NotesEnv, request: RouteRequest<unknown>): Promise<Reply> {
  const { environment, database } = request.params
  const op = request.params.op!.replace(/\/+$/, '')
  if (environment !== NOTES_ENVIRONMENT)
    throw cloudKitError(
      'NOT_FOUND',
      `The emulator serves ${NOTES_CONTAINER} in ${NOTES_ENVIRONMENT} only, not ${environment}.`,
    )
  if (database !== 'private')
    throw cloudKitError('BAD_REQUEST', `Notes lives in the private database, not ${database}.`)
  const account = env.account(request)!
  await env.library.ensureAccount(account.dsid)
  const body = parseBody(request.body)
  const ctx: OperationContext = {
    data: env.data,
    tx: request.tx,
    now: request.receivedAt,
    baseUrl: env.base.origin,
    scope: NOTES_SCOPE,
    database: 'private',
    principal: { kind: 'user', userRecordName: env.library.ownerOf(account.dsid) },
    body,
    maxAssetBytes: 0,
    signInUrl: `${env.base.origin}/setup/ws/1/accountLogin`,
    fieldTypes: NOTES_FIELD_TYPES,
  }
  const json = (value: unknown) => reply(200, { json: value })
  switch (`${request.method} ${op}`) {
    case 'GET zones/list':
    case 'POST zones/list':
      return json({
        zones: (listZones(ctx).zones as Array<{ zoneID: { zoneName: string } }>).filter(
          (z) => z.zoneID.zoneName !== DEFAULT_ZONE,
        ),
      })
    case 'POST records/query':
      return json(notesQuery(ctx))
    case 'POST records/lookup':
      return json(lookupRecords(ctx))
    case 'POST records/changes':
      return json(recordChanges(ctx))
    case 'POST changes/zone':
      return json(notesChanges(ctx))
    default:
      // Writes are not emulated: no public source documents how the web app saves a note (§19.7).
      throw cloudKitError('NOT_FOUND', `The Notes emulator has no operation ${request.method} ${op}.`)
  }
}

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) return {}
  const value = parseJsonBody(bytes)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
}
