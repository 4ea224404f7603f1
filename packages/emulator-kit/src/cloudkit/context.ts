import { randomUUID } from 'node:crypto'
import type { Transaction } from '../store.js'
import { badRequest, cloudKitError } from './errors.js'
import {
  type CloudKitData,
  DEFAULT_ZONE,
  type StoredAsset,
  type StoredDatabase,
  type StoredZone,
} from './state.js'
import type { EngineZoneID as ZoneID } from './vocabulary.js'

/** Who is calling. */
export interface Principal {
  /** `developer`: a server-to-server key; `user`: a web auth token; `anonymous`: an API token alone. */
  readonly kind: 'developer' | 'user' | 'anonymous'
  /** The user record name of who did it. */
  readonly userRecordName: string | undefined
}

/** What every operation handler gets. */
export interface OperationContext {
  /** The emulator's state. */
  readonly data: CloudKitData
  /** The request's writes (committed before the answer). */
  readonly tx: Transaction
  /** The emulator's clock in epoch ms. */
  readonly now: number
  /** The emulator's base URL (for upload and download URLs). */
  readonly baseUrl: string
  /** `container|environment`. */
  readonly scope: string
  /** The database the request addresses. */
  readonly database: 'public' | 'private' | 'shared'
  /** Who is calling. */
  readonly principal: Principal
  /** The parsed JSON body (an empty object for GET). */
  readonly body: Record<string, unknown>
  /** Largest asset upload, bytes. */
  readonly maxAssetBytes: number
  /** The sign-in URL handed out with AUTHENTICATION_REQUIRED. */
  readonly signInUrl: string
  /** Scalar field types `records/modify` accepts. Default `ENGINE_FIELD_TYPES` (Apple's own containers add more). */
  readonly fieldTypes?: ReadonlySet<string>
  /** The download URL of a stored asset. Default `{baseUrl}/assets/download/{assetId}/${f}`. */
  readonly assetUrl?: (asset: StoredAsset) => string
}

/** The database the caller sees: the public one, or the user's own private or shared one. */
export function databaseOf(ctx: OperationContext): StoredDatabase {
  const owner = ctx.database === 'public' ? '' : `|${ctx.principal.userRecordName ?? ''}`
  return ctx.data.database(`${ctx.scope}|${ctx.database}${owner}`)
}

/** A zone of the caller's database; a missing or deleted zone fails with ZONE_NOT_FOUND. */
export function zoneOf(ctx: OperationContext, zoneID: unknown): StoredZone {
  const name = zoneName(zoneID)
  const zone = databaseOf(ctx).zones.get(name)
  if (!zone || zone.deleted)
    throw cloudKitError('ZONE_NOT_FOUND', `Zone ${JSON.stringify(name)} does not exist.`)
  return zone
}

/** The zone name of a `zoneID` (default zone when absent). */
export function zoneName(zoneID: unknown): string {
  if (zoneID === undefined || zoneID === null) return DEFAULT_ZONE
  const name = (zoneID as ZoneID).zoneName
  if (typeof name !== 'string' || name === '') throw badRequest('zoneID needs a zoneName.')
  return name
}

/** Next value of the global counter. */
export function nextCounter(ctx: OperationContext): number {
  return ctx.data.nextCounter(ctx.tx)
}

/** A fresh record change tag. */
export function newChangeTag(ctx: OperationContext): string {
  return `${nextCounter(ctx).toString(36)}${randomUUID().slice(0, 4)}`
}

/** The asset fields of a record as a client sees them, with a download URL on this emulator. */
export function renderAsset(
  ctx: Pick<OperationContext, 'baseUrl' | 'assetUrl'>,
  asset: StoredAsset,
): Record<string, unknown> {
  return {
    fileChecksum: asset.fileChecksum,
    size: asset.size,
    referenceChecksum: asset.referenceChecksum,
    wrappingKey: asset.wrappingKey,
    // CloudKit download URLs carry a `${f}` placeholder for the file name.
    downloadURL: ctx.assetUrl ? ctx.assetUrl(asset) : `${ctx.baseUrl}/assets/download/${asset.assetId}/\${f}`,
  }
}

/** The user a change is attributed to. */
export function actor(ctx: OperationContext): string {
  return ctx.principal.userRecordName ?? '_anonymous'
}

/** Reads an optional array field of the body. */
export function listOf(body: Record<string, unknown>, key: string, required = true): unknown[] {
  const value = body[key]
  if (value === undefined && !required) return []
  if (!Array.isArray(value)) throw badRequest(`The request needs "${key}" as an array.`)
  return value
}
