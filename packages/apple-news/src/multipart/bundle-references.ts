import { BUNDLE_URL_PREFIX } from '../constants.js'

/**
 * Every `bundle://<filename>` reference in an article document, with the key path of its first use
 * (§3: a resource part's filename must equal the path after `bundle://`).
 */
export function findBundleReferences(document: unknown): Map<string, Array<string | number>> {
  const found = new Map<string, Array<string | number>>()
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (typeof value === 'string') {
      if (value.startsWith(BUNDLE_URL_PREFIX)) {
        const filename = value.slice(BUNDLE_URL_PREFIX.length)
        if (!found.has(filename)) found.set(filename, path)
      }
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...path, i])
    } else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key])
  }
  walk(document, [])
  return found
}

/** The content type Apple expects for a bundle resource, from its file extension (§3). */
export function resourceContentType(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
  switch (ext) {
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg'
    case 'png':
      return 'image/png'
    case 'gif':
      return 'image/gif'
    case 'webp':
      return 'image/webp'
    default:
      // Fonts and anything else travel as application/octet-stream (§3).
      return 'application/octet-stream'
  }
}
