import { createHash } from 'node:crypto'
import type { EngineField, EngineZoneID, StoredAsset } from '@sigwire/emulator-kit/cloudkit'

// The fields of Photos' records (CPLMaster, CPLAsset, CPLAlbum, CPLContainerRelation) as the web app
// and the peers read them (docs/protocols/icloud.md §16.4, §16.5).

/** One resource of a master: the prefix of its fields (`resOriginal`, `resJPEGMed`, ...) and its file. */
export interface ResourceSpec {
  /** Prefix. */
  readonly prefix: string
  /** Asset. */
  readonly asset: StoredAsset
  /** Uti. */
  readonly uti: string
  /** Width. */
  readonly width?: number | undefined
  /** Height. */
  readonly height?: number | undefined
}

/** What a CPLMaster says about the file(s) of an asset. */
export interface MasterSpec {
  /** The original file name. */
  readonly filename: string
  /** Item type. */
  readonly itemType: string
  /** Resources. */
  readonly resources: readonly ResourceSpec[]
  /** Seconds of a video. */
  readonly duration?: number
}

/** What a CPLAsset says (dates, flags, the edit). */
export interface AssetSpec {
  /** Master name. */
  readonly masterName: string
  /** The zone identity. */
  readonly zoneID: EngineZoneID
  /** Asset date. */
  readonly assetDate: number
  /** Added date. */
  readonly addedDate: number
  /** In Favorites. */
  readonly favorite: boolean
  /** Hidden. */
  readonly hidden: boolean
  /** True once the zone was deleted. */
  readonly deleted: boolean
  /** `2` for a live photo (assetSubtypeV2), `0` otherwise. */
  readonly subtype: number
  /** Adjusted. */
  readonly adjusted?: ResourceSpec | undefined
  /** Duration. */
  readonly duration?: number | undefined
  /** The smart-album hints the seed gave (`SCREENSHOT`, `PANORAMA`, `SLOMO`, `TIMELAPSE`). */
  readonly hints: readonly string[]
  /** Burst id. */
  readonly burstId?: string | undefined
}

/** A record name in Apple's master shape: base64 of a 0x01 byte and 20 bytes derived from `seed`. */
export function masterRecordName(seed: string): string {
  return Buffer.concat([
    Buffer.from([1]),
    createHash('sha256').update(seed).digest().subarray(0, 20),
  ]).toString('base64')
}

/** A UUID (upper case) derived from `seed`, the shape of CPLAsset and CPLAlbum record names. */
export function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex').toUpperCase()
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Text in the `*Enc` fields: base64 of UTF-8, typed ENCRYPTED_BYTES (§16.4). */
export function encText(text: string): EngineField {
  return { type: 'ENCRYPTED_BYTES', value: Buffer.from(text, 'utf8').toString('base64') }
}

const int = (value: number): EngineField => ({ type: 'INT64', value })
const str = (value: string): EngineField => ({ type: 'STRING', value })

function resourceFields(out: Record<string, EngineField>, r: ResourceSpec): void {
  out[`${r.prefix}Res`] = { type: 'ASSETID', value: r.asset }
  out[`${r.prefix}FileType`] = str(r.uti)
  out[`${r.prefix}Fingerprint`] = str(r.asset.fileChecksum)
  if (r.width !== undefined) out[`${r.prefix}Width`] = int(r.width)
  if (r.height !== undefined) out[`${r.prefix}Height`] = int(r.height)
}

/** The fields of a CPLMaster. */
export function masterFields(spec: MasterSpec): Record<string, EngineField> {
  const out: Record<string, EngineField> = Object.create(null)
  out.filenameEnc = encText(spec.filename)
  out.itemType = str(spec.itemType)
  out.dataClassType = int(spec.itemType.includes('movie') || spec.itemType.includes('mpeg') ? 2 : 1)
  out.originalOrientation = int(1)
  for (const r of spec.resources) resourceFields(out, r)
  if (spec.duration !== undefined) out.duration = int(spec.duration)
  return out
}

/** The fields of a CPLAsset. */
export function assetFields(spec: AssetSpec): Record<string, EngineField> {
  const out: Record<string, EngineField> = Object.create(null)
  out.masterRef = {
    type: 'REFERENCE',
    value: { recordName: spec.masterName, action: 'DELETE_SELF', zoneID: spec.zoneID },
  }
  out.assetDate = { type: 'TIMESTAMP', value: spec.assetDate }
  out.addedDate = { type: 'TIMESTAMP', value: spec.addedDate }
  out.isFavorite = int(spec.favorite ? 1 : 0)
  out.isHidden = int(spec.hidden ? 1 : 0)
  out.isDeleted = int(spec.deleted ? 1 : 0)
  out.isExpunged = int(0)
  out.assetSubtype = int(spec.subtype)
  out.assetSubtypeV2 = int(spec.subtype)
  out.orientation = int(1)
  out.timeZoneOffset = int(0)
  if (spec.hints.length > 0) out.assetHints = { type: 'STRING_LIST', value: [...spec.hints] }
  if (spec.burstId) out.burstId = str(spec.burstId)
  if (spec.duration !== undefined) out.duration = int(spec.duration)
  if (spec.adjusted) {
    resourceFields(out, spec.adjusted)
    out.adjustmentType = str('com.apple.photo')
    out.adjustmentRenderType = int(0)
  }
  return out
}

/** The fields of a CPLAlbum (`albumType` 0 album, 3 folder). */
export function albumFields(
  name: string | undefined,
  type: 0 | 3,
  parentId: string | undefined,
  position: number,
) {
  const out: Record<string, EngineField> = Object.create(null)
  if (name !== undefined) out.albumNameEnc = encText(name)
  out.albumType = int(type)
  out.isDeleted = int(0)
  out.isExpunged = int(0)
  out.position = int(position)
  out.sortType = int(1)
  out.sortAscending = int(1)
  if (parentId !== undefined) out.parentId = str(parentId)
  return out
}

/** The fields of a CPLContainerRelation (an asset in an album; pyicloud names it `<asset>-IN-<album>`). */
export function relationFields(assetName: string, albumName: string, position: number) {
  const out: Record<string, EngineField> = Object.create(null)
  out.itemId = str(assetName)
  out.containerId = str(albumName)
  out.position = int(position)
  out.isDeleted = int(0)
  out.isKeyAsset = int(0)
  return out
}
