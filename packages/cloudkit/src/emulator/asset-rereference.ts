import { randomBytes } from 'node:crypto'
import {
  badRequest,
  canSee,
  itemError,
  listOf,
  type OperationContext,
  type StoredAsset,
  zoneOf,
} from '@sigwire/emulator-kit/cloudkit'

/**
 * `assets/rereference` (DOC `RereferenceAssets`; docs/protocols/cloudkit.md §9): for each
 * `{recordName, fieldName}` of an existing record of the zone holding an asset, a fresh receipt of that
 * same asset, to put into another record's field with `records/modify` (no bytes travel again). An
 * asset list field gives its first asset. Missing records or fields are NOT_FOUND items.
 */
export function rereferenceAssets(ctx: OperationContext): Record<string, unknown> {
  const assets = listOf(ctx.body, 'assets')
  if (assets.length > 200) throw badRequest('At most 200 assets per request.')
  const zone = zoneOf(ctx, ctx.body.zoneID)
  return {
    assets: assets.map((entry) => {
      const e = (entry ?? {}) as { recordName?: unknown; fieldName?: unknown }
      if (typeof e.recordName !== 'string' || typeof e.fieldName !== 'string')
        return itemError('BAD_REQUEST', 'Each asset needs recordName and fieldName.')
      const record = zone.records.get(e.recordName)
      const value = record && canSee(ctx, zone, record) ? record.fields[e.fieldName] : undefined
      const asset =
        value?.type === 'ASSETID'
          ? (value.value as StoredAsset)
          : value?.type === 'ASSETID_LIST'
            ? (value.value as StoredAsset[])[0]
            : undefined
      const uploadId = asset ? uploadIdOf(ctx, asset.assetId) : undefined
      if (!asset || uploadId === undefined)
        return itemError('NOT_FOUND', `Record ${e.recordName} has no asset in field ${e.fieldName}.`, {
          recordName: e.recordName,
        })
      const receipt = randomBytes(24).toString('base64url')
      ctx.tx.put('receipts', receipt, uploadId)
      const { assetId: _id, ...singleFile } = asset
      return { recordName: e.recordName, fieldName: e.fieldName, ...singleFile, receipt }
    }),
  }
}

function uploadIdOf(ctx: OperationContext, assetId: string): string | undefined {
  for (const [id, upload] of ctx.data.uploads()) if (upload.asset?.assetId === assetId) return id
  return undefined
}
