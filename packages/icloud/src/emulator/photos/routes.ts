import { createHash, type KeyObject, randomBytes } from 'node:crypto'
import { mkdir, open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { type Reply, type Route, type RouteAuth, type RouteRequest, reply } from '@sigwire/emulator-kit'
import {
  badRequest,
  type CloudKitData,
  cloudKitError,
  DEFAULT_ZONE,
  databaseOf,
  lookupRecords,
  lookupZones,
  modifyRecords,
  type OperationContext,
  recordChanges,
  renderRecord,
  zoneChanges,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'
import { changesZone } from '../ckdatabase/changes-zone.js'
import { listCustomZones, userOperationContext } from '../ckdatabase/context.js'
import {
  cloudKitShaped,
  containerRoutes,
  operationOf,
  parseOperationBody,
  serviceRouteAuth,
} from '../ckdatabase/routes.js'
import type { ICloudContext } from '../context.js'
import type { EmulatedAccount } from '../state.js'
import { checksumOf } from './checksum.js'
import { CONTENT_PREFIX, contentUrl, sendContent } from './content.js'
import { seedFileType } from './file-types.js'
import {
  PHOTOS_CONTAINER,
  PHOTOS_ENVIRONMENT,
  PHOTOS_SCOPE,
  type PhotosLibrary,
  PRIMARY_ZONE,
} from './library.js'
import { photosQuery } from './query.js'

const MAX_JSON_BODY = 4 * 1024 * 1024
/** Largest upload through `uploadimagews` (a video of a few GiB is allowed). */
const MAX_UPLOAD_BYTES = 16 * 1024 * 1024 * 1024

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/** What the Photos routes need from the iCloud emulator. */
export interface PhotosEnv {
  /** Base. */
  readonly base: Base
  /** The emulator's state. */
  readonly data: CloudKitData
  /** Library. */
  readonly library: PhotosLibrary
  /** Secret of the download URLs' signatures. */
  /** The URL secret's key ({@link urlKey}). */
  readonly urlKey: KeyObject
  /** Where uploads arrive when the emulator keeps no state directory. */
  readonly tmpDir: string
  /** The authenticated account of a service request (its web session cookie), or undefined. */
  account(request: RouteRequest<unknown>): EmulatedAccount | undefined
}

/**
 * The routes of the Photos library: `ckdatabasews` database operations on the
 * `com.apple.photos.cloud` container, `uploadimagews` uploads, and the download URLs.
 */
export function photosRoutes(env: PhotosEnv, serviceAuth: RouteAuth<unknown>): Route<unknown>[] {
  const upload = (prefix: string): Route<unknown> => ({
    method: 'POST',
    path: `${prefix}/ws/uploadimagews/upload`,
    auth: serviceRouteAuth(serviceAuth, 'uploadimagews'),
    maxBodyBytes: { stream: MAX_UPLOAD_BYTES },
    handle: (request) => cloudKitShaped(() => receiveUpload(env, request)),
  })
  const content = (path: string): Route<unknown> => ({
    method: ['GET', 'HEAD'],
    path,
    auth: 'none',
    maxBodyBytes: 0,
    handle: (request) => sendContent(request, env.library, env.urlKey, env.base.now()),
  })
  return [
    // Any container: the Notes and Reminders routes, listed before these, take their own.
    ...containerRoutes({
      container: ':container',
      maxBodyBytes: MAX_JSON_BODY,
      serviceAuth,
      handle: (request) => runDatabase(env, request),
    }),
    upload(''),
    upload('/cn'),
    content(`${CONTENT_PREFIX}/B/:asset`),
    content(`${CONTENT_PREFIX}/B/:asset/*file`),
  ]
}

function context(
  env: PhotosEnv,
  request: RouteRequest<unknown>,
  database: 'private' | 'shared',
  body: Record<string, unknown>,
): OperationContext {
  const account = env.account(request)!
  const origin = env.base.origin
  const expiresAt = env.base.now() + env.library.downloadUrlLifetimeMs
  return userOperationContext(request, {
    data: env.data,
    origin,
    scope: PHOTOS_SCOPE,
    database,
    owner: env.library.ownerOf(account.dsid),
    body,
    assetUrl: (asset) => contentUrl(origin, env.urlKey, asset.assetId, '', expiresAt),
  })
}

async function runDatabase(env: PhotosEnv, request: RouteRequest<unknown>): Promise<Reply> {
  const { container, environment } = request.params
  const db = request.params.database
  const op = operationOf(request)
  if (container !== PHOTOS_CONTAINER || environment !== PHOTOS_ENVIRONMENT)
    throw cloudKitError(
      'NOT_FOUND',
      `The emulator serves only ${PHOTOS_CONTAINER}/${PHOTOS_ENVIRONMENT}, not ${container}/${environment}.`,
    )
  if (db !== 'private' && db !== 'shared') throw cloudKitError('BAD_REQUEST', `Unknown database ${db}.`)
  const account = env.account(request)!
  if (env.library.adpAccounts.has(account.appleId))
    throw cloudKitError('ACCESS_DENIED', 'private db access disabled for this account')
  await env.library.ensureAccount(account.dsid)
  const body = parseOperationBody(request.body)
  const ctx = context(env, request, db, body)
  const json = (value: unknown) => reply(200, { json: value })
  switch (`${request.method} ${op}`) {
    case 'GET zones/list':
    case 'POST zones/list':
      return json(listCustomZones(ctx))
    case 'POST zones/lookup':
      return json(lookupZones(ctx))
    case 'POST zones/changes':
      return json(zoneChanges(ctx))
    case 'POST changes/database':
      return json(databaseChanges(ctx))
    case 'POST records/query':
      return json(photosQuery(ctx, env.library))
    case 'POST internal/records/query/batch':
      return json(batchQuery(env, request, db, body))
    case 'POST records/lookup':
      return json(lookupRecords(ctx))
    case 'POST records/modify':
      return json(modifyRecords({ ...ctx, body: withoutChangeTagChecks(ctx, body) }))
    case 'POST records/changes':
      return json(recordChanges(ctx))
    case 'POST changes/zone':
      return json(changesZone(ctx))
    default:
      throw cloudKitError('NOT_FOUND', `The Photos emulator has no operation ${request.method} ${op}.`)
  }
}

/**
 * Photos accepts an `update` whose change tag is stale: icloud-photos-sync sends the fixed tag `21h2`
 * with every `isDeleted` update (icloud-photos.ts `RECORD_CHANGE_TAG`, §16.9), so an existing record
 * is updated as with `forceUpdate`.
 */
function withoutChangeTagChecks(
  ctx: OperationContext,
  body: Record<string, unknown>,
): Record<string, unknown> {
  if (!Array.isArray(body.operations)) return body
  const zone = ctx.body.zoneID ? zoneOf(ctx, ctx.body.zoneID) : undefined
  return {
    ...body,
    operations: body.operations.map((op: unknown) => {
      const o = op as { operationType?: unknown; record?: { recordName?: unknown } }
      const name = o?.record?.recordName
      if (o?.operationType === 'update' && typeof name === 'string' && zone?.records.has(name))
        return { ...o, operationType: 'forceUpdate' }
      return op
    }),
  }
}

/** `internal/records/query/batch`: each entry of `batch` is one query (the count lookups, §16.6). */
function batchQuery(
  env: PhotosEnv,
  request: RouteRequest<unknown>,
  db: 'private' | 'shared',
  body: Record<string, unknown>,
) {
  if (!Array.isArray(body.batch) || body.batch.length === 0 || body.batch.length > 50)
    throw badRequest('internal/records/query/batch needs "batch": a list of 1 to 50 queries.')
  return {
    batch: body.batch.map((entry: unknown) => {
      if (entry === null || typeof entry !== 'object') throw badRequest('Each batch entry is a query.')
      return photosQuery(context(env, request, db, entry as Record<string, unknown>), env.library)
    }),
  }
}

/** `changes/database`: the zones changed since `syncToken` (all of them without one), §16.2. */
function databaseChanges(ctx: OperationContext): Record<string, unknown> {
  const db = databaseOf(ctx)
  const since = readDatabaseToken(ctx.body.syncToken)
  const zones = [...db.zones.values()]
    .filter((z) => z.zoneID.zoneName !== DEFAULT_ZONE && z.changedAt > since)
    .map((z) => ({ zoneID: z.zoneID, ...(z.deleted ? { deleted: true } : {}) }))
  return {
    zones,
    moreComing: false,
    syncToken: Buffer.from(JSON.stringify({ d: db.serial })).toString('base64url'),
  }
}

function readDatabaseToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { d?: unknown }
    if (Number.isInteger(parsed.d)) return parsed.d as number
  } catch {
    // fall through
  }
  throw badRequest('The syncToken is not one this database issued; ask again without one.')
}

