import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** tooling/vectors/icloud-srp.json: python-srp 1.0.20 in Apple's GSA mode, cross-checked with @foxt/js-srp. */
export const srpVectors = loadVectorFile('icloud-srp.json')
