import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ICloudClient, PhotoAsset, PhotoResource } from '@sigwire/icloud'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startICloudEmulator } from '../src/emulator/index.js'
import { sha1Checksum } from '../src/emulator/photos/checksum.js'
import { heicWithExif, type PhotosSession, photosSession } from './photos-fixtures.js'

// Real medium and thumbnail renditions (docs/protocols/icloud.md §16.10): seeded JPEG and PNG originals
// downloaded through the client from a loopback emulator, decoded with an independent decoder.

const RED = [220, 30, 40] as const
const BLUE = [20, 60, 200] as const
const GREEN = [40, 180, 60] as const

/** A `width`×`height` JPEG whose left half is RED and right half BLUE. */
function twoColourJpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = x < width / 2 ? RED : BLUE
      data.set([...c, 255], (y * width + x) * 4)
    }
  return jpeg.encode({ data, width, height }, 92).data
}

/** `jpeg` with an EXIF APP1 block whose Orientation is `orientation`, right after SOI. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  // TIFF header (big-endian, IFD0 at 8), one entry: Orientation (0x0112), SHORT, 1 value; no next IFD.
  const tiff = Buffer.from(
    `4d4d002a00000008 0001 0112 0003 00000001 000${orientation}0000 00000000`.replaceAll(' ', ''),
    'hex',
  )
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const head = Buffer.from([0xff, 0xe1, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)])
}

/** A solid GREEN PNG, half transparent in its bottom half (flattened onto white in the renditions). */
function greenPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) png.data.set([...GREEN, y < height / 2 ? 255 : 128], (y * width + x) * 4)
  return PNG.sync.write(png)
}

/** Mean RGB of a decoded region. */
function mean(image: { width: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number) {
  const sum = [0, 0, 0]
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      for (let c = 0; c < 3; c++) sum[c]! += image.data[(y * image.width + x) * 4 + c]!
  const n = (x1 - x0) * (y1 - y0)
  return sum.map((s) => s / n)
}

function near(actual: number[], expected: readonly number[], tolerance = 10): void {
  for (let c = 0; c < 3; c++) expect(Math.abs(actual[c]! - expected[c]!)).toBeLessThanOrEqual(tolerance)
}

let client: ICloudClient
let dir: string
let state: string
let out: string
let assets: Map<string, PhotoAsset>

let session: PhotosSession | undefined

async function start(): Promise<void> {
  session = await photosSession(dir, { stateDir: state })
  client = session.client
  assets = new Map()
  for await (const a of client.photos.assets()) assets.set(a.filename, a)
}

async function stop(): Promise<void> {
  await session?.close()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-renditions-lib-'))
  state = mkdtempSync(join(tmpdir(), 'sigwire-renditions-state-'))
  out = mkdtempSync(join(tmpdir(), 'sigwire-renditions-out-'))
  writeFileSync(join(dir, 'IMG_0001.JPG'), twoColourJpeg(2400, 1800))
  writeFileSync(join(dir, 'Screenshot 1.PNG'), greenPng(900, 600))
  writeFileSync(join(dir, 'IMG_0003.HEIC'), heicWithExif('2021:06:01 10:00:00'))
  writeFileSync(join(dir, 'IMG_0005.JPG'), withOrientation(twoColourJpeg(1200, 900), 6))
  mkdirSync(join(dir, 'Copies'))
  writeFileSync(join(dir, 'Copies', 'IMG_0004.JPG'), readFileSync(join(dir, 'IMG_0001.JPG')))
  await start()
})

afterAll(async () => {
  await stop()
  for (const d of [dir, state, out]) rmSync(d, { recursive: true, force: true })
})

/** Downloads a rendition and checks that its bytes are what the record says: size, checksum, pixels. */
async function fetchRendition(asset: PhotoAsset, resource: PhotoResource) {
  const path = join(out, `${asset.id}-${resource.kind}.jpg`)
  await client.photos.download(asset, resource, path)
  const bytes = readFileSync(path)
  expect(resource.uti).toBe('public.jpeg')
  expect(bytes.length).toBe(resource.size)
  expect(sha1Checksum(bytes)).toBe(resource.checksum)
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true })
  expect({ width: image.width, height: image.height }).toEqual({
    width: resource.width,
    height: resource.height,
  })
  return { bytes, image }
}

