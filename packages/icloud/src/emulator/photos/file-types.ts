// Uniform type identifiers of the files a seeded library holds, as the Photos records carry them in
// `itemType` and `res*FileType` (docs/protocols/icloud.md §16.4).

/** What the emulator knows about a file extension. */
export interface SeedFileType {
  /** The UTI (`public.jpeg`, `com.apple.quicktime-movie`, ...). */
  readonly uti: string
  /** `image`, `movie`, or `raw` (an image whose JPEG twin is the original). */
  readonly kind: 'image' | 'movie' | 'raw'
}

const TYPES: Readonly<Record<string, SeedFileType>> = {
  jpg: { uti: 'public.jpeg', kind: 'image' },
  jpeg: { uti: 'public.jpeg', kind: 'image' },
  png: { uti: 'public.png', kind: 'image' },
  heic: { uti: 'public.heic', kind: 'image' },
  heif: { uti: 'public.heif', kind: 'image' },
  gif: { uti: 'com.compuserve.gif', kind: 'image' },
  tif: { uti: 'public.tiff', kind: 'image' },
  tiff: { uti: 'public.tiff', kind: 'image' },
  mov: { uti: 'com.apple.quicktime-movie', kind: 'movie' },
  mp4: { uti: 'public.mpeg-4', kind: 'movie' },
  m4v: { uti: 'com.apple.m4v-video', kind: 'movie' },
  dng: { uti: 'com.adobe.raw-image', kind: 'raw' },
  cr2: { uti: 'com.canon.cr2-raw-image', kind: 'raw' },
  cr3: { uti: 'com.canon.cr3-raw-image', kind: 'raw' },
  nef: { uti: 'com.nikon.raw-image', kind: 'raw' },
  arw: { uti: 'com.sony.arw-raw-image', kind: 'raw' },
  raf: { uti: 'com.fuji.raw-image', kind: 'raw' },
  orf: { uti: 'com.olympus.raw-image', kind: 'raw' },
  rw2: { uti: 'com.panasonic.rw2-raw-image', kind: 'raw' },
  pef: { uti: 'com.pentax.raw-image', kind: 'raw' },
}

/** The type of a file name's extension, or undefined for files the library ignores. */
export function seedFileType(name: string): SeedFileType | undefined {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return undefined
  return TYPES[name.slice(dot + 1).toLowerCase()]
}

/** The UTI a download of a derived JPEG carries. */
export const JPEG_UTI = 'public.jpeg'

// A 16x16 grey baseline JPEG (made with jpeg-js, quality 40): the stand-in for the medium and
// thumbnail renditions the emulator cannot compute (no image library that installs without a native
// binary decodes HEIC and RAW), or computes none of (`photosRenditions: 'stand-in'`, or jpeg-js and
// pngjs not installed; docs/protocols/icloud.md §16.10).
const PLACEHOLDER = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEABQODxIPDRQSEBIXFRQYHjIhHhwcHj0sLiQySUBMS0dARkVQWnNiUFVtVkVGZIhlbXd7gYKBTmCNl4x9lnN+gXwBFRcXHhoeOyEhO3xTRlN8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fP/AABEIABAAEAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AN2gAoAKACgD/9k=',
  'base64',
)

/**
 * The stand-in rendition of an image: the placeholder JPEG with a comment segment naming the asset
 * and the rendition, so each is a valid JPEG with its own bytes (and checksum).
 */
export function standInJpeg(label: string): Buffer {
  const text = Buffer.from(`sigwire stand-in ${label}`.slice(0, 60000), 'utf8')
  const segment = Buffer.alloc(4)
  segment.writeUInt16BE(0xfffe, 0)
  segment.writeUInt16BE(text.length + 2, 2)
  return Buffer.concat([PLACEHOLDER.subarray(0, 2), segment, text, PLACEHOLDER.subarray(2)])
}
