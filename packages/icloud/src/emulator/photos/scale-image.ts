// Area-average (box) resampling of RGBA pixels: each output pixel is the mean of the source area it
// covers, with fractional weights at the edges, so a downscale neither aliases nor blurs beyond its
// own footprint. Averages are taken on the sRGB values, as most resizers do.

/** Pixels in memory: rows top to bottom, 4 bytes (R, G, B, A) per pixel. */
export interface RgbaImage {
  /** Width in pixels. */
  readonly width: number
  /** Height in pixels. */
  readonly height: number
  /** `width × height × 4` bytes. */
  readonly data: Uint8Array
}

interface Span {
  readonly first: number
  readonly weights: Float64Array
}

/** For each of `to` output cells, the source cells of `from` it covers and their weights (summing to 1). */
function spans(from: number, to: number): Span[] {
  const scale = from / to
  const out: Span[] = []
  for (let i = 0; i < to; i++) {
    const start = i * scale
    const end = Math.min(from, (i + 1) * scale)
    const first = Math.floor(start)
    const last = Math.min(from - 1, Math.ceil(end) - 1)
    const weights = new Float64Array(last - first + 1)
    for (let s = first; s <= last; s++)
      weights[s - first] = (Math.min(end, s + 1) - Math.max(start, s)) / scale
    out.push({ first, weights })
  }
  return out
}

/**
 * `image` resampled to `width`×`height` by area averaging. Meant for downscaling (each side no larger
 * than the source's); the caller keeps the aspect ratio.
 */
export function scaleArea(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width === image.width && height === image.height) return image
  const columns = spans(image.width, width)
  const rows = spans(image.height, height)
  const src = image.data
  const out = new Uint8Array(width * height * 4)
  const line = new Float64Array(width * 4)
  const acc = new Float64Array(width * 4)
  for (let y = 0; y < height; y++) {
    const row = rows[y]!
    acc.fill(0)
    for (let k = 0; k < row.weights.length; k++) {
      const wy = row.weights[k]!
      const base = (row.first + k) * image.width * 4
      // One source row, averaged across each output column.
      for (let x = 0; x < width; x++) {
        const column = columns[x]!
        let r = 0
        let g = 0
        let b = 0
        let a = 0
        for (let j = 0; j < column.weights.length; j++) {
          const w = column.weights[j]!
          const at = base + (column.first + j) * 4
          r += src[at]! * w
          g += src[at + 1]! * w
          b += src[at + 2]! * w
          a += src[at + 3]! * w
        }
        line[x * 4] = r
        line[x * 4 + 1] = g
        line[x * 4 + 2] = b
        line[x * 4 + 3] = a
      }
      for (let i = 0; i < acc.length; i++) acc[i]! += line[i]! * wy
    }
    const at = y * width * 4
    for (let i = 0; i < acc.length; i++) out[at + i] = Math.min(255, Math.max(0, Math.round(acc[i]!)))
  }
  return { width, height, data: out }
}

/**
 * `image` with its transparency flattened onto white (JPEG has no alpha; DECISION: what Apple
 * composites a transparent PNG's renditions onto is not on record). Changes `image.data` in place.
 */
export function flattenOnWhite(image: RgbaImage): RgbaImage {
  const d = image.data
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!
    if (a === 255) continue
    const k = a / 255
    d[i] = Math.round(d[i]! * k + 255 * (1 - k))
    d[i + 1] = Math.round(d[i + 1]! * k + 255 * (1 - k))
    d[i + 2] = Math.round(d[i + 2]! * k + 255 * (1 - k))
    d[i + 3] = 255
  }
  return image
}
