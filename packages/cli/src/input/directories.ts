import { mkdirSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { cliError } from '../output/errors.js'

/**
 * The directory named by `flag` (`--out`, `--state`), created when missing with `mode`: a file there or
 * on the way is `NOT_A_DIRECTORY`, a directory that cannot be created `FILE_WRITE_FAILED`.
 */
export function ensureDirectory(path: string, flag: string, mode = 0o777): string {
  const dir = resolve(path)
  let isFile = false
  try {
    isFile = statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false
  } catch (error) {
    isFile = (error as NodeJS.ErrnoException).code === 'ENOTDIR'
  }
  if (isFile)
    throw cliError(
      'NOT_A_DIRECTORY',
      `${flag} names ${dir}, which is (or is under) a file: name a directory (it is created if missing).`,
    )
  try {
    mkdirSync(dir, { recursive: true, mode })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw code === 'ENOTDIR' || code === 'EEXIST'
      ? cliError('NOT_A_DIRECTORY', `${flag} names ${dir}, which is under a file: name a directory.`)
      : cliError(
          'FILE_WRITE_FAILED',
          `${flag} names ${dir}, which cannot be created (${code}): check the permissions.`,
        )
  }
  return dir
}
