import { describe, expect, it } from 'vitest'
import { loadImageCodecs } from './image-codecs.js'
import { jpegOrientation, orientUpright } from './orientation.js'
import { MEDIUM_MAX_PIXELS, renditionSize, THUMB_MAX_PIXELS } from './rendition-size.js'
import { flattenOnWhite, scaleArea } from './scale-image.js'

describe('renditionSize', () => {
  // Originals and renditions recorded in icloudpd's cassettes (docs/protocols/icloud.md §16.10).
  it.each([
    [4032, 3024, MEDIUM_MAX_PIXELS, 2048, 1536],
    [3024, 4032, MEDIUM_MAX_PIXELS, 1536, 2048],
    [3840, 2160, MEDIUM_MAX_PIXELS, 2364, 1330],
    [1599, 1009, MEDIUM_MAX_PIXELS, 1599, 1009],
    [4032, 3024, THUMB_MAX_PIXELS, 480, 360],
    [3840, 2160, THUMB_MAX_PIXELS, 554, 311],
    [2048, 1364, THUMB_MAX_PIXELS, 509, 339],
    // Apple answers 310×554 here: its rounding is not on record, the emulator's is within a pixel.
    [750, 1334, THUMB_MAX_PIXELS, 311, 554],
  ])('%i×%i within %i pixels is %i×%i', (w, h, budget, rw, rh) => {
    expect(renditionSize(w, h, budget)).toEqual({ width: rw, height: rh })
  })

  it('never upscales and never answers a zero side', () => {
    expect(renditionSize(16, 16, THUMB_MAX_PIXELS)).toEqual({ width: 16, height: 16 })
    expect(renditionSize(100_000, 1, THUMB_MAX_PIXELS)).toEqual({ width: 100_000, height: 1 })
    expect(renditionSize(1_000_000, 1, THUMB_MAX_PIXELS).height).toBe(1)
  })
})

describe('scaleArea', () => {
  it('averages the area each output pixel covers, fractional edges included', () => {
    // 3×1 → 2×1: the first output covers pixel 0 and half of pixel 1, the second the rest.
    const data = new Uint8Array([0, 0, 0, 255, 90, 90, 90, 255, 180, 180, 180, 255])
    const out = scaleArea({ width: 3, height: 1, data }, 2, 1)
    expect([...out.data]).toEqual([30, 30, 30, 255, 150, 150, 150, 255])
  })

  it('averages 2×2 blocks exactly', () => {
    const data = new Uint8Array(4 * 4 * 4)
    for (let i = 0; i < 16; i++) data.set([i * 10, 255 - i * 10, 7, 255], i * 4)
    const out = scaleArea({ width: 4, height: 4, data }, 2, 2)
    // Top-left block: pixels 0, 1, 4, 5 → red (0 + 10 + 40 + 50) / 4 = 25.
    expect([...out.data.subarray(0, 4)]).toEqual([25, 230, 7, 255])
    expect([...out.data.subarray(12, 16)]).toEqual([125, 130, 7, 255])
  })

  it('flattens transparency onto white', () => {
    const image = flattenOnWhite({ width: 2, height: 1, data: new Uint8Array([0, 0, 0, 0, 100, 50, 0, 128]) })
    expect([...image.data]).toEqual([255, 255, 255, 255, 177, 152, 127, 255])
  })
})

describe('loadImageCodecs', () => {
  it('answers undefined when jpeg-js or pngjs is not installed, so the emulator keeps its stand-ins', async () => {
    const missing = async (name: string) => {
      if (name === 'pngjs')
        throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' })
      return import(name)
    }
    await expect(loadImageCodecs(missing)).resolves.toBeUndefined()
  })

  it('throws a broken install instead of hiding it', async () => {
    await expect(loadImageCodecs(async () => ({}))).rejects.toThrow(/no decode export/)
  })

  it('round-trips pixels through the installed libraries', async () => {
    const codecs = (await loadImageCodecs())!
    const data = new Uint8Array(8 * 8 * 4).fill(200)
    const jpeg = codecs.encodeJpeg({ width: 8, height: 8, data }, 90)
    const back = codecs.decodeJpeg(jpeg)
    expect([back.width, back.height]).toEqual([8, 8])
    expect(Math.abs(back.data[0]! - 200)).toBeLessThanOrEqual(3)
    expect(() => codecs.decodePng(jpeg)).toThrow()
  })
})

/** A JPEG prefix (SOI, an APP1 EXIF block with `Orientation`, in `order` byte order), then EOI. */
function jpegWithOrientation(orientation: number, order: 'II' | 'MM' = 'MM'): Buffer {
  const tiff = Buffer.alloc(26)
  const le = order === 'II'
  tiff.write(order, 0, 'latin1')
  const u16 = (v: number, at: number) => (le ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at))
  const u32 = (v: number, at: number) => (le ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at))
  u16(42, 2)
  u32(8, 4)
  u16(1, 8)
  u16(0x0112, 10)
  u16(3, 12)
  u32(1, 14)
  u16(orientation, 18)
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0, 0])
  head.writeUInt16BE(body.length + 2, 4)
  return Buffer.concat([head, body, Buffer.from([0xff, 0xd9])])
}

describe('orientation', () => {
  it('reads EXIF Orientation in either byte order, 1 without one', () => {
    expect(jpegOrientation(jpegWithOrientation(6))).toBe(6)
    expect(jpegOrientation(jpegWithOrientation(8, 'II'))).toBe(8)
    expect(jpegOrientation(jpegWithOrientation(9))).toBe(1)
    expect(jpegOrientation(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBe(1)
    expect(jpegOrientation(Buffer.from('not a jpeg'))).toBe(1)
  })

  // A 3×2 image whose pixels are numbered 0..5 (in the red channel), row by row.
  const numbered = () => {
    const data = new Uint8Array(6 * 4)
    for (let i = 0; i < 6; i++) data.set([i, 0, 0, 255], i * 4)
    return { width: 3, height: 2, data }
  }
  const reds = (image: { data: Uint8Array }) => [...image.data].filter((_, i) => i % 4 === 0)

  it.each([
    // Stored 0 1 2 / 3 4 5; each orientation's upright picture, rows top to bottom.
    [1, 3, [0, 1, 2, 3, 4, 5]],
    [2, 3, [2, 1, 0, 5, 4, 3]],
    [3, 3, [5, 4, 3, 2, 1, 0]],
    [4, 3, [3, 4, 5, 0, 1, 2]],
    [5, 2, [0, 3, 1, 4, 2, 5]],
    [6, 2, [3, 0, 4, 1, 5, 2]],
    [7, 2, [5, 2, 4, 1, 3, 0]],
    [8, 2, [2, 5, 1, 4, 0, 3]],
  ])('orientation %i turns the pixels upright', (orientation, width, expected) => {
    const out = orientUpright(numbered(), orientation)
    expect(out.width).toBe(width)
    expect(reds(out)).toEqual(expected)
  })
})
