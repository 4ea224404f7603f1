import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'

export const MiB = 1024 * 1024

/**
 * Writes a file of `bytes` (a multiple of 1 MiB) by writing one random MiB over and over: real blocks
 * (not a sparse file), written in about a second per GiB. It starts with the JPEG signature, so
 * content sniffers (the apple-news npm package uses file-type) take it for an image.
 */
export async function writeBigFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(MiB)
  block.set([0xff, 0xd8, 0xff, 0xe0])
  const handle = await open(path, 'wx', 0o600)
  try {
    for (let written = 0; written < bytes; written += MiB)
      await handle.write(block, 0, Math.min(MiB, bytes - written))
  } finally {
    await handle.close()
  }
}
