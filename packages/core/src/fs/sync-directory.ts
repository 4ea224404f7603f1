import { open } from 'node:fs/promises'

/**
 * fsyncs directory `dir`, so that a rename or a new name in it survives a power loss. A file system
 * that refuses to fsync a directory is passed over: the rename itself is still atomic.
 */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  }
}