describe('Photos renditions of seeded originals', () => {
  it('scales a large JPEG to Apple’s medium and thumbnail budgets, keeping its colours where they were', async () => {
    const asset = assets.get('IMG_0001.JPG')!
    const medium = await fetchRendition(asset, asset.resources.medium!)
    const thumb = await fetchRendition(asset, asset.resources.thumb!)
    // 2400×1800 is 4:3: the same sizes as Apple's 4032×3024 renditions (§16.10).
    expect([medium.image.width, medium.image.height]).toEqual([2048, 1536])
    expect([thumb.image.width, thumb.image.height]).toEqual([480, 360])
    for (const { image } of [medium, thumb]) {
      const w = image.width
      const h = image.height
      near(mean(image, 0, 0, Math.floor(w * 0.45), h), RED)
      near(mean(image, Math.ceil(w * 0.55), 0, w, h), BLUE)
    }
  })

  it('renders a PNG original as JPEGs, never upscaled, transparency flattened onto white', async () => {
    const asset = assets.get('Screenshot 1.PNG')!
    const medium = await fetchRendition(asset, asset.resources.medium!)
    const thumb = await fetchRendition(asset, asset.resources.thumb!)
    expect([medium.image.width, medium.image.height]).toEqual([900, 600])
    // 900×600 within 480×360 pixels: 509×339 (Apple's thumbnail of a 2048×1364 photo is 509×339).
    expect([thumb.image.width, thumb.image.height]).toEqual([509, 339])
    for (const { image } of [medium, thumb]) {
      const h = image.height
      near(mean(image, 0, 0, image.width, Math.floor(h * 0.45)), GREEN)
      near(
        mean(image, 0, Math.ceil(h * 0.55), image.width, h),
        GREEN.map((c) => (c * 128 + 255 * 127) / 255),
      )
    }
  })

  it('turns a JPEG with EXIF orientation 6 upright, as Apple does, the original keeping its stored size', async () => {
    const asset = assets.get('IMG_0005.JPG')!
    expect([asset.width, asset.height]).toEqual([1200, 900])
    const medium = await fetchRendition(asset, asset.resources.medium!)
    const thumb = await fetchRendition(asset, asset.resources.thumb!)
    expect([medium.image.width, medium.image.height]).toEqual([900, 1200])
    expect([thumb.image.width, thumb.image.height]).toEqual([360, 480])
    // Rotated a quarter turn clockwise: the stored left half (red) is now the top.
    for (const { image } of [medium, thumb]) {
      near(mean(image, 0, 0, image.width, Math.floor(image.height * 0.45)), RED)
      near(mean(image, 0, Math.ceil(image.height * 0.55), image.width, image.height), BLUE)
    }
  })

  it('keeps the documented 16×16 stand-in for a HEIC (no pure-JS decoder), with its size stated', async () => {
    const asset = assets.get('IMG_0003.HEIC')!
    for (const kind of ['medium', 'thumb'] as const) {
      const { bytes, image } = await fetchRendition(asset, asset.resources[kind]!)
      expect([image.width, image.height]).toEqual([16, 16])
      expect(bytes.toString('latin1')).toContain(`sigwire stand-in ${kind} of IMG_0003.HEIC`)
    }
  })

  it('renders each distinct original once: a copy and a restart reuse the cached renditions', async () => {
    const a = assets.get('IMG_0001.JPG')!
    const b = assets.get('IMG_0004.JPG')!
    expect(b.resources.medium!.checksum).toBe(a.resources.medium!.checksum)
    const cache = join(state, 'photos', 'renditions')
    const before = readdirSync(cache).sort()
    // Two renditions for each of the JPEG, the PNG and the rotated JPEG; the copy shares the JPEG's.
    expect(before).toHaveLength(6)
    const checksums = [a.resources.medium!.checksum, a.resources.thumb!.checksum]
    await stop()
    await start()
    const again = assets.get('IMG_0001.JPG')!
    expect([again.resources.medium!.checksum, again.resources.thumb!.checksum]).toEqual(checksums)
    expect(readdirSync(cache).sort()).toEqual(before)
    await fetchRendition(again, again.resources.thumb!)
  })

  it('keeps stand-ins for every image with photosRenditions: stand-in, and refuses another value', async () => {
    const quick = await photosSession(dir, { photosRenditions: 'stand-in' })
    try {
      for await (const a of quick.client.photos.assets())
        if (a.type === 'image')
          expect([a.resources.medium!.width, a.resources.thumb!.height]).toEqual([16, 16])
    } finally {
      await quick.close()
    }
    await expect(startICloudEmulator({ photosRenditions: 'large' as 'scaled' })).rejects.toThrow(
      /photosRenditions must be "scaled" or "stand-in"/,
    )
  })

  it('renders an uploaded JPEG the same way', async () => {
    const path = join(out, 'upload.jpg')
    writeFileSync(path, twoColourJpeg(640, 480))
    const uploaded = await client.photos.upload(path, { filename: 'IMG_0100.JPG' })
    const thumb = await fetchRendition(uploaded, uploaded.resources.thumb!)
    expect([thumb.image.width, thumb.image.height]).toEqual([480, 360])
    near(mean(thumb.image, 0, 0, 200, 360), RED)
  })
})
