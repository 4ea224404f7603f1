import type { PhotoAsset, PhotoResource, PhotoResourceKind } from '@sigwire/icloud'

/** The renditions `--size` names. */
export const SIZES = ['original', 'adjusted', 'alternative', 'medium', 'thumb'] as const
/** A `--size` value. */
export type SyncSize = (typeof SIZES)[number]

/** What a sync selects. */
export interface Selection {
  readonly sizes: readonly SyncSize[]
  readonly livePhotos: 'include' | 'skip' | 'only'
  readonly skipVideos: boolean
  readonly folderStructure: string
  readonly fileMatchPolicy: 'name-size-dedup' | 'name-id'
}

/** One file a sync wants on disk. */
export interface PlannedFile {
  readonly asset: PhotoAsset
  readonly resource: PhotoResource
  /** The rendition's key in the state (`original`, `live`, `medium`...). */
  readonly kind: PhotoResourceKind
  /** The path wanted, relative to the target (before de-duplication). */
  readonly path: string
}

/**
 * The files of an asset under a selection: each `--size` that exists (an edit falls back to nothing, as
 * icloudpd does), and the live-photo video beside a live photo's image (its matching size, else the
 * original video) unless `--live-photos skip`; with `only`, just the videos of live photos.
 */
export function plannedFiles(asset: PhotoAsset, selection: Selection): PlannedFile[] {
  if (asset.type === 'video' && selection.skipVideos) return []
  if (selection.livePhotos === 'only' && !asset.isLivePhoto) return []
  const out: PlannedFile[] = []
  const folder = folderOf(asset.created, selection.folderStructure)
  const add = (kind: PhotoResourceKind) => {
    const resource = asset.resources[kind]
    if (!resource?.downloadURL || out.some((f) => f.kind === kind)) return
    out.push({
      asset,
      resource,
      kind,
      path: joinPath(folder, fileName(asset, resource, selection.fileMatchPolicy)),
    })
  }
  if (selection.livePhotos !== 'only') for (const size of selection.sizes) add(size)
  if (asset.isLivePhoto && selection.livePhotos !== 'skip' && !selection.skipVideos) {
    for (const size of selection.sizes) {
      const kind: PhotoResourceKind =
        size === 'medium' ? 'liveMedium' : size === 'thumb' ? 'liveThumb' : 'live'
      if (asset.resources[kind]) add(kind)
      else add('live')
    }
  }
  return out
}

/**
 * The renditions {@link plannedFiles} may use under a selection: each `--size`, and a live photo's
 * video of the matching size. A listing asks only for these (the original and the live video are
 * always read), so a sync of originals does not receive every asset's medium and thumbnail.
 */
export function renditionsOf(selection: Selection): PhotoResourceKind[] {
  const out = new Set<PhotoResourceKind>(selection.sizes)
  if (selection.sizes.includes('medium')) out.add('liveMedium')
  if (selection.sizes.includes('thumb')) out.add('liveThumb')
  return [...out]
}

/** `{yyyy}/{mm}/{dd}` (and `{hh}`, `{MM}` minutes) of the creation date in local time; `none` is no folder. */
export function folderOf(date: Date, pattern: string): string {
  if (pattern === 'none' || pattern === '') return ''
  const two = (n: number) => String(n).padStart(2, '0')
  return pattern
    .replaceAll('{yyyy}', String(date.getFullYear()))
    .replaceAll('{mm}', two(date.getMonth() + 1))
    .replaceAll('{dd}', two(date.getDate()))
    .replaceAll('{hh}', two(date.getHours()))
    .replaceAll('{MM}', two(date.getMinutes()))
    .split('/')
    .map(safeComponent)
    .filter(Boolean)
    .join('/')
}

/**
 * The file name of a rendition: its own name, or with `name-id` the name with the first 7 characters
 * of the base64 of the asset id before the extension (icloudpd `NAME_ID7`), which never collides.
 */
export function fileName(
  asset: PhotoAsset,
  resource: PhotoResource,
  policy: Selection['fileMatchPolicy'],
): string {
  const name = safeComponent(resource.filename) || 'photo'
  if (policy !== 'name-id') return name
  const id = Buffer.from(asset.id, 'utf8').toString('base64').slice(0, 7).replaceAll('/', '_')
  const dot = name.lastIndexOf('.')
  return dot > 0 ? `${name.slice(0, dot)}_${id}${name.slice(dot)}` : `${name}_${id}`
}

/**
 * The path of a rendition under `name-size-dedup` when another asset already owns `path`: the size goes
 * before the extension (icloudpd `NAME_SIZE_DEDUP_WITH_SUFFIX`), then a counter. A renamed or duplicate
 * name never overwrites another asset's file.
 */
export function dedupPath(
  path: string,
  size: number | undefined,
  taken: (candidate: string) => boolean,
): string {
  if (!taken(path)) return path
  const dot = path.lastIndexOf('.')
  const slash = path.lastIndexOf('/')
  const [stem, ext] = dot > slash + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, '']
  for (let i = 0; ; i++) {
    const candidate = `${stem}-${size ?? 0}${i === 0 ? '' : `-${i}`}${ext}`
    if (!taken(candidate)) return candidate
  }
}

function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name
}

/** A path component without separators, control characters or `.`/`..`. */
export function safeComponent(text: string): string {
  const clean = text.replace(/[\u0000-\u001f/\\:]+/g, '-').trim()
  return clean === '.' || clean === '..' ? '' : clean
}
