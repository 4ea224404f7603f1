import { statSync } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { isSigwireError } from '@sigwire/core'
import { type DriveApi, type DriveItem, MAX_NAME_BYTES } from '@sigwire/icloud'
import type { Io } from '../output/io.js'
import { transferBar } from './icloud-drive-output.js'

/** A file of the tree to fetch, and where it goes. */
interface Planned {
  readonly item: DriveItem
  readonly path: string
  readonly local: string
}

/** What a tree download did. */
export interface TreeResult {
  readonly out: string
  readonly downloaded: number
  readonly skipped: number
  readonly bytes: number
  readonly folders: number
  readonly failed: ReadonlyArray<{ path: string; code: string; message: string }>
}

/** Options of {@link downloadTree}. */
export interface TreeOptions {
  readonly concurrency: number
  readonly signal: AbortSignal
  readonly json: boolean
  /**
   * fsync each file before its rename and each directory after its files, so a download reported done
   * survives a power loss. Without it a file still appears complete or not at all, and a process
   * killed at any point loses nothing written; a power loss can leave a file short, which the next
   * run finds by its size and fetches again (as `photos sync` does, and pyicloud and icloudpd never fsync).
   */
  readonly fsync?: boolean
}

/**
 * Downloads everything below `folder` into `out`, recreating its folders: the tree is listed first
 * (a few folders per call), files whose local copy has the same size and mtime (to the second, as
 * Drive lists it) are skipped, and the rest are fetched `concurrency` at a time, each atomically
 * with its mtime set (fsynced with `fsync`), under one progress bar. A failed file does not stop the
 * others; it is reported.
 */
export async function downloadTree(
  io: Io,
  drive: DriveApi,
  folder: DriveItem,
  out: string,
  options: TreeOptions,
): Promise<TreeResult> {
  const failed: Array<{ path: string; code: string; message: string }> = []
  const fail = (path: string, error: unknown) =>
    failed.push({
      path,
      code: isSigwireError(error) ? error.code : ((error as NodeJS.ErrnoException)?.code ?? 'FAILED'),
      message: isSigwireError(error) ? error.message : String((error as Error)?.message ?? error),
    })
  const folders: string[] = []
  const files: Planned[] = []
  let skipped = 0
  const unsafe = new Set<string>()
  for await (const { path, item } of drive.walk(folder, { signal: options.signal })) {
    const parts = path.split('/')
    // Names come from the server: one that could leave `out` (`..`, a separator) is refused.
    const bad = parts.find((p) => !localNameOk(p))
    if (bad !== undefined || unsafe.has(parts.slice(0, -1).join('/'))) {
      if (item.isFolder) unsafe.add(path)
      if (bad !== undefined)
        fail(path, new Error(`the name ${JSON.stringify(bad)} cannot be a local file name`))
      continue
    }
    const local = join(out, ...parts)
    if (item.isFolder) folders.push(local)
    else if (unchanged(local, item)) skipped++
    else files.push({ item, path, local })
  }
  for (const dir of folders) await mkdir(dir, { recursive: true }).catch((error: unknown) => fail(dir, error))
  const total = files.reduce((sum, f) => sum + (f.item.size ?? 0), 0)
  const bar = transferBar(io, 'Downloading', total, options.json, files.length)
  let bytes = 0
  let done = 0
  let next = 0
  const worker = async () => {
    while (next < files.length && !options.signal.aborted) {
      const file = files[next++]!
      let seen = 0
      try {
        await drive.downloadToFile(file.item, file.local, {
          signal: options.signal,
          syncFile: options.fsync === true,
          // Each directory is fsynced once, after its files (below), not after every file.
          syncDirectory: false,
          onProgress: (n) => {
            bytes += n - seen
            seen = n
            bar.update(bytes)
          },
        })
        done++
        bar.update(bytes, done)
      } catch (error) {
        bytes -= seen
        fail(file.path, error)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, files.length) }, worker))
    // Interrupted: the caller reports it (INTERRUPTED), not the downloads it cut off as failures.
    options.signal.throwIfAborted()
    if (options.fsync) for (const dir of new Set(files.map((f) => dirname(f.local)))) await syncDirectory(dir)
  } finally {
    bar.stop()
  }
  return { out, downloaded: done, skipped, bytes, folders: folders.length, failed }
}

/** fsyncs a directory so the renames into it survive a power loss (some file systems refuse: ignored). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined)
  await handle?.sync().catch(() => undefined)
  await handle?.close()
}

/**
 * True when `local` is a file of the item's size and mtime (seconds), so it need not be fetched.
 * Synchronous on purpose: one stat per listed file, where the promise API builds an ENOENT error with
 * its stack for every file not there yet.
 */
export function unchanged(local: string, item: DriveItem): boolean {
  const info = statSync(local, { throwIfNoEntry: false })
  if (!info?.isFile() || item.size === undefined || info.size !== item.size || !item.dateModified)
    return false
  return Math.floor(info.mtimeMs / 1000) === Math.floor(item.dateModified.getTime() / 1000)
}

/** Whether a Drive name can be used as one local path segment. */
function localNameOk(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\\u0000]/.test(name) &&
    Buffer.byteLength(name) <= MAX_NAME_BYTES
  )
}
