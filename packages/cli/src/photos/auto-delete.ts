import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { CallOptions, PhotoLibrary, PhotosApi } from '@sigwire/icloud'
import type { SyncState } from './state.js'

/**
 * Deletes the files the state recorded for the assets `ids` (CPLAsset names; other removed record names
 * have none) and forgets them; a file whose size on disk is not the one recorded was changed locally and
 * is kept. Answers how many files were deleted.
 */
export function deleteLocalFiles(ids: Iterable<string>, state: SyncState, to: string): number {
  let deleted = 0
  const known: string[] = []
  for (const id of ids) {
    const files = state.filesOf(id)
    if (files.length === 0) continue
    known.push(id)
    for (const file of files) {
      const path = join(to, file.path)
      if (statSync(path, { throwIfNoEntry: false })?.size === file.size) {
        rmSync(path, { force: true })
        deleted++
      }
    }
  }
  state.forget(known)
  return deleted
}

/**
 * The assets of `library` that the state has files of and that are deleted in iCloud, for a run that
 * listed the library instead of reading its change feed (a first run with an old state, `--album`,
 * `--recent`, `--since`, a changed selection):
 *
 * - those in Recently Deleted, which is how icloudpd's `--auto-delete` finds deletions on every run
 *   (it lists that album and deletes the files its naming gives them; `src/icloudpd/autodelete.py`);
 * - when `listed` holds every asset of the library's All Photos (a listing of the whole library), also
 *   those removed for good (past Recently Deleted's 30 days, or deleted from it): recorded, not listed,
 *   not hidden. Hidden assets are not in All Photos (`Hidden` is its own smart album) and are not
 *   deletions.
 */
export async function deletedSinceListing(
  photos: PhotosApi,
  state: SyncState,
  library: PhotoLibrary,
  listed: ReadonlySet<string> | undefined,
  options: CallOptions,
): Promise<string[]> {
  // Only assets the state has files of can be deleted: one query, not one per asset of the albums.
  const recorded = state.assetsOf(library.id)
  if (recorded.length === 0) return []
  // A smart album's id is its name, so a user album of that name is not taken; one album list for both.
  const albums = await photos.albums({ ...options, library })
  const ids = async (id: string) => {
    const album = albums.find((a) => a.kind === 'smart' && a.id === id)
    const found = new Set<string>()
    if (!album) return found
    // Only the original's fields are asked for: the ids are all this needs.
    for await (const asset of photos.assets({ ...options, library, album, renditions: [] }))
      found.add(asset.id)
    return found
  }
  const trashed = await ids('Recently Deleted')
  if (listed === undefined) return recorded.filter((id) => trashed.has(id))
  const hidden = await ids('Hidden')
  return recorded.filter((id) => trashed.has(id) || (!listed.has(id) && !hidden.has(id)))
}

/** The assets the state has files of in `library` (its id) that are not in `listed`. */
export function notListed(state: SyncState, library: string, listed: ReadonlySet<string>): string[] {
  return state.assetsOf(library).filter((id) => !listed.has(id))
}
