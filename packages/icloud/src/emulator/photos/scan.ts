import { open, readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { exifDate } from './exif-date.js'
import { type SeedFileType, seedFileType } from './file-types.js'

/** One file of a seeded asset. */
export interface SeedFile {
  /** Absolute path. */
  readonly path: string
  /** The file name as the library shows it (`IMG_0001.HEIC`). */
  readonly name: string
  /** Size in bytes. */
  readonly size: number
  /** Mtime ms. */
  readonly mtimeMs: number
  /** Type. */
  readonly type: SeedFileType
  /** Pixel size, when the header says (JPEG, PNG, HEIC). */
  readonly width?: number
  /** Height. */
  readonly height?: number
}

/** An asset of the seeded library: its files, date and place. */
export interface SeedAsset {
  /** Path of the original relative to the seeded directory, with `/` separators: the asset's identity. */
  readonly key: string
  /** Original. */
  readonly original: SeedFile
  /** The RAW of a RAW+JPEG pair (the JPEG is the original). */
  readonly alternative?: SeedFile
  /** The video of a live photo. */
  readonly live?: SeedFile
  /** An edited rendition (`IMG_E0001.JPG` beside `IMG_0001.*`, as Photos exports edits). */
  readonly adjusted?: SeedFile
  /** EXIF `DateTimeOriginal` of the original, else its modification time. */
  readonly created: Date
  /** Folder names leading to the album, then the album's name (empty: in no album). */
  readonly album: readonly string[]
  /** True under `shared/`: the asset belongs to the Shared Library. */
  readonly shared: boolean
}

const HEAD_BYTES = 256 * 1024

/** The top-level folder of a seed directory whose sub-folders are shared albums, not library albums. */
export const SHARED_ALBUMS_DIR = 'shared-albums'

/**
 * Reads a directory into seed assets: every image or video file is an asset whose original is that
 * file; `NAME.HEIC|JPG` + `NAME.MOV` is one live photo, `NAME.DNG|CR2|...` + `NAME.JPG` one RAW+JPEG
 * asset, `IMG_E0001.JPG` the edited rendition of `IMG_0001.*`; sub-folders are albums (their parents
 * folders), and everything under `shared/` belongs to the Shared Library. Hidden files are skipped, and
 * so is the top-level `shared-albums/` folder: its sub-folders are shared albums (`../sharedstreams/seed.ts`).
 */
export async function scanPhotosDir(root: string): Promise<SeedAsset[]> {
  const out: SeedAsset[] = []
  await walk(root, root, out)
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

async function walk(root: string, dir: string, out: SeedAsset[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files: Array<{ name: string; type: SeedFileType }> = []
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    if (dir === root && entry.name === SHARED_ALBUMS_DIR && entry.isDirectory()) continue
    if (entry.isDirectory()) await walk(root, join(dir, entry.name), out)
    else if (entry.isFile()) {
      const type = seedFileType(entry.name)
      if (type) files.push({ name: entry.name, type })
    }
  }
  if (files.length === 0) return
  const parts = relative(root, dir).split(sep).filter(Boolean)
  const shared = parts[0] === 'shared'
  const album = shared ? [] : parts
  for (const group of groupFiles(files)) {
    const read = (f: { name: string; type: SeedFileType } | undefined) =>
      f ? describe(join(dir, f.name), f.name, f.type) : Promise.resolve(undefined)
    const [original, alternative, live, adjusted] = await Promise.all([
      read(group.original),
      read(group.alternative),
      read(group.live),
      read(group.adjusted),
    ])
    const key = [...parts, group.original.name].join('/')
    out.push({
      key,
      original: original!,
      ...(alternative ? { alternative } : {}),
      ...(live ? { live } : {}),
      ...(adjusted ? { adjusted } : {}),
      created: await creationDate(original!, alternative),
      album,
      shared,
    })
  }
}

interface Group {
  original: { name: string; type: SeedFileType }
  alternative?: { name: string; type: SeedFileType }
  live?: { name: string; type: SeedFileType }
  adjusted?: { name: string; type: SeedFileType }
}

/** Pairs the files of one directory by name stem (case-insensitive). */
export function groupFiles(files: ReadonlyArray<{ name: string; type: SeedFileType }>): Group[] {
  const byStem = new Map<string, Array<{ name: string; type: SeedFileType }>>()
  const stem = (name: string) => name.slice(0, name.lastIndexOf('.')).toLowerCase()
  for (const f of files) byStem.set(stem(f.name), [...(byStem.get(stem(f.name)) ?? []), f])
  const groups: Group[] = []
  const edits = new Map<string, { name: string; type: SeedFileType }>()
  for (const [s, list] of byStem) {
    // `IMG_E0001` is the edit of `IMG_0001` when that one exists.
    const edited = /^(.*_)e(\d+)$/.exec(s)
    if (
      edited &&
      byStem.has(`${edited[1]}${edited[2]}`) &&
      list.length === 1 &&
      list[0]!.type.kind === 'image'
    ) {
      edits.set(`${edited[1]}${edited[2]}`, list[0]!)
      continue
    }
    const images = list.filter((f) => f.type.kind === 'image')
    const raws = list.filter((f) => f.type.kind === 'raw')
    const movies = list.filter((f) => f.type.kind === 'movie')
    const image = images.find((f) => f.type.uti === 'public.jpeg') ?? images[0]
    const used = new Set<string>()
    if (image) {
      const group: Group = { original: image }
      used.add(image.name)
      if (raws[0]) {
        group.alternative = raws[0]
        used.add(raws[0].name)
      } else if (movies[0]) {
        group.live = movies[0]
        used.add(movies[0].name)
      }
      groups.push(group)
    }
    for (const f of list) if (!used.has(f.name)) groups.push({ original: f })
  }
  for (const group of groups) {
    const edit = edits.get(stem(group.original.name))
    if (edit && group.original.type.kind !== 'movie') group.adjusted = edit
  }
  return groups
}

async function describe(path: string, name: string, type: SeedFileType): Promise<SeedFile> {
  const info = await stat(path)
  const dims = type.kind === 'movie' ? undefined : dimensions(await head(path))
  return { path, name, size: info.size, mtimeMs: info.mtimeMs, type, ...(dims ?? {}) }
}

async function creationDate(original: SeedFile, alternative: SeedFile | undefined): Promise<Date> {
  for (const f of [original, alternative]) {
    if (!f || f.type.kind === 'movie') continue
    const date = exifDate(await head(f.path))
    if (date) return date
  }
  return new Date(Math.floor(original.mtimeMs))
}

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(HEAD_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Width and height from a JPEG SOF segment, a PNG IHDR or a HEIC `ispe` box. */
export function dimensions(b: Buffer): { width: number; height: number } | undefined {
  if (b.length > 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2
    while (at + 9 < b.length && b[at] === 0xff) {
      const marker = b[at + 1]!
      const length = b.readUInt16BE(at + 2)
      const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
      if (sof) return { width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) }
      at += 2 + length
    }
    return undefined
  }
  const ispe = b.indexOf('ispe', 0, 'latin1')
  if (ispe > 0 && ispe + 16 <= b.length)
    return { width: b.readUInt32BE(ispe + 8), height: b.readUInt32BE(ispe + 12) }
  return undefined
}
