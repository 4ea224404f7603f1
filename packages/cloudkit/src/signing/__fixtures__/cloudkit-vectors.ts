import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** A request CloudKit JS 2.6.4 sent, exactly as it handed it to fetch (../shared/vectors/cloudkit.json). */
export interface PositiveCase {
  id: string
  operation: string
  method: 'GET' | 'POST'
  host: string
  requestTarget: string
  path: string
  query: string
  body: string | null
  headers: Record<string, string>
  date: string
  keyID: string
  signature: string
  signatureDerHex: string
  bodyHash: string
  message: string
  checks: {
    opensslVerifiesMessage: boolean
    opensslVerifiesWithQueryDropped: boolean
    opensslVerifiesWithEmptyHashField: boolean
  }
  note?: string
}

/** A published failed attempt, with the mistake a correct doctor must name. */
export interface NegativeCase {
  id: string
  source: string
  description: string
  request: {
    method: string
    requestTarget: string
    body: string | null
    bodyKnown: boolean
    dateHeader: string
  }
  signedMessage: string
  verifierRebuilds: { bodyHash: string; message: string } | null
  expectedDiagnosis: string
  allDiagnoses: string[]
  evidence: string
  signature?: string
  signatureVerifies?: { overSignedMessage: boolean; overRebuiltMessage: boolean }
  hashFieldDecoded?: string
  hashedText?: string
}

/** The whole CloudKit vector file. */
export interface CloudKitVectors {
  container: string
  environment: string
  clientID: string
  keyID: string
  publicKeyPem: string
  privateKeyPem: string
  cases: PositiveCase[]
  negative: NegativeCase[]
}

/** ../shared/vectors/cloudkit.json: positive cases from Apple's CloudKit JS 2.6.4, negatives from published failures. */
export const vectors = loadVectorFile('cloudkit.json') as CloudKitVectors
