import { createHash, type Hash, randomBytes } from 'node:crypto'
import {
  closeSync,
  fsync,
  futimesSync,
  open as openFile,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { type FileHandle, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { isSigwireError, syncDirectory } from '@sigwire/core'
import { ICloudError, isICloudError, toICloudError } from '../../errors.js'
import type { ServiceCaller } from '../service-caller.js'
import {
  type ContentOptions,
  type ContentSource,
  contentChunks,
  gatherContent,
  reportProgress,
  type Transfer,
} from './content-chunks.js'
import { writeAllSync, writeChunks } from './write-chunks.js'

/**
 * Bytes that may wait behind a write in flight before reading pauses (they become the next write):
 * enough to keep the disk busy at several hundred MB/s, small enough for eight downloads at once.
 */
const WRITE_BEHIND = 256 * 1024
/**
 * Files up to this size are gathered in memory and written with synchronous calls once complete
 * (see {@link placeSmallFile}).
 */
const SMALL_FILE = 256 * 1024
/**
 * A running average of synchronous placements above this means a slow file system (see
 * {@link smallFiles}); each sample counts at most {@link SAMPLE_CAP_MS}, so one stall (write-back of a
 * busy local disk) cannot flip it, while a network mount's steady milliseconds do within a few files.
 */
const SLOW_PLACEMENT_MS = 2
const SAMPLE_CAP_MS = 10

/**
 * How this process writes small files. The synchronous calls block the event loop for as long as the
 * file system takes: microseconds on a local disk, but milliseconds on a network mount (a NAS over NFS
 * or SMB, common for photo libraries), where eight downloads would then wait on each other's calls.
 * So once the running average of placements exceeds {@link SLOW_PLACEMENT_MS}, small files go through
 * the asynchronous, streamed path like large ones; the average is only updated by synchronous
 * placements, so the switch is for the rest of the process.
 * @internal
 */
export const smallFiles: { averageMs: number } = { averageMs: 0 }
/**
 * Temporary names: the process id, a random part drawn once and a counter, so a name is unique in
 * this process and cannot meet a temporary file a crashed earlier process left behind (created with
 * `wx`, such a meeting would fail the download). One random draw per process instead of per file.
 */
const TEMP_PREFIX = `${process.pid}.${randomBytes(6).toString('hex')}.`
let tempCounter = 0
/** Buffer of the positioned reads that hash a resumed partial file. */
const READ_BUFFER = 1 << 20
/** Codes that say the bytes received cannot be continued from: a kept partial file goes too. */
const UNUSABLE = ['DOWNLOAD_INCOMPLETE', 'INVALID_RESPONSE', 'CONFLICT'] as const

/** Options of {@link downloadContentToFile}. */
export interface FileDownloadOptions extends ContentOptions {
  /**
   * A partial file to keep when the download fails, named for the version it holds; with `resume`, the
   * bytes an earlier run left in it are continued from. Without it, the bytes go to a temporary file
   * of this call that a failure removes.
   */
  partial?: { readonly path: string; readonly resume: boolean } | undefined
  /** File mode of a new file. Default 0o644. */
  mode?: number | undefined
  /** The file's modification time. */
  mtime?: Date | undefined
  /** fsync the file before the rename (default true). */
  syncFile?: boolean | undefined
  /** fsync the directory after the rename, so the new name survives a power loss (default true). */
  syncDirectory?: boolean | undefined
  /** Compute the SHA-256 of the whole file (resumed bytes included). */
  sha256?: boolean | undefined
}

/** What {@link downloadContentToFile} did. */
export interface FileDownload {
  readonly path: string
  readonly bytes: number
  readonly resumedFrom: number
  readonly resumes: number
  /** Hex, when asked for. */
  readonly sha256: string | undefined
}

/**
 * Downloads `source` to `path` atomically: the bytes are written as they arrive ({@link writeChunks})
 * into a partial or temporary file beside the target (resumed with `Range` from a kept partial; a
 * small file is written once complete, see {@link placeSmallFile}), which is fsynced,
 * given its mtime and renamed over `path`; the directory is fsynced so the rename survives a crash.
 * `path` is only ever complete, and a file already there stays unchanged until the rename.
 */
export async function downloadContentToFile(
  caller: ServiceCaller,
  source: ContentSource,
  path: string,
  options: FileDownloadOptions,
): Promise<FileDownload> {
  // A `path` that is a directory is found by the rename (EISDIR, see fileError), not by a stat of
  // every target first: one system call fewer per file of a library or a tree.
  const dir = dirname(path)
  const kept = options.partial?.path
  const temp = kept ?? join(dir, `.${basename(path)}.${TEMP_PREFIX}${(tempCounter++).toString(36)}.tmp`)
  let from = 0
  if (kept && options.partial?.resume) {
    const present = statSync(kept, { throwIfNoEntry: false })
    if (present?.isFile() && (source.size === undefined || present.size <= source.size)) from = present.size
  }
  const transfer: Transfer = { offset: from, total: source.size, resumes: 0 }
  if (
    smallFiles.averageMs <= SLOW_PLACEMENT_MS &&
    from === 0 &&
    source.size !== undefined &&
    source.size > 0 &&
    source.size <= SMALL_FILE
  )
    return placeSmallFile(caller, source, path, temp, kept, transfer, options)
  const hash = options.sha256 ? createHash('sha256') : undefined
  let handle: FileHandle | undefined
  try {
    handle = await open(temp, kept ? (from > 0 ? 'a+' : 'w') : 'wx', options.mode ?? 0o644)
    if (hash && from > 0) await digestFrom(handle, from, hash)
    if (source.size !== 0 && !(source.size !== undefined && from === source.size)) {
      const chunks = await contentChunks(caller, source, transfer, options)
      await writeChunks(handle, chunks, WRITE_BEHIND, hash ? (chunk) => hash.update(chunk) : undefined)
    } else reportProgress(options, transfer, Date.now(), from)
    if (options.mtime) await handle.utimes(new Date(), utimeSeconds(options.mtime))
    if (options.syncFile !== false) await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, path)
    if (options.syncDirectory !== false) await syncDirectory(dir)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    const keep = keepsPartial(kept, error)
    if (!keep) await unlink(temp).catch(() => undefined)
    throw fileError(error, path, keep ? temp : undefined)
  }
  return {
    path,
    bytes: transfer.offset,
    resumedFrom: from,
    resumes: transfer.resumes,
    sha256: hash?.digest('hex'),
  }
}

const fsyncFd = promisify(fsync)

/**
 * `date` as the seconds `utimes` takes, so the file's mtime reads back as `date` to the millisecond.
 * Node passes a Date as `getTime() / 1000`, a double that is often just below the exact value
 * (1733607059.202 is 1733607059.20199990...), and libuv truncates it to nanoseconds: the mtime read back
 * was a millisecond early (…59.201 for a photo taken at …59.202). Half a microsecond more lands on or
 * just above the millisecond instead.
 */
function utimeSeconds(date: Date): number {
  return (date.getTime() + 0.0005) / 1000
}
const openFd = promisify(openFile)

/**
 * {@link downloadContentToFile} for a file of at most {@link SMALL_FILE} bytes and no partial bytes:
 * the bytes are fetched and gathered in memory ({@link gatherContent}, without an async iteration per
 * chunk), then written with synchronous calls (open unless it was opened early, see below; writev,
 * futimes, close, rename: tens of µs together on ext4), where
 * each promise-API call costs about 20 µs of the event loop plus a thread-pool round trip; for a Drive
 * folder of small files or a Photos library that was a quarter of the client's CPU. fsync, which
 * waits on the disk, stays off the event loop. The outcome is the streamed path's: `path` appears
 * complete or not at all, and the bytes received before a failure stay in a kept partial file to
 * resume from.
 */
async function placeSmallFile(
  caller: ServiceCaller,
  source: ContentSource,
  path: string,
  temp: string,
  kept: string | undefined,
  transfer: Transfer,
  options: FileDownloadOptions,
): Promise<FileDownload> {
  const hash = options.sha256 ? createHash('sha256') : undefined
  const buffers: Buffer[] = []
  let fd: number | undefined
  // Where the file is created. With fsyncs in flight (`syncFile`), creating a file waits on the file
  // system's journal (0.1-0.5 ms on ext4), which on the event loop stalled every other download: it is
  // created in the thread pool while its bytes are fetched. Without them it is created here, with the
  // other synchronous calls, once the bytes are in: a create in the thread pool and a rename on the
  // event loop contend for the directory's lock, and the kernel spins for it (`rwsem_spin_on_owner`,
  // most of the rename's CPU in a profile of a 5,000-asset Photos sync; about 0.3 s less client CPU
  // in an interleaved A/B of that sync).
  const flags = kept ? 'w' : 'wx'
  const opening = options.syncFile !== false ? openFd(temp, flags, options.mode ?? 0o644) : undefined
  opening?.catch(() => undefined)
  try {
    await gatherContent(caller, source, transfer, options, buffers)
    if (hash) for (const chunk of buffers) hash.update(chunk)
    if (opening) fd = await opening
    let started = performance.now()
    fd ??= openSync(temp, flags, options.mode ?? 0o644)
    writeAllSync(fd, buffers)
    if (options.mtime) futimesSync(fd, new Date(), utimeSeconds(options.mtime))
    let blocked = performance.now() - started
    if (options.syncFile !== false) await fsyncFd(fd)
    started = performance.now()
    closeSync(fd)
    fd = undefined
    renameSync(temp, path)
    blocked += performance.now() - started
    smallFiles.averageMs = smallFiles.averageMs * 0.8 + Math.min(blocked, SAMPLE_CAP_MS) * 0.2
    if (options.syncDirectory !== false) await syncDirectory(dirname(path))
  } catch (error) {
    // A failure before the file was created still waits for it, so nothing is left behind.
    fd ??= await opening?.catch(() => undefined)
    if (fd !== undefined) closeQuietly(fd)
    const keep = keepsPartial(kept, error)
    if (keep && kept !== undefined) keepReceived(kept, buffers)
    else rmSync(temp, { force: true })
    throw fileError(error, path, keep ? temp : undefined)
  }
  return {
    path,
    bytes: transfer.offset,
    resumedFrom: 0,
    resumes: transfer.resumes,
    sha256: hash?.digest('hex'),
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // already failing: the first error is the one reported
  }
}

/** The bytes received before a failure, in the kept partial file (best effort: the failure is reported either way). */
function keepReceived(partial: string, buffers: readonly Buffer[]): void {
  try {
    writeFileSync(partial, Buffer.concat(buffers))
  } catch {
    // a partial that cannot be written is one fewer resume, not a second error
  }
}

/** The first `length` bytes of the open file into `hash`, read with positioned reads (no stream to close it). */
async function digestFrom(handle: FileHandle, length: number, hash: Hash): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(length, READ_BUFFER))
  for (let position = 0; position < length; ) {
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.byteLength, length - position),
      position,
    )
    if (bytesRead === 0) throw new Error(`the partial file ended at ${position} of its ${length} bytes`)
    hash.update(buffer.subarray(0, bytesRead))
    position += bytesRead
  }
}

