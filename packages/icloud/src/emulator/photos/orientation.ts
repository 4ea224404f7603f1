// EXIF orientation of a JPEG original, and the pixels turned upright. Apple's renditions are upright
// while `resOriginalWidth`/`Height` keep the stored layout: an original of 2576×1932 with
// `originalOrientation: 6` has a 1536×2048 medium (docs/protocols/icloud.md §16.10). The tag's eight
// values are those of the TIFF 6.0 / EXIF 2.3 specification (tag 0x0112).

import type { RgbaImage } from './scale-image.js'

const TAG_ORIENTATION = 0x0112
const EXIF_HEADER = 'Exif\0\0'

/** The EXIF `Orientation` (1–8) of a JPEG's APP1 block, or 1 (as stored) when it has none. */
export function jpegOrientation(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return 1
  let at = 2
  // The APP segments come before the first frame or scan header.
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!
    if (marker === 0xda || (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc)) break
    const length = b.readUInt16BE(at + 2)
    if (marker === 0xe1 && b.toString('latin1', at + 4, at + 10) === EXIF_HEADER) {
      const found = tiffOrientation(b.subarray(at + 10, Math.min(b.length, at + 2 + length)))
      if (found) return found
    }
    at += 2 + length
  }
  return 1
}

function tiffOrientation(t: Buffer): number | undefined {
  if (t.length < 8) return undefined
  const order = t.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') return undefined
  const le = order === 'II'
  const u16 = (at: number) => (le ? t.readUInt16LE(at) : t.readUInt16BE(at))
  const ifd = le ? t.readUInt32LE(4) : t.readUInt32BE(4)
  if (ifd + 2 > t.length) return undefined
  const count = u16(ifd)
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12
    if (entry + 12 > t.length) break
    // A SHORT value sits in the first two bytes of the entry's value field.
    if (u16(entry) === TAG_ORIENTATION && u16(entry + 2) === 3) {
      const value = u16(entry + 8)
      return value >= 1 && value <= 8 ? value : undefined
    }
  }
  return undefined
}

/** `image` turned so it displays upright for EXIF `orientation` (5–8 swap width and height). */
export function orientUpright(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation < 2 || orientation > 8) return image
  const { width: w, height: h } = image
  // A Uint32Array view needs 4-byte alignment (a pooled Buffer may not have it).
  const src = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice()
  const swap = orientation >= 5
  const width = swap ? h : w
  const height = swap ? w : h
  const out = new Uint8Array(src.length)
  const pixels = new Uint32Array(src.buffer, src.byteOffset, w * h)
  const target = new Uint32Array(out.buffer, 0, width * height)
  // For each displayed pixel (x, y), the stored pixel it shows.
  const source: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * w + (w - 1 - x),
    3: (x: number, y: number) => (h - 1 - y) * w + (w - 1 - x),
    4: (x: number, y: number) => (h - 1 - y) * w + x,
    5: (x: number, y: number) => x * w + y,
    6: (x: number, y: number) => (h - 1 - x) * w + y,
    7: (x: number, y: number) => (h - 1 - x) * w + (w - 1 - y),
    8: (x: number, y: number) => x * w + (w - 1 - y),
  }[orientation]!
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) target[y * width + x] = pixels[source(x, y)]!
  return { width, height, data: out }
}
