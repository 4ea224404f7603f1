// Loads the vendor vector files kept in the repository (tooling/vectors). Each was produced by an
// implementation outside sigwire; tooling/vectors/README.md names it, its version and how to regenerate.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The directory holding the vector files: `tooling/vectors` of this repository. */
export function vectorsDir() {
  return join(repoRoot, 'tooling', 'vectors')
}

/** Parses one vector file, e.g. `loadVectorFile('cloudkit.json')`. */
export function loadVectorFile(name) {
  return JSON.parse(readFileSync(join(vectorsDir(), name), 'utf8'))
}
