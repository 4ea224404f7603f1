import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { SigwireError } from '../errors/sigwire-error.js'

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file. Default `0o600`: session files and keys are for the owner only. */
  mode?: number
}

/**
 * Writes `data` to `path` so that a reader sees either the old file or the complete new one, never a
 * torn write: the bytes go to a temporary file in the same directory, are fsynced, then renamed over
 * `path`, and the directory is fsynced so the rename survives a crash.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      // open() applies the umask; chmod makes the mode exact.
      await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw new SigwireError({
      code: 'FILE_WRITE_FAILED',
      message: `Could not write ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); the previous file, if any, is unchanged.`,
      cause: error,
    })
  }
  try {
    const dirHandle = await open(dir, 'r')
    try {
      await dirHandle.sync()
    } finally {
      await dirHandle.close()
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the rename itself is still atomic.
  }
}
