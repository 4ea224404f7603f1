// The creation date of a seeded photo, from its EXIF block. Written here rather than taken from an
// EXIF library because the emulator needs only one tag, and a dependency of the emulator would be
// installed by every user of @sigwire/icloud's client too. JPEG (APP1), HEIC (the `Exif` item) and
// TIFF-based RAW files (DNG, CR2, NEF, ARW: the file is a TIFF) all carry the same TIFF structure, so
// the reader looks for a TIFF header right after `Exif\0\0`, or at offset 0.

const EXIF_MARKER = Buffer.from('Exif\0\0', 'latin1')
const SCAN_BYTES = 512 * 1024
const TAG_EXIF_IFD = 0x8769
const TAG_DATE_TIME = 0x0132
const TAG_DATE_TIME_ORIGINAL = 0x9003
const TAG_OFFSET_TIME_ORIGINAL = 0x9011

/**
 * `DateTimeOriginal` (else `DateTime`) of the EXIF data in the first bytes of an image file, as a
 * Date; with `OffsetTimeOriginal` when present, else read as UTC. Undefined when there is none.
 */
export function exifDate(head: Uint8Array): Date | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, SCAN_BYTES))
  const starts: number[] = []
  if (isTiffHeader(bytes, 0)) starts.push(0)
  for (let at = bytes.indexOf(EXIF_MARKER); at !== -1; at = bytes.indexOf(EXIF_MARKER, at + 1)) {
    if (isTiffHeader(bytes, at + EXIF_MARKER.length)) starts.push(at + EXIF_MARKER.length)
    if (starts.length > 4) break
  }
  for (const start of starts) {
    const date = readTiffDate(bytes, start)
    if (date) return date
  }
  return undefined
}

function isTiffHeader(b: Buffer, at: number): boolean {
  if (at + 8 > b.length) return false
  const order = b.toString('latin1', at, at + 2)
  if (order !== 'II' && order !== 'MM') return false
  const magic = order === 'II' ? b.readUInt16LE(at + 2) : b.readUInt16BE(at + 2)
  return magic === 42
}

function readTiffDate(b: Buffer, tiff: number): Date | undefined {
  const le = b.toString('latin1', tiff, tiff + 2) === 'II'
  const u16 = (at: number) => (at + 2 <= b.length ? (le ? b.readUInt16LE(at) : b.readUInt16BE(at)) : -1)
  const u32 = (at: number) => (at + 4 <= b.length ? (le ? b.readUInt32LE(at) : b.readUInt32BE(at)) : -1)
  const entries = (ifd: number): Map<number, { type: number; count: number; value: number }> => {
    const out = new Map<number, { type: number; count: number; value: number }>()
    const count = u16(tiff + ifd)
    for (let i = 0; i < count && i < 512; i++) {
      const at = tiff + ifd + 2 + i * 12
      if (at + 12 > b.length) break
      out.set(u16(at), { type: u16(at + 2), count: u32(at + 4), value: at + 8 })
    }
    return out
  }
  const ascii = (entry: { type: number; count: number; value: number } | undefined): string | undefined => {
    if (entry?.type !== 2 || entry.count < 1) return undefined
    const at = entry.count <= 4 ? entry.value : tiff + u32(entry.value)
    if (at < 0 || at + entry.count > b.length) return undefined
    return b.toString('latin1', at, at + entry.count).replace(/\0.*$/s, '')
  }
  const ifd0Offset = u32(tiff + 4)
  if (ifd0Offset <= 0) return undefined
  const ifd0 = entries(ifd0Offset)
  const exifPointer = ifd0.get(TAG_EXIF_IFD)
  const exif = exifPointer ? entries(u32(exifPointer.value)) : new Map()
  const text = ascii(exif.get(TAG_DATE_TIME_ORIGINAL)) ?? ascii(ifd0.get(TAG_DATE_TIME))
  return text ? parseExifDate(text, ascii(exif.get(TAG_OFFSET_TIME_ORIGINAL))) : undefined
}

/** `YYYY:MM:DD HH:MM:SS` with an optional `+HH:MM` offset (UTC without one). */
export function parseExifDate(text: string, offset?: string): Date | undefined {
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text.trim())
  if (!m || m[1] === '0000') return undefined
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z'
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * A minimal EXIF block (a TIFF with `DateTimeOriginal` and `OffsetTimeOriginal`), for tests and for
 * seeding: `Exif\0\0` followed by a little-endian TIFF.
 */
export function exifBlock(date: string, offset = '+00:00'): Buffer {
  const dt = Buffer.from(`${date}\0`, 'latin1') // 20 bytes
  const off = Buffer.from(`${offset}\0`, 'latin1') // 7 bytes
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 24 + 4 + dt.length + off.length)
  tiff.write('II', 0, 'latin1')
  tiff.writeUInt16LE(42, 2)
  tiff.writeUInt32LE(8, 4)
  // IFD0: one entry, the EXIF IFD pointer.
  tiff.writeUInt16LE(1, 8)
  tiff.writeUInt16LE(TAG_EXIF_IFD, 10)
  tiff.writeUInt16LE(4, 12)
  tiff.writeUInt32LE(1, 14)
  const exifIfd = 8 + 2 + 12 + 4
  tiff.writeUInt32LE(exifIfd, 18)
  tiff.writeUInt32LE(0, 22)
  tiff.writeUInt16LE(2, exifIfd)
  const data = exifIfd + 2 + 24 + 4
  tiff.writeUInt16LE(TAG_DATE_TIME_ORIGINAL, exifIfd + 2)
  tiff.writeUInt16LE(2, exifIfd + 4)
  tiff.writeUInt32LE(dt.length, exifIfd + 6)
  tiff.writeUInt32LE(data, exifIfd + 10)
  tiff.writeUInt16LE(TAG_OFFSET_TIME_ORIGINAL, exifIfd + 14)
  tiff.writeUInt16LE(2, exifIfd + 16)
  tiff.writeUInt32LE(off.length, exifIfd + 18)
  tiff.writeUInt32LE(data + dt.length, exifIfd + 22)
  tiff.writeUInt32LE(0, exifIfd + 26)
  dt.copy(tiff, data)
  off.copy(tiff, data + dt.length)
  return Buffer.concat([EXIF_MARKER, tiff])
}
