import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type SeedAsset, SHARED_ALBUMS_DIR, scanPhotosDir } from '../photos/scan.js'

/** One shared album of a seed directory: `shared-albums/<name>/` and the assets in it. */
export interface SeedSharedAlbum {
  /** The folder's name: the album's name. */
  readonly name: string
  /** Its assets, read as the Photos library reads its seed (live photos, RAW+JPEG, EXIF dates). */
  readonly assets: readonly SeedAsset[]
}

/**
 * The shared albums of a seed directory: each sub-folder of `<dir>/shared-albums/` (hidden ones
 * skipped) is an album whose image and video files, in any depth, are its assets; no folder, no albums.
 */
export async function scanSharedAlbums(dir: string): Promise<SeedSharedAlbum[]> {
  const root = join(dir, SHARED_ALBUMS_DIR)
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(root, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
  return Promise.all(names.map(async (name) => ({ name, assets: await scanPhotosDir(join(root, name)) })))
}
