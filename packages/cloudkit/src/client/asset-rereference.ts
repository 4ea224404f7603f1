import type { CallOptions } from '@sigwire/core'
import { LIMITS } from '../constants.js'
import type { CloudKitError } from '../errors.js'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { type AssetReceipt, type FieldValue, field, type ZoneID } from './fields.js'
import { invalid } from './query.js'
import { itemError, type ServerErrorBody } from './response-errors.js'

/** An asset already in CloudKit: the record and field that hold it (DOC `RereferenceAssets`). */
export interface ExistingAsset {
  /** The record holding the asset. */
  recordName: string
  /** The asset field (an asset list field gives its first asset). */
  fieldName: string
}

/** The outcome for one asset: a new receipt of the same bytes, or its own error (NOT_FOUND). */
export type RereferenceResult =
  | {
      /** A receipt was issued. */
      readonly ok: true
      /** The record asked about. */
      readonly recordName: string
      /** The asset field asked about. */
      readonly fieldName: string
      /** The new receipt of the same bytes. */
      readonly receipt: AssetReceipt
      /** `field.asset(receipt)`: set it on another record with `records.modify`. */
      readonly field: FieldValue
    }
  | {
      /** This asset failed. */
      readonly ok: false
      /** The record asked about. */
      readonly recordName: string
      /** Why (NOT_FOUND for a missing record or field...). */
      readonly error: CloudKitError
    }

type WireItem = ServerErrorBody & {
  recordName?: string
  fieldName?: string
  fileChecksum?: string
  receipt?: string
  referenceChecksum?: string
  wrappingKey?: string
  size?: number
}

/**
 * `assets/rereference` (DOC `RereferenceAssets`; docs/protocols/cloudkit.md §9): receipts for assets
 * that records already hold, so another record can use the same bytes without uploading them again.
 */
export async function rereferenceAssets(
  connection: Connection,
  database: CloudKitDatabaseName,
  assets: readonly ExistingAsset[],
  options: CallOptions & { zoneID?: ZoneID } = {},
): Promise<RereferenceResult[]> {
  if (assets.length === 0) return []
  if (assets.length > LIMITS.recordsPerResponse)
    throw invalid(`assets.rereference takes at most ${LIMITS.recordsPerResponse} assets per call.`)
  assets.forEach((a, i) => {
    if (!a?.recordName || !a.fieldName) throw invalid(`assets[${i}] needs recordName and fieldName.`)
  })
  const response = await connection.call<{ assets?: WireItem[] }>(
    {
      database,
      operation: 'assets/rereference',
      method: 'POST',
      body: { assets, ...(options.zoneID ? { zoneID: options.zoneID } : {}) },
    },
    options,
  )
  return (response.assets ?? []).map((item, i): RereferenceResult => {
    const asked = assets[i]!
    if (item.serverErrorCode !== undefined || !item.receipt || !item.fileChecksum)
      return {
        ok: false,
        recordName: item.recordName ?? asked.recordName,
        error: itemError(
          item.serverErrorCode === undefined ? { serverErrorCode: 'NOT_FOUND', reason: 'no receipt' } : item,
          `Asset ${asked.recordName}.${asked.fieldName}`,
        ),
      }
    const receipt: AssetReceipt = {
      fileChecksum: item.fileChecksum,
      receipt: item.receipt,
      size: item.size ?? 0,
      ...(item.referenceChecksum ? { referenceChecksum: item.referenceChecksum } : {}),
      ...(item.wrappingKey ? { wrappingKey: item.wrappingKey } : {}),
    }
    return {
      ok: true,
      recordName: item.recordName ?? asked.recordName,
      fieldName: item.fieldName ?? asked.fieldName,
      receipt,
      field: field.asset(receipt),
    }
  })
}
