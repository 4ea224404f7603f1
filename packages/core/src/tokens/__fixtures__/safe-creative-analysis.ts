import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** One token of Safe Creative's signature analysis, as recorded in ../shared/vectors/safe-creative.json. */
export interface AnalysisToken {
  order: number
  value: string
  hexvalue: string
  secret?: boolean
}

interface SafeCreativeCase {
  id: string
  privateKey: string | null
  sortedParams: Array<[string, string]>
  stringToSign?: string
  tokens?: AnalysisToken[]
  signatureAnalysisTokens?: AnalysisToken[]
}

/** Cases of the Safe Creative vector file that carry a token list (computed with Python's hashlib). */
export const safeCreativeCases: SafeCreativeCase[] = (
  loadVectorFile('safe-creative.json') as { cases: SafeCreativeCase[] }
).cases
