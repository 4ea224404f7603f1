import { type Reply, type Route, type RouteAuth, type RouteRequest, reply } from '@sigwire/emulator-kit'
import {
  type CloudKitData,
  cloudKitError,
  lookupRecords,
  recordChanges,
} from '@sigwire/emulator-kit/cloudkit'
import { changesZone } from '../ckdatabase/changes-zone.js'
import { listCustomZones, userOperationContext } from '../ckdatabase/context.js'
import { containerRoutes, operationOf, parseOperationBody } from '../ckdatabase/routes.js'
import type { ICloudContext } from '../context.js'
import type { EmulatedAccount } from '../state.js'
import { NOTES_CONTAINER, NOTES_ENVIRONMENT, NOTES_SCOPE, type NotesLibrary } from './library.js'
import { notesQuery } from './query.js'

const MAX_JSON_BODY = 1024 * 1024

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
  return containerRoutes({
    container: NOTES_CONTAINER,
    maxBodyBytes: MAX_JSON_BODY,
    serviceAuth,
    handle: (request) => runDatabase(env, request),
  })
}

async function runDatabase(env: NotesEnv, request: RouteRequest<unknown>): Promise<Reply> {
  const { environment, database } = request.params
  const op = operationOf(request)
  if (environment !== NOTES_ENVIRONMENT)
    throw cloudKitError(
      'NOT_FOUND',
      `The emulator serves ${NOTES_CONTAINER} in ${NOTES_ENVIRONMENT} only, not ${environment}.`,
    )
  if (database !== 'private')
    throw cloudKitError('BAD_REQUEST', `Notes lives in the private database, not ${database}.`)
  const account = env.account(request)!
  await env.library.ensureAccount(account.dsid)
  const ctx = userOperationContext(request, {
    data: env.data,
    origin: env.base.origin,
    scope: NOTES_SCOPE,
    database: 'private',
    owner: env.library.ownerOf(account.dsid),
    body: parseOperationBody(request.body),
  })
  const json = (value: unknown) => reply(200, { json: value })
  switch (`${request.method} ${op}`) {
    case 'GET zones/list':
    case 'POST zones/list':
      return json(listCustomZones(ctx))
    case 'POST records/query':
      return json(notesQuery(ctx))
    case 'POST records/lookup':
      return json(lookupRecords(ctx))
    case 'POST records/changes':
      return json(recordChanges(ctx))
    case 'POST changes/zone':
      return json(changesZone(ctx))
    default:
      // Writes are not emulated: no public source documents how the web app saves a note (§19.7).
      throw cloudKitError('NOT_FOUND', `The Notes emulator has no operation ${request.method} ${op}.`)
  }
}
