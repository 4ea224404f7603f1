import { ICloudError } from '../../errors.js'
import { EXTENSIONS, IMAGE_RENDITION_PREFIXES, VIDEO_RENDITION_PREFIXES } from './constants.js'
import type { PhotoAsset, PhotoLibrary, PhotoResource, PhotoResourceKind } from './types.js'

/** A record as `ckdatabasews` answers it. */
export interface WireRecord {
  /** The record name. */
  readonly recordName: string
  /** The record type. */
  readonly recordType?: string
  /** The change tag (a new one per change). */
  readonly recordChangeTag?: string
  /** Field values in wire form, by field name. */
  readonly fields?: Record<string, { value?: unknown; type?: string } | undefined>
  /** True once the zone was deleted. */
  readonly deleted?: boolean
  /** Server error code. */
  readonly serverErrorCode?: string
  /** Reason. */
  readonly reason?: string
  /** The zone identity. */
  readonly zoneID?: { zoneName: string; ownerRecordName?: string; zoneType?: string }
}

/** A field's value. */
export function fieldValue(record: WireRecord, name: string): unknown {
  return record.fields?.[name]?.value
}

/**
 * Text of a `*Enc` field: base64 of UTF-8 when typed ENCRYPTED_BYTES, the value itself when STRING
 * (icloudpd `calculate_filename`, pyicloud `decode_encrypted_text`).
 */
export function encText(record: WireRecord, name: string): string | undefined {
  const field = record.fields?.[name]
  if (!field || typeof field.value !== 'string') return undefined
  if (field.type === 'STRING') return field.value
  const text = Buffer.from(field.value, 'base64').toString('utf8')
  return text === '' ? field.value : text
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined

/** The record fields of one rendition: `<prefix>Res`, `<prefix>FileType`, `<prefix>Width`, `<prefix>Height`. */
interface RenditionFields {
  readonly kind: PhotoResourceKind
  readonly res: string
  readonly fileType: string
  readonly width: string
  readonly height: string
}

const renditionFields = (kind: PhotoResourceKind, prefix: string): RenditionFields => ({
  kind,
  res: `${prefix}Res`,
  fileType: `${prefix}FileType`,
  width: `${prefix}Width`,
  height: `${prefix}Height`,
})

/** Which record fields each rendition has, for images and for videos; the names are built once, not per asset. */
const IMAGE_RENDITIONS: readonly RenditionFields[] = IMAGE_RENDITION_PREFIXES.map(([kind, prefix]) =>
  renditionFields(kind, prefix),
)
const VIDEO_RENDITIONS: readonly RenditionFields[] = VIDEO_RENDITION_PREFIXES.map(([kind, prefix]) =>
  renditionFields(kind, prefix),
)

/** True for an item type or UTI of a video. */
export function isVideoType(uti: string): boolean {
  return /movie|mpeg|video|m4v/i.test(uti)
}

/** Pairs a CPLMaster and a CPLAsset into a {@link PhotoAsset}. */
export function toPhotoAsset(master: WireRecord, asset: WireRecord, library: PhotoLibrary): PhotoAsset {
  const itemType = String(fieldValue(master, 'itemType') ?? fieldValue(master, 'resOriginalFileType') ?? '')
  const filename = encText(master, 'filenameEnc') ?? master.recordName
  const video = isVideoType(itemType) && !/\.(heic|jpe?g|png)$/i.test(filename)
  const resources: Partial<Record<PhotoResourceKind, PhotoResource>> = {}
  const stem = filename.includes('.') ? filename.slice(0, filename.lastIndexOf('.')) : filename
  for (const rendition of video ? VIDEO_RENDITIONS : IMAGE_RENDITIONS) {
    const kind = rendition.kind
    // The edit of an asset is on the CPLAsset, the rest on the CPLMaster (icloudpd `versions`).
    const onAsset = fieldValue(asset, rendition.res)
    const source = onAsset ? asset : master
    const res = (onAsset || fieldValue(master, rendition.res)) as
      | { size?: unknown; fileChecksum?: unknown; downloadURL?: unknown }
      | undefined
    if (!res || typeof res !== 'object') continue
    const uti = fieldValue(source, rendition.fileType)
    const ext = typeof uti === 'string' ? EXTENSIONS[uti] : undefined
    const name =
      kind === 'original'
        ? filename
        : `${stem}${kind === 'adjusted' ? '-edited' : ''}${ext ?? filename.slice(stem.length)}`
    resources[kind] = {
      kind,
      filename: kind === 'medium' || kind === 'thumb' ? `${stem}-${kind}${ext ?? '.JPG'}` : name,
      size: num(res.size),
      checksum: typeof res.fileChecksum === 'string' ? res.fileChecksum : undefined,
      uti: typeof uti === 'string' ? uti : undefined,
      width: num(fieldValue(source, rendition.width)),
      height: num(fieldValue(source, rendition.height)),
      downloadURL: typeof res.downloadURL === 'string' ? res.downloadURL : undefined,
    }
  }
  // A live photo's smaller video renditions are named like its video.
  for (const kind of ['liveMedium', 'liveThumb'] as const) {
    const r = resources[kind]
    if (r)
      resources[kind] = {
        ...r,
        filename: `${stem}-${kind === 'liveMedium' ? 'medium' : 'thumb'}${EXTENSIONS[r.uti ?? ''] ?? '.MOV'}`,
      }
  }
  const date = (name: string) => new Date(num(fieldValue(asset, name)) ?? 0)
  return {
    id: asset.recordName,
    masterId: master.recordName,
    library,
    filename,
    type: video ? 'video' : 'image',
    isLivePhoto: !video && resources.live !== undefined,
    width: num(fieldValue(master, 'resOriginalWidth')),
    height: num(fieldValue(master, 'resOriginalHeight')),
    created: date('assetDate'),
    added: date('addedDate'),
    favorite: num(fieldValue(asset, 'isFavorite')) === 1,
    hidden: num(fieldValue(asset, 'isHidden')) === 1,
    deleted: num(fieldValue(asset, 'isDeleted')) === 1,
    duration: num(fieldValue(asset, 'duration') ?? fieldValue(master, 'duration')),
    resources,
    recordChangeTag: asset.recordChangeTag,
  }
}

/**
 * The assets of a page of records: CPLAssets with their CPLMaster (by `masterRef`), in the order the
 * masters came; records of other types (album relations) are skipped.
 */
export function pairAssets(records: readonly WireRecord[], library: PhotoLibrary): PhotoAsset[] {
  const assetsByMaster = new Map<string, WireRecord>()
  const masters: WireRecord[] = []
  for (const record of records) {
    if (record.serverErrorCode !== undefined)
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        serviceCode: record.serverErrorCode,
        message: `Photos answered ${record.serverErrorCode} for a record${record.reason ? `: ${record.reason}` : ''}.`,
      })
    if (record.recordType === 'CPLAsset') {
      const ref = fieldValue(record, 'masterRef') as { recordName?: string } | undefined
      if (ref?.recordName) assetsByMaster.set(ref.recordName, record)
    } else if (record.recordType === 'CPLMaster') masters.push(record)
  }
  const out: PhotoAsset[] = []
  for (const master of masters) {
    const asset = assetsByMaster.get(master.recordName)
    if (asset) out.push(toPhotoAsset(master, asset, library))
  }
  return out
}
