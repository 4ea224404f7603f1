// The image libraries behind real renditions, loaded on first use. jpeg-js and pngjs are pure
// JavaScript (no native binary to download) and are optional peer dependencies of @sigwire/icloud, so a
// client-only user never installs them; @sigwire/emulator depends on them. Without them the emulator
// keeps its stand-in renditions (docs/protocols/icloud.md §16.10).

import type { RgbaImage } from './scale-image.js'

/** Decoders and the encoder that real renditions need. */
export interface ImageCodecs {
  /** Decodes a baseline or progressive JPEG to RGBA; throws on bytes it cannot read. */
  decodeJpeg(bytes: Uint8Array): RgbaImage
  /** Decodes a PNG (any bit depth, interlaced or not) to 8-bit RGBA; throws on bytes it cannot read. */
  decodePng(bytes: Uint8Array): RgbaImage
  /** Encodes RGBA pixels (alpha ignored) as a baseline JPEG at `quality` (1–100). */
  encodeJpeg(image: RgbaImage, quality: number): Buffer
}

/** Imports a module by name (`import()` in production; a test passes a failing one). */
export type ModuleImporter = (name: string) => Promise<unknown>

// Decoding refuses images above this many megapixels, and the decoder's working memory is capped, so
// one huge or hostile file cannot take the emulator's memory (jpeg-js's own limits, made explicit).
const MAX_MEGAPIXELS = 100
const MAX_DECODE_MIB = 1024

interface JpegJs {
  decode(
    bytes: Uint8Array,
    options: {
      useTArray: true
      formatAsRGBA: true
      tolerantDecoding: boolean
      maxResolutionInMP: number
      maxMemoryUsageInMB: number
    },
  ): { width: number; height: number; data: Uint8Array }
  encode(image: { width: number; height: number; data: Uint8Array }, quality: number): { data: Buffer }
}

interface PngJs {
  PNG: { sync: { read(bytes: Buffer): { width: number; height: number; data: Buffer } } }
}

const importModule: ModuleImporter = (name) => import(name)

/**
 * The codecs, or undefined when jpeg-js or pngjs is not installed. Other failures (a broken install)
 * are thrown: a missing optional library is a fallback, a damaged one is a bug to see.
 */
export async function loadImageCodecs(
  importer: ModuleImporter = importModule,
): Promise<ImageCodecs | undefined> {
  let jpeg: JpegJs
  let png: PngJs
  try {
    const [jpegModule, pngModule] = await Promise.all([importer('jpeg-js'), importer('pngjs')])
    jpeg = interop<JpegJs>(jpegModule, 'decode')
    png = interop<PngJs>(pngModule, 'PNG')
  } catch (error) {
    if (isModuleNotFound(error)) return undefined
    throw error
  }
  return {
    decodeJpeg: (bytes) => {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: true,
        maxResolutionInMP: MAX_MEGAPIXELS,
        maxMemoryUsageInMB: MAX_DECODE_MIB,
      })
      return { width: image.width, height: image.height, data: image.data }
    },
    decodePng: (bytes) => {
      const image = png.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      if (image.width * image.height > MAX_MEGAPIXELS * 1_000_000)
        throw new RangeError(`PNG of ${image.width}×${image.height} is above ${MAX_MEGAPIXELS} MP.`)
      return { width: image.width, height: image.height, data: image.data }
    },
    encodeJpeg: (image, quality) => jpeg.encode(image, quality).data,
  }
}

/** A CommonJS module's exports, whether Node handed them over as named exports or as `default`. */
function interop<T>(module: unknown, key: string): T {
  const m = module as Record<string, unknown>
  if (m[key] !== undefined) return m as T
  const fallback = m.default as Record<string, unknown> | undefined
  if (fallback?.[key] !== undefined) return fallback as T
  throw new TypeError(`The module has no ${key} export.`)
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}
