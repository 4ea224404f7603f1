import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
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
  databaseOf,
  ENGINE_FIELD_TYPES,
  errorBody,
  listZones,
  lookupRecords,
  lookupZones,
  modifyRecords,
  type OperationContext,
  recordChanges,
  renderRecord,
  zoneChanges,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'
import type { ICloudContext } from '../context.js'
import type { EmulatedAccount } from '../state.js'
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

/** Apple's own containers add ENCRYPTED_BYTES to CloudKit's field types (`albumNameEnc`, §16.4). */
const PHOTOS_FIELD_TYPES: ReadonlySet<string> = new Set([...ENGINE_FIELD_TYPES, 'ENCRYPTED_BYTES'])
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
  readonly secret: string
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
  // The session check of the web services, as for `/ws/<service>/...`.
  const auth = (service: string): RouteAuth<unknown> => ({
    headers: (request) =>
      serviceAuth.headers({
        ...request,
        params: Object.assign(Object.create(null), request.params, { service }),
      }),
  })
  const database = (prefix: string): Route<unknown> => ({
    method: ['GET', 'POST'],
    path: `${prefix}/ws/ckdatabasews/database/1/:container/:environment/:database/*op`,
    auth: auth('ckdatabasews'),
    maxBodyBytes: MAX_JSON_BODY,
    handle: (request) => cloudKitShaped(() => runDatabase(env, request)),
  })
  const upload = (prefix: string): Route<unknown> => ({
    method: 'POST',
    path: `${prefix}/ws/uploadimagews/upload`,
    auth: auth('uploadimagews'),
    maxBodyBytes: { stream: MAX_UPLOAD_BYTES },
    handle: (request) => cloudKitShaped(() => receiveUpload(env, request)),
  })
  const content = (path: string): Route<unknown> => ({
    method: ['GET', 'HEAD'],
    path,
    auth: 'none',
    maxBodyBytes: 0,
    handle: (request) => sendContent(request, env.library, env.secret, env.base.now()),
  })
  return [
    database(''),
    database('/cn'),
    upload(''),
    upload('/cn'),
    content(`${CONTENT_PREFIX}/B/:asset`),
    content(`${CONTENT_PREFIX}/B/:asset/*file`),
  ]
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

function context(
  env: PhotosEnv,
  request: RouteRequest<unknown>,
  database: 'private' | 'shared',
  body: Record<string, unknown>,
): OperationContext {
  const account = env.account(request)!
  const origin = env.base.origin
  const expiresAt = env.base.now() + env.library.downloadUrlLifetimeMs
  return {
    data: env.data,
    tx: request.tx,
    now: request.receivedAt,
    baseUrl: origin,
    scope: PHOTOS_SCOPE,
    database,
    principal: { kind: 'user', userRecordName: env.library.ownerOf(account.dsid) },
    body,
    maxAssetBytes: 0,
    signInUrl: `${origin}/setup/ws/1/accountLogin`,
    fieldTypes: PHOTOS_FIELD_TYPES,
    assetUrl: (asset) => contentUrl(origin, env.secret, asset.assetId, '', expiresAt),
  }
}

async function runDatabase(env: PhotosEnv, request: RouteRequest<unknown>): Promise<Reply> {
  const { container, environment } = request.params
  const db = request.params.database
  const op = request.params.op!.replace(/\/+$/, '')
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
  const body = parseBody(request.body)
  const ctx = context(env, request, db, body)
  const json = (value: unknown) => reply(200, { json: value })
  switch (`${request.method} ${op}`) {
    case 'GET zones/list':
    case 'POST zones/list':
      return json({
        zones: (listZones(ctx).zones as Array<{ zoneID: { zoneName: string } }>).filter(
          (z) => z.zoneID.zoneName !== DEFAULT_ZONE,
        ),
      })
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
      return json(zoneRecordChanges(ctx))
    default:
      throw cloudKitError('NOT_FOUND', `The Photos emulator has no operation ${request.method} ${op}.`)
  }
}

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) return {}
  const value = parseJsonBody(bytes)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
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
 * `changes/zone`: for each zone of `zones`, the records changed since its `syncToken` (oldest first,
 * `resultsLimit` at a time, `moreComing`), with `desiredRecordTypes` and `desiredKeys` (pyicloud
 * `CKZoneChangesRequest`, §16.11). Runs the engine's `records/changes` zone by zone.
 */
function zoneRecordChanges(ctx: OperationContext): Record<string, unknown> {
  const zones = ctx.body.zones
  if (!Array.isArray(zones) || zones.length === 0)
    throw badRequest('changes/zone needs "zones": a list of zone requests.')
  return {
    zones: zones.map((entry: unknown) => {
      const z = (entry ?? {}) as {
        zoneID?: unknown
        syncToken?: unknown
        desiredKeys?: unknown
        desiredRecordTypes?: unknown
      }
      const page = recordChanges({
        ...ctx,
        body: {
          zoneID: z.zoneID,
          ...(z.syncToken ? { syncToken: z.syncToken } : {}),
          ...(ctx.body.resultsLimit === undefined ? {} : { resultsLimit: ctx.body.resultsLimit }),
          ...(z.desiredKeys === undefined ? {} : { desiredKeys: z.desiredKeys }),
        },
      }) as {
        records: Array<{ recordType?: string; deleted?: boolean }>
        syncToken: string
        moreComing: boolean
      }
      const types = Array.isArray(z.desiredRecordTypes)
        ? new Set(z.desiredRecordTypes.map(String))
        : undefined
      const zone = zoneOf(ctx, z.zoneID)
      return {
        zoneID: zone.zoneID,
        records: types
          ? page.records.filter((r) => r.deleted || types.has(String(r.recordType)))
          : page.records,
        syncToken: page.syncToken,
        moreComing: page.moreComing,
      }
    }),
  }
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
  const checksum = Buffer.concat([Buffer.from([1]), hash.digest()]).toString('base64')
  const records = await env.library.addUpload(account.dsid, filename, temp, size, checksum)
  const target = env.library.zone(account.dsid, PRIMARY_ZONE)!
  const ctx = context(env, request, 'private', {})
  return reply(200, {
    json: { records: records.map((r) => renderRecord(ctx, r, target.zone)), isDuplicate: false },
  })
}
