import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ICloudClient } from '@sigwire/icloud'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { exifBlock } from '../src/emulator/photos/exif-date.js'
import { standInJpeg } from '../src/emulator/photos/file-types.js'
import { clientFor } from './icloud-helpers.js'

/** A JPEG with an EXIF APP1 block dated `date` (`YYYY:MM:DD HH:MM:SS`) and `extra` random bytes in a comment. */
export function jpegWithExif(date: string, extra = 2048): Buffer {
  const jpeg = standInJpeg(randomBytes(8).toString('hex'))
  const exif = exifBlock(date)
  const app1 = Buffer.alloc(4)
  app1.writeUInt16BE(0xffe1, 0)
  app1.writeUInt16BE(exif.length + 2, 2)
  const pad = randomBytes(extra)
  const com = Buffer.alloc(4)
  com.writeUInt16BE(0xfffe, 0)
  com.writeUInt16BE(Math.min(pad.length, 60000) + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), app1, exif, com, pad.subarray(0, 60000), jpeg.subarray(2)])
}

/** Bytes that look like a HEIC (an `ftyp` box, an `ispe` box and an EXIF item). */
export function heicWithExif(date: string): Buffer {
  const ftyp = Buffer.from('0000001866747970686569630000000068656963', 'hex')
  const ispe = Buffer.alloc(20)
  ispe.writeUInt32BE(20, 0)
  ispe.write('ispe', 4, 'latin1')
  ispe.writeUInt32BE(4032, 12)
  ispe.writeUInt32BE(3024, 16)
  return Buffer.concat([ftyp, ispe, Buffer.from([0, 0, 0, 6]), exifBlock(date), randomBytes(4096)])
}

/** Files of a small library: live photos, a RAW pair, an edit, a video, albums in a folder, a Shared Library. */
export function writeLibrary(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'IMG_0001.HEIC': heicWithExif('2021:06:01 10:00:00'),
    'IMG_0001.MOV': randomBytes(30_000),
    'IMG_0002.JPG': jpegWithExif('2021:06:02 11:00:00'),
    'IMG_0002.DNG': Buffer.concat([exifBlock('2021:06:02 11:00:00').subarray(6), randomBytes(50_000)]),
    'IMG_0003.JPG': jpegWithExif('2021:06:03 12:00:00'),
    'IMG_E0003.JPG': jpegWithExif('2021:06:03 12:00:00', 999),
    'MOV_0004.MOV': randomBytes(120_000),
    'Trips/Paris/IMG_0005.JPG': jpegWithExif('2022:07:14 09:30:00'),
    'Trips/Paris/IMG_0006.JPG': jpegWithExif('2022:07:15 09:30:00'),
    'Family/IMG_0007.JPG': jpegWithExif('2023:01:01 00:00:01'),
    'shared/IMG_0008.JPG': jpegWithExif('2024:02:02 20:00:00'),
  }
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, bytes)
  }
  // A video has no EXIF: its date is the file's mtime.
  utimesSync(join(dir, 'MOV_0004.MOV'), new Date('2021-06-04T08:00:00Z'), new Date('2021-06-04T08:00:00Z'))
  return files
}

/** The SHA-256 of `bytes`, hex: how downloads are compared with the seeded files. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Every item of an async iterator, in order. */
export async function all<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = []
  for await (const item of iterator) list.push(item)
  return list
}

/** pyicloud's Photos query parameters (`PhotosService.__init__`): the session params plus remapEnums and getCurrentSyncToken. */
export function pyicloudPhotosParams(dsid: string): string {
  return new URLSearchParams({
    clientBuildNumber: '2534Project66',
    clientMasteringNumber: '2534B22',
    clientId: 'a4d1c0de-0000-4000-8000-000000000001',
    dsid,
    remapEnums: 'True',
    getCurrentSyncToken: 'True',
  }).toString()
}

/** An emulator seeded from a photos directory, its development account signed in, and an output directory. */
export interface PhotosSession {
  /** The emulator. */
  readonly emulator: ICloudEmulator
  /** sigwire's client, signed in as the development account. */
  readonly client: ICloudClient
  /** An empty directory for downloads. */
  readonly out: string
  /** Closes the client and the emulator, and removes `out`. */
  close(): Promise<void>
}

/**
 * Starts the emulator on `photosDir` (with `options`, such as a state directory) and signs the
 * development account in (two-factor included).
 */
export async function photosSession(
  photosDir: string,
  options: Omit<Parameters<typeof startICloudEmulator>[0], 'photosDir'> = {},
): Promise<PhotosSession> {
  const out = mkdtempSync(join(tmpdir(), 'sigwire-photos-out-'))
  const emulator = await startICloudEmulator({ ...options, photosDir })
  const dev = emulator.dev!
  const client = clientFor(emulator, {
    appleId: dev.appleId,
    password: dev.password,
    twoFactor: async () => dev.twoFactorCode,
  })
  await client.login()
  return {
    emulator,
    client,
    out,
    async close() {
      await client.close()
      await emulator.close()
      rmSync(out, { recursive: true, force: true })
    },
  }
}
