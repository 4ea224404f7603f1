import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** The vectors, loaded from ../shared/vectors (never copied into the repository). */
export const srpVectors = loadVectorFile('icloud-srp.json')
