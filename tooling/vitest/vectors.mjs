// Locates the shared, read-only vector files produced by independent implementations
// (../shared/vectors next to the repository). They are referenced, never copied into the repo.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The directory holding the shared vector files. Throws (never skips) when it cannot be found. */
export function vectorsDir() {
  const candidates = [
    process.env.SIGWIRE_VECTORS_DIR,
    join(repoRoot, '..', 'shared', 'vectors'),
    '/work/shared/vectors',
  ].filter(Boolean)
  for (const dir of candidates) if (existsSync(join(dir, 'README.md'))) return dir
  throw new Error(
    `Shared test vectors not found (looked in ${candidates.join(', ')}). Set SIGWIRE_VECTORS_DIR to the shared/vectors directory.`,
  )
}

/** Parses one shared vector file, e.g. `loadVectorFile('cloudkit.json')`. */
export function loadVectorFile(name) {
  return JSON.parse(readFileSync(join(vectorsDir(), name), 'utf8'))
}
