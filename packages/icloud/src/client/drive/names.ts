import { Buffer } from 'node:buffer'

/** The longest name in UTF-8 bytes (the NAME_MAX of APFS and of most file systems). */
export const MAX_NAME_BYTES = 255

/**
 * Why `name` cannot be an iCloud Drive item's name, or undefined when it can: empty, `.` or `..`, a
 * `/` or NUL inside, or longer than {@link MAX_NAME_BYTES} UTF-8 bytes (docs/protocols/icloud.md §15.6).
 */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty'
  if (name === '.' || name === '..') return `"${name}" names a directory, not an item`
  if (name.includes('/')) return 'it contains "/"'
  if (name.includes('\u0000')) return 'it contains a NUL character'
  const bytes = Buffer.byteLength(name, 'utf8')
  if (bytes > MAX_NAME_BYTES)
    return `it is ${bytes} bytes long in UTF-8; at most ${MAX_NAME_BYTES} are allowed`
  return undefined
}

/**
 * The names along a Drive path: `/Documents/report.pdf` gives `['Documents', 'report.pdf']`; `/` and
 * `` give `[]`. Empty segments (`a//b`, a trailing `/`) are ignored; `.` and `..` are refused by the
 * caller through {@link nameProblem}.
 */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

/**
 * A file name split the way Drive lists it: `report.pdf` is `name: report`, `extension: pdf`; a name
 * that starts or ends with a dot, or has none, has no extension (rclone `SplitName`, §15.2).
 */
export function splitExtension(fullName: string): { name: string; extension?: string } {
  const dot = fullName.lastIndexOf('.')
  if (dot <= 0 || dot === fullName.length - 1) return { name: fullName }
  return { name: fullName.slice(0, dot), extension: fullName.slice(dot + 1) }
}
