import type { CallOptions } from '@sigwire/core'
import { isICloudError, type PhotoAlbum, type PhotoLibrary, type PhotosApi } from '@sigwire/icloud'

/**
 * The albums named `names` in each of `libraries`, for the libraries that have at least one of them.
 * A smart album (Favorites, Videos, ...) is in every library; a user album only in the private one (the
 * Shared Library has none, pyicloud constants.py `SUPPORTED_SHARED_LIBRARY_SMART_ALBUMS`), so a name
 * missing from one library is not an error, and `--album Family` with `--library all` reads the private
 * library alone. A name no library has fails with the first library's `NOT_FOUND` (the private library
 * first: its message lists the user albums too); an ambiguous name fails as `photos.album` says.
 */
export async function albumsByLibrary(
  photos: PhotosApi,
  libraries: readonly PhotoLibrary[],
  names: readonly string[],
  options: CallOptions = {},
): Promise<Map<PhotoLibrary, PhotoAlbum[]>> {
  const out = new Map<PhotoLibrary, PhotoAlbum[]>()
  for (const name of names) {
    let missing: unknown
    let found = false
    for (const library of libraries) {
      try {
        const album = await photos.album(name, { ...options, library })
        out.set(library, [...(out.get(library) ?? []), album])
        found = true
      } catch (error) {
        if (!isICloudError(error, 'NOT_FOUND')) throw error
        missing ??= error
      }
    }
    if (!found && missing !== undefined) throw missing
  }
  // In the order of `libraries` (the private one first), whatever order the names found them in.
  return new Map(libraries.filter((l) => out.has(l)).map((l) => [l, out.get(l)!]))
}
