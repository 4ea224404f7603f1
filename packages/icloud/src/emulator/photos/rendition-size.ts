// The pixel sizes of the derived renditions. Apple sizes them by area, not by long edge: in icloudpd's
// recorded libraries a 4032×3024 original has a 2048×1536 `resJPEGMed` and a 480×360 `resJPEGThumb`,
// a 3840×2160 one 2364×1330 and 554×311 (the same areas at 16:9), and a 1599×1009 PNG a medium of its
// own size (docs/protocols/icloud.md §16.10).

/** The pixel budget of `resJPEGMed` (2048 × 1536, about 3.1 MP). */
export const MEDIUM_MAX_PIXELS = 2048 * 1536
/** The pixel budget of `resJPEGThumb` (480 × 360). */
export const THUMB_MAX_PIXELS = 480 * 360

/** A width and height in pixels. */
export interface PixelSize {
  /** Width in pixels. */
  readonly width: number
  /** Height in pixels. */
  readonly height: number
}

/**
 * The size of a rendition of a `width`×`height` image within `maxPixels`: the same aspect ratio,
 * each side rounded down, never larger than the image (an image within the budget keeps its size).
 */
export function renditionSize(width: number, height: number, maxPixels: number): PixelSize {
  if (width * height <= maxPixels) return { width, height }
  const scale = Math.sqrt(maxPixels / (width * height))
  // The epsilon keeps exact ratios exact (4032 × 0.50793… is 2048, not 2047.9999).
  return {
    width: Math.max(1, Math.floor(width * scale + 1e-6)),
    height: Math.max(1, Math.floor(height * scale + 1e-6)),
  }
}
