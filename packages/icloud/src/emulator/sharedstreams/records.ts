import { createHash } from 'node:crypto'
import { type EngineField, renderAsset, type StoredAsset } from '@sigwire/emulator-kit/cloudkit'
import { masterFields, type ResourceSpec } from '../photos/records.js'
import type { SharedStreamAlbum } from './albums-list.js'
import type { SharedAlbumRow, SharedAssetRow, SharedFileRow } from './state.js'

// The records `webgetassets` answers, in the shapes pyicloud's PhotoStreamAsset reads
// (docs/protocols/icloud.md §22.4): the Photos library's CPLMaster fields plus the shared-stream ones.

/** The `webgetalbumslist` entry of an album whose calls go to `location` (ending in `/`). */
export function albumEntry(row: SharedAlbumRow, location: string): SharedStreamAlbum {
  return {
    albumguid: row.guid,
    albumctag: row.ctag,
    albumlocation: location,
    ownerdsid: row.dsid,
    sharingtype: 'owned',
    iswebuploadsupported: false,
    attributes: {
      name: row.name,
      creationDate: String(row.created),
      allowcontributions: false,
      ispublic: false,
    },
  }
}

function storedAsset(file: SharedFileRow): StoredAsset {
  const derived = (label: string) => createHash('sha256').update(`${label}:${file.assetId}`).digest()
  return {
    assetId: file.assetId,
    fileChecksum: file.checksum,
    size: file.size,
    referenceChecksum: Buffer.concat([Buffer.from([1]), derived('ref').subarray(0, 20)]).toString('base64'),
    wrappingKey: derived('wrap').toString('base64'),
  }
}

const int = (value: number): EngineField => ({ type: 'INT64', value })
const time = (value: number): EngineField => ({ type: 'TIMESTAMP', value })

/** The fields with their ASSETID values rendered with a download URL. */
function rendered(fields: Record<string, EngineField>, url: (assetId: string) => string) {
  const out: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(fields))
    out[name] =
      field.type === 'ASSETID'
        ? {
            type: 'ASSETID',
            value: renderAsset({ baseUrl: '', assetUrl: (a) => url(a.assetId) }, field.value as StoredAsset),
          }
        : field
  return out
}

/** The CPLMaster and CPLAsset records of one shared asset, download URLs made by `url`. */
export function sharedAssetRecords(
  asset: SharedAssetRow,
  url: (assetId: string) => string,
): [Record<string, unknown>, Record<string, unknown>] {
  const { original, live } = asset
  const resources: ResourceSpec[] = [
    {
      prefix: 'resOriginal',
      asset: storedAsset(original),
      uti: original.uti,
      width: original.width,
      height: original.height,
    },
  ]
  if (live) resources.push({ prefix: 'resOriginalVidCompl', asset: storedAsset(live), uti: live.uti })
  const fields = masterFields({ filename: asset.filename, itemType: original.uti, resources })
  // PhotoStreamAsset reads its size and date from these master fields (photos_legacy.py l. 1934-1950).
  fields.resOriginalFileSize = int(original.size)
  if (live) fields.resOriginalVidComplFileSize = int(live.size)
  fields.originalCreationDate = time(asset.created)
  const tag = (asset.original.checksum + (live?.checksum ?? '')).slice(-8)
  const master = {
    recordName: asset.master,
    recordType: 'CPLMaster',
    recordChangeTag: tag,
    fields: rendered(fields, url),
  }
  const cplAsset = {
    recordName: asset.asset,
    recordType: 'CPLAsset',
    recordChangeTag: tag,
    fields: {
      masterRef: { type: 'REFERENCE', value: { recordName: asset.master, action: 'DELETE_SELF' } },
      assetDate: time(asset.created),
      addedDate: time(asset.added),
      assetSubtypeV2: int(live ? 2 : 0),
      isDeleted: int(0),
    },
    // Likes are the shared-stream extras PhotoStreamAsset reads (photos_legacy.py l. 1916-1931).
    pluginFields: { likeCount: { value: 0 }, likedByCaller: { value: false } },
  }
  return [master, cplAsset]
}
