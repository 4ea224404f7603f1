/**
 * Image types Apple News takes: JPEG, PNG, GIF and WebP (DOC `Image`: "The supported image types are
 * JPEG (.jpeg or .jpg), WebP, GIF, or PNG"; docs/protocols/apple-news.md §8).
 */
const SUPPORTED_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/gif', 'image/webp'])
const SUPPORTED_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp'])
/** Extensions of images Apple News does not take, named so the message can say what was found. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  svg: 'SVG',
  svgz: 'SVG',
  tif: 'TIFF',
  tiff: 'TIFF',
  bmp: 'BMP',
  heic: 'HEIC',
  heif: 'HEIF',
  avif: 'AVIF',
  ico: 'ICO',
  psd: 'PSD',
}
const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  'image/svg+xml': 'SVG',
  'image/tiff': 'TIFF',
  'image/bmp': 'BMP',
  'image/heic': 'HEIC',
  'image/heif': 'HEIF',
  'image/avif': 'AVIF',
  'image/x-icon': 'ICO',
}

/** The extension of a file name or URL path, lower case, without query or fragment. */
function extensionOf(nameOrUrl: string): string {
  const path = nameOrUrl.split(/[?#]/)[0]!
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot === -1 ? '' : base.slice(dot + 1).toLowerCase()
}

/**
 * The name of an image type Apple News refuses (`SVG`, `TIFF`...), judged from the Content-Type when
 * known and from the extension otherwise; undefined when the image is (or may be) supported.
 */
export function unsupportedImageType(nameOrUrl: string, contentType?: string): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  if (type && type !== 'application/octet-stream') {
    if (SUPPORTED_TYPES.has(type)) return undefined
    return UNSUPPORTED_TYPES[type] ?? type
  }
  const ext = extensionOf(nameOrUrl)
  if (ext === '' || SUPPORTED_EXTENSIONS.has(ext)) return undefined
  return KNOWN_UNSUPPORTED[ext]
}
