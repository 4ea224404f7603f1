import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** One positive case of ../shared/vectors/safe-creative.json (Python hashlib). */
export interface SafeCreativeCase {
  id: string
  signingKey: 'app' | 'authkey'
  privateKey: string | null
  params: Array<[string, string]>
  sortedParams: Array<[string, string]>
  stringToSign?: string
  signature: string | null
  requestQuery?: string
}

/** Safe Creative vectors with a private key (the published analysis example has none). */
export const safeCreativeCases = (
  loadVectorFile('safe-creative.json') as { cases: SafeCreativeCase[] }
).cases.filter((c) => c.privateKey !== null)
