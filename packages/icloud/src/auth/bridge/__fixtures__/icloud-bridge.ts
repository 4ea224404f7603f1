import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** tooling/vectors/icloud-bridge.json: Python hashlib + cryptography (generator committed beside it). */
export const bridgeVectors = loadVectorFile('icloud-bridge.json')
