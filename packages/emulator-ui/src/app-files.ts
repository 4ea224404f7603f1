import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { uiError } from './errors.js'

/** One file of the bundled page. */
export interface AppFile {
  /** `content-type` header value. */
  readonly type: string
  /** The bytes. */
  readonly bytes: Buffer
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
}

/**
 * Where the page bundle is: `dist/app` beside the compiled server (the published package), or the
 * package's `dist/app` when the server runs from its TypeScript sources (the workspace's tests).
 */
export function defaultAppDir(): string {
  const candidates = [new URL('./app/', import.meta.url), new URL('../dist/app/', import.meta.url)].map((u) =>
    fileURLToPath(u),
  )
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')))
  if (found === undefined)
    throw uiError(
      'NOT_FOUND',
      'The emulator UI bundle is missing (dist/app/index.html): run `pnpm build` in packages/emulator-ui.',
    )
  return found
}

/** Reads the bundle into memory once (a few hundred KiB), keyed by URL path (`/` is index.html). */
export function loadAppFiles(dir: string): ReadonlyMap<string, AppFile> {
  const files = new Map<string, AppFile>()
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (type === undefined) continue
    files.set(`/${name}`, { type, bytes: readFileSync(join(dir, name)) })
  }
  const index = files.get('/index.html')
  if (index) files.set('/', index)
  return files
}
