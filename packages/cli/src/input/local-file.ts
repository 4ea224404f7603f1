import { statSync } from 'node:fs'
import { cliError } from '../output/errors.js'

/** A local file `command` uploads (`put`, `upload`): it must exist and be a regular file. */
export function checkLocalFile(path: string, command: string): { path: string; size: number } {
  const info = statSync(path, { throwIfNoEntry: false })
  if (info === undefined)
    throw cliError('FILE_NOT_FOUND', `${path} does not exist: name a local file to upload.`)
  if (info.isDirectory())
    throw cliError('NOT_A_FILE', `${path} is a directory: ${command} uploads files, one by one.`)
  if (!info.isFile()) throw cliError('NOT_A_FILE', `${path} is not a regular file.`)
  return { path, size: info.size }
}
