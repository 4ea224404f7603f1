import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'

/**
 * Trees of many files that suites are done with: removed when the whole run ends, not at once.
 *
 * Why: ext4 without a journal (this benchmark's machines: `/proc/fs/jbd2` is empty) does not reuse an
 * inode freed in the last 60 s, or 300 s while its inode table block is unwritten, and for every file
 * it creates it steps over each such inode one by one (Linux `fs/ext4/ialloc.c`, `recently_deleted()`
 * called from `find_inode_bit()`, RECENTCY_MIN and RECENTCY_DIRTY). Removing a subject's 5,000 files and
 * then timing the next subject, which creates 5,000, cost seconds of kernel time (`recently_deleted`
 * and `find_get_block_common` led a kernel profile) that fell on whichever subject ran next and
 * swung single results by 2x. A user's sync does not delete thousands of files a minute before it runs.
 */
const trees: string[] = []

/** Removes `path` (a directory tree) when the run ends ({@link removeDiscarded}). */
export function discardLater(path: string): void {
  trees.push(path)
}

/** The trees given to {@link discardLater} so far, handed over (a suite's process gives them to the run's). */
export function takeDiscarded(): string[] {
  return trees.splice(0)
}

/** Removes every tree given to {@link discardLater}; called once, when every suite has run. */
export async function removeDiscarded(): Promise<void> {
  for (const path of trees.splice(0)) await rm(path, { recursive: true, force: true })
}

/**
 * Writes every dirty page to disk before a timed run, so the run does not pay for writing back the
 * files the previous subject left in the page cache (hundreds of MB after a photo sync): each subject
 * starts from the same clean cache. Best effort: where `sync(1)` is missing, the run only gets noisier.
 */
export function settleDisk(): void {
  try {
    execFileSync('sync', { stdio: 'ignore', timeout: 120_000 })
  } catch {
    // no sync(1) on this system
  }
}
