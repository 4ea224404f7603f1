import { randomBytes } from 'node:crypto'
import { open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { isSigwireError, SigwireError } from '../errors/sigwire-error.js'
import { syncDirectory } from './sync-directory.js'

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file. Default `0o600`: session files and keys are for the owner only. */
  mode?: number
  /** Stops a streamed write; the temporary file is removed and `path` is left as it was. */
  signal?: AbortSignal | undefined
}

/**
 * Writes `data` to `path` so that a reader sees either the old file or the complete new one, never a
 * torn write: the bytes go to a temporary file in the same directory, are fsynced, then renamed over
 * `path`, and the directory is fsynced so the rename survives a crash. `data` may be a stream (a
 * download, in constant memory); if the stream fails, its error is thrown as it is (a `SigwireError`
 * or an abort keeps its code) and nothing is left behind. A process killed mid-write (kill -9) does
 * leave its temporary file; each save removes such orphans from its directory (see
 * `removeOrphanedTempFiles`). Returns the number of bytes written.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Readable | AsyncIterable<Uint8Array>,
  options: WriteFileAtomicOptions = {},
): Promise<number> {
  let written = 0
  const mode = options.mode ?? 0o600
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  inFlight.add(temp)
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data
        await handle.writeFile(bytes)
        written = bytes.byteLength
      } else
        for await (const chunk of data) {
          options.signal?.throwIfAborted()
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
          await handle.writeFile(bytes)
          written += bytes.byteLength
        }
      // open() applies the umask; chmod makes the mode exact.
      await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    // A stream not read to its end still holds its source (a download's connection): release it.
    if (typeof data === 'object' && 'destroy' in data && typeof data.destroy === 'function') data.destroy()
    await unlink(temp).catch(() => {})
    inFlight.delete(temp)
    if (isSigwireError(error) || (error as Error).name === 'AbortError') throw error
    throw new SigwireError({
      code: 'FILE_WRITE_FAILED',
      message: `Could not write ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); the previous file, if any, is unchanged.`,
      cause: error,
    })
  }
  await syncDirectory(dir)
  inFlight.delete(temp)
  await removeOrphanedTempFiles(dir)
  return written
}

/** `.<name>.<pid>.<12 hex>.tmp`: the temporary files {@link writeFileAtomic} creates. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/

/** A temporary file untouched for this long, whose writer is gone, is an orphan. */
const ORPHAN_AGE_MS = 10_000

/** Temporary files this process is writing right now. */
const inFlight = new Set<string>()

/**
 * Removes the temporary files of {@link writeFileAtomic} that a killed process left in `dir`: only
 * names of its own pattern, untouched for 10 s, whose process is gone (or is this one, not writing
 * it). A streamed write in progress touches its file with every chunk and its process is alive, so it
 * is never taken. Failures are ignored: cleaning up must never fail a save.
 */
export async function removeOrphanedTempFiles(dir: string, nowMs: number = Date.now()): Promise<number> {
  let removed = 0
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name)
    if (!match) continue
    const path = join(dir, name)
    if (inFlight.has(path) || processAlive(Number(match[1]))) continue
    try {
      if (nowMs - (await stat(path)).mtimeMs < ORPHAN_AGE_MS) continue
      await unlink(path)
      removed++
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed
}

/** True when process `pid` exists (another process of this user, or one we may not signal). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
