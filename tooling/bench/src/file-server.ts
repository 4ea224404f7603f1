import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, join } from 'node:path'

/**
 * A plain HTTP server on loopback that serves the files of one directory by name (no subdirectories).
 * The apple-news npm package fetches bundle resources by URL, so its memory benchmark needs one.
 */
export async function startFileServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = join(dir, basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size })
    createReadStream(path).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