/** Whether a failed download keeps its partial file: one was asked for, and its bytes can be continued from. */
function keepsPartial(kept: string | undefined, error: unknown): boolean {
  return kept !== undefined && !UNUSABLE.some((code) => isICloudError(error, code))
}

/** File system failures as `FILE_WRITE_FAILED`; everything else as it is. */
function fileError(error: unknown, path: string, kept: string | undefined): unknown {
  const errno = error as NodeJS.ErrnoException
  if (isSigwireError(error) || typeof errno?.code !== 'string' || errno.syscall === undefined)
    return toICloudError(error)
  const left = kept ? `the bytes so far are kept in ${kept} to resume from` : 'nothing was left behind'
  // A target that is a directory is found here, when the rename over it fails (no stat beforehand).
  const what =
    errno.code === 'EISDIR' && errno.syscall === 'rename'
      ? `${path} is a directory: name the file to write, or a path inside the directory`
      : errno.code === 'ENOSPC' || errno.code === 'EDQUOT'
        ? `Could not write ${path} (${errno.code}): the disk or quota is full, free space and download again`
        : `Could not write ${path} (${errno.code})`
  return new ICloudError({
    code: 'FILE_WRITE_FAILED',
    message: `${what}; ${left}, and a file already there is unchanged.`,
    details: { path, errno: errno.code },
    cause: error,
  })
}
