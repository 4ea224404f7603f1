import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import { sha1Checksum } from './checksum.js'
import type { ImageCodecs } from './image-codecs.js'
import { jpegOrientation, orientUpright } from './orientation.js'
import { MEDIUM_MAX_PIXELS, renditionSize, THUMB_MAX_PIXELS } from './rendition-size.js'
import { flattenOnWhite, type RgbaImage, scaleArea } from './scale-image.js'
import { dimensions } from './scan.js'

// Real `resJPEGMed` and `resJPEGThumb` renditions of JPEG and PNG originals (docs/protocols/icloud.md
// §16.10).
//
// When: at seed (and upload) time, not at the first download. A master record announces each
// rendition's `size` and `fileChecksum`, and clients check a download's length against `size` (sigwire
// does, §16.8), so the bytes must exist before the record does; rendering at the first download would
// mean records whose size is a guess. The cost (1.5 to 3 s for a 12 MP JPEG, mostly jpeg-js's decode,
// measured) is paid once per distinct original: renditions are files named by the SHA-1 of the original's bytes
// (which the seed computes anyway for `fileChecksum`), so a restart, a re-seed of unchanged files, a
// touched file or a duplicate costs a cache read, and files that are not decodable JPEG or PNG (HEIC,
// RAW, video, or bytes that only carry the extension) cost a header check. A library too large to
// render at its first start takes `photosRenditions: 'stand-in'`.

/** The version of the rendering below: a change of size rule, filter or quality must change it. */
const RENDER_VERSION = 'r1'
/** JPEG quality of both renditions (Apple's is not on record; 85 gives sizes near its recorded ones). */
const QUALITY = 85
/** Originals above this many pixels keep stand-ins (the decoders' memory, see image-codecs.ts). */
const MAX_PIXELS = 100_000_000

/** The derived renditions of an image. */
export type RenditionRole = 'medium' | 'thumb'

/** A rendition written to disk. */
export interface Rendition {
  /** The file holding the JPEG bytes. */
  readonly path: string
  /** Its size in bytes. */
  readonly size: number
  /** Its `fileChecksum` (0x01 and the SHA-1 of the bytes, base64, §16.8). */
  readonly checksum: string
  /** Width in pixels of the JPEG. */
  readonly width: number
  /** Height in pixels of the JPEG. */
  readonly height: number
}

/** The original a rendition is made from. */
export interface RenditionSource {
  /** Path of the original file. */
  readonly path: string
  /** Its UTI; only `public.jpeg` and `public.png` are rendered. */
  readonly uti: string
  /** Its `fileChecksum` (names the cached renditions). */
  readonly checksum: string
}

const RENDERABLE = new Set(['public.jpeg', 'public.png'])

/**
 * The medium and thumbnail renditions of `source`, from the cache in `dir` or rendered into it; each
 * file is durable (fsynced) before this returns. Undefined when the original is not a JPEG or PNG the
 * codecs can decode: the caller keeps its stand-ins.
 */
export async function renditionsOf(
  source: RenditionSource,
  dir: string,
  codecs: ImageCodecs,
): Promise<Record<RenditionRole, Rendition> | undefined> {
  if (!RENDERABLE.has(source.uti)) return undefined
  const key = Buffer.from(source.checksum, 'base64').subarray(1).toString('hex')
  if (!/^[0-9a-f]{40}$/.test(key)) return undefined
  const paths = {
    medium: join(dir, `${key}-${RENDER_VERSION}-medium.jpg`),
    thumb: join(dir, `${key}-${RENDER_VERSION}-thumb.jpg`),
  }
  const cached = await readCached(paths)
  if (cached) return cached
  const bytes = await readFile(source.path)
  const images = render(bytes, source.uti, codecs)
  if (!images) return undefined
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const out = {} as Record<RenditionRole, Rendition>
  for (const role of ['medium', 'thumb'] as const) {
    const jpeg = codecs.encodeJpeg(images[role], QUALITY)
    await writeFileAtomic(paths[role], jpeg)
    out[role] = describe(paths[role], jpeg)!
  }
  return out
}

/** The two scaled images of an original, or undefined when it cannot be decoded. */
function render(
  bytes: Buffer,
  uti: string,
  codecs: ImageCodecs,
): Record<RenditionRole, RgbaImage> | undefined {
  // The header's size is checked before decoding, so a huge image is refused without its pixels.
  const size = dimensions(bytes)
  if (!size || size.width < 1 || size.height < 1 || size.width * size.height > MAX_PIXELS) return undefined
  let image: RgbaImage
  try {
    image = uti === 'public.png' ? codecs.decodePng(bytes) : codecs.decodeJpeg(bytes)
  } catch {
    return undefined
  }
  flattenOnWhite(image)
  const medium = renditionSize(image.width, image.height, MEDIUM_MAX_PIXELS)
  const thumb = renditionSize(image.width, image.height, THUMB_MAX_PIXELS)
  const mediumImage = scaleArea(image, medium.width, medium.height)
  // The thumbnail is scaled from the medium: the same area average, a sixth of the work. Both are
  // turned upright after scaling (fewer pixels to move; the size rule is symmetric).
  const orientation = uti === 'public.jpeg' ? jpegOrientation(bytes) : 1
  return {
    medium: orientUpright(mediumImage, orientation),
    thumb: orientUpright(scaleArea(mediumImage, thumb.width, thumb.height), orientation),
  }
}

async function readCached(
  paths: Record<RenditionRole, string>,
): Promise<Record<RenditionRole, Rendition> | undefined> {
  const out = {} as Record<RenditionRole, Rendition>
  for (const role of ['medium', 'thumb'] as const) {
    const bytes = await readFile(paths[role]).catch(() => undefined)
    const rendition = bytes && describe(paths[role], bytes)
    if (!rendition) return undefined
    out[role] = rendition
  }
  return out
}

function describe(path: string, bytes: Buffer): Rendition | undefined {
  const size = dimensions(bytes)
  if (!size) return undefined
  const checksum = sha1Checksum(bytes)
  return { path, size: bytes.length, checksum, ...size }
}
