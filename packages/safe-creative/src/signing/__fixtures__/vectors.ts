import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** Every case of tooling/vectors/safe-creative.json (Python hashlib, cross-checked with OpenSSL). */
export const vectors = loadVectorFile('safe-creative.json').cases
/** Cases with a private key and a signature to recompute. */
export const signedVectors = vectors.filter((v) => v.privateKey !== null && v.signature !== null)
/** Safe Creative's own published signature.analysis example. */
export const publishedAnalysis = vectors.find((v) => v.id === 'wiki-signature-analysis-example')!
