import { ICloudError } from '../../errors.js'
import type { PhotoAlbum } from './types.js'

/**
 * The album `name` designates among `albums` (one library's). In order: an album whose id is `name`
 * (a smart album's id is its English name; a user album's, its CPLAlbum record name), then those whose
 * `Folder/Name` path is `name`, then those whose own name is. Photos lets a folder and an album share a
 * name, and the emulator seeds exactly that from a directory holding both photos and sub-folders; a
 * folder lists nothing, so an album is preferred to it. Several albums left (two albums of one name in
 * different folders, or twice the same path, which Photos also allows) are refused rather than one
 * picked: pyicloud 1.0.0 keys its albums by name (`services/photos.py`, `self._albums[folder_name]`) and
 * keeps one silently, so the others' photos go missing from a sync without a word.
 */
export function findAlbum(albums: readonly PhotoAlbum[], name: string): PhotoAlbum {
  const byId = albums.find((a) => a.id === name)
  if (byId) return byId
  let found = albums.filter((a) => a.path === name)
  if (found.length === 0) found = albums.filter((a) => a.name === name)
  if (found.some((a) => a.kind !== 'folder')) found = found.filter((a) => a.kind !== 'folder')
  if (found.length === 1) return found[0]!
  if (found.length === 0)
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No album named ${JSON.stringify(name)}: the albums are ${albums.map((a) => JSON.stringify(a.path)).join(', ')}.`,
      details: { argument: 'album' },
    })
  const paths = new Set(found.map((a) => a.path))
  throw new ICloudError({
    code: 'INVALID_ARGUMENT',
    message:
      paths.size === found.length
        ? `Several albums are named ${JSON.stringify(name)}: ${[...paths].map((p) => JSON.stringify(p)).join(', ')}; name one by its Folder/Name path.`
        : `Several albums are called ${JSON.stringify(name)}: ${found.map((a) => `${JSON.stringify(a.path)} (id ${a.id})`).join(', ')}; name one by its id.`,
    details: { argument: 'album' },
  })
}
