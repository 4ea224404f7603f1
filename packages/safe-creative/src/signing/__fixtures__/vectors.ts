import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** One token of a Safe Creative signature analysis, as recorded in shared/vectors/safe-creative.json. */
export interface VectorToken {
  order: number
  value: string
  hexvalue: string
  secret?: boolean
  line?: string
}

/** One case of shared/vectors/safe-creative.json (Python hashlib, cross-checked with OpenSSL). */
export interface SafeCreativeVector {
  id: string
  description: string
  signingKey: 'app' | 'authkey'
  privateKey: string | null
  params: Array<[string, string]>
  excludedParams: string[]
  sortedParams: Array<[string, string]>
  stringToSign?: string
  stringToSignUtf8Hex?: string
  stringToSignWithKeyPlaceholder?: string
  signature: string | null
  tokens?: VectorToken[]
  requestQuery?: string
  publishedSignatureProvided?: string
  publishedSignatureWanted?: string
  signatureAnalysisTokens?: VectorToken[]
}

const file = loadVectorFile('safe-creative.json') as { cases: SafeCreativeVector[] }

/** Every case. */
export const vectors: SafeCreativeVector[] = file.cases
/** Cases with a private key and a signature to recompute. */
export const signedVectors = vectors.filter((v) => v.privateKey !== null && v.signature !== null)
/** Safe Creative's own published signature.analysis example. */
export const publishedAnalysis = vectors.find((v) => v.id === 'wiki-signature-analysis-example')!
