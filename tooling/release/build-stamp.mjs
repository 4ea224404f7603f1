#!/usr/bin/env node
// The fingerprint of a package's sources, written into dist/ at the end of its build and checked by
// prepack (assert-built.mjs). A fingerprint, not file times: turbo replays a cached build without
// touching dist/, and a formatter may touch src/ without changing it.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the fingerprint lives (excluded from the tarball by `files`). */
export const STAMP = join('dist', 'build-stamp.txt')

/** SHA-256 over the path and bytes of every shipped source file of the package in `dir`. */
export function sourceFingerprint(dir) {
  const hash = createHash('sha256')
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const full = join(path, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '__fixtures__') walk(full)
      } else if (!entry.name.endsWith('.test.ts')) {
        hash.update(relative(dir, full)).update('\0').update(readFileSync(full)).update('\0')
      }
    }
  }
  if (existsSync(join(dir, 'src'))) walk(join(dir, 'src'))
  return hash.digest('hex')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(process.cwd(), STAMP), `${sourceFingerprint(process.cwd())}\n`)
}