/**
 * `POST {uploadimagews}/upload?filename=<name>&dsid=<dsid>` with the file's bytes: streamed to disk,
 * then a CPLMaster and a CPLAsset in the private library (pyicloud `upload_file`, §16.12). Answers
 * `{records:[CPLMaster, CPLAsset]}`, or `{errors:[{code, message}]}` for a file Photos does not take.
 */
async function receiveUpload(env: PhotosEnv, request: RouteRequest<unknown>): Promise<Reply> {
  const account = env.account(request)!
  const filename = request.url.searchParams.get('filename') ?? ''
  const dsid = request.url.searchParams.get('dsid')
  if (dsid !== null && dsid !== account.dsid)
    throw cloudKitError('ACCESS_DENIED', 'dsid does not match the session')
  if (filename === '' || filename.includes('/') || !seedFileType(filename))
    return reply(200, {
      json: {
        errors: [
          { code: 'UNSUPPORTED_FILE_TYPE', message: `Photos does not take ${JSON.stringify(filename)}.` },
        ],
      },
    })
  const dir = env.library.uploadDir ?? env.tmpDir
  const temp = join(dir, `upload-${randomBytes(8).toString('hex')}.part`)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const hash = createHash('sha1')
  let size = 0
  const file = await open(temp, 'wx', 0o600)
  try {
    for await (const chunk of request.stream) {
      size += chunk.byteLength
      hash.update(chunk)
      await file.write(chunk)
    }
    await file.sync()
  } catch (error) {
    await file.close()
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await file.close()
  const checksum = checksumOf(hash)
  const records = await env.library.addUpload(account.dsid, filename, temp, size, checksum)
  const target = env.library.zone(account.dsid, PRIMARY_ZONE)!
  const ctx = context(env, request, 'private', {})
  return reply(200, {
    json: { records: records.map((r) => renderRecord(ctx, r, target.zone)), isDuplicate: false },
  })
}
