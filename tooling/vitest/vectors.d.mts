/** The directory holding the shared vector files. Throws when it cannot be found. */
export function vectorsDir(): string
/** Parses one shared vector file, e.g. `loadVectorFile('cloudkit.json')`. */
export function loadVectorFile(name: string): unknown
