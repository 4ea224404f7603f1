import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** A request CloudKit JS 2.6.4 sent (../shared/vectors/cloudkit.json `cases`). */
export interface CloudKitVectorCase {
  id: string
  method: 'GET' | 'POST'
  requestTarget: string
  path: string
  query: string
  body: string | null
  headers: Record<string, string>
  date: string
  signature: string
  bodyHash: string
  message: string
}

/** A published failure (`negative`). */
export interface CloudKitNegativeCase {
  id: string
  request: {
    method: string
    requestTarget: string
    body: string | null
    bodyKnown: boolean
    dateHeader: string
  }
  signedMessage: string
  expectedDiagnosis: string
  allDiagnoses: string[]
  signature?: string
}

/** ../shared/vectors/cloudkit.json, typed for the emulator tests. */
export const cloudKitVectors = loadVectorFile('cloudkit.json') as {
  container: string
  environment: 'development'
  keyID: string
  publicKeyPem: string
  privateKeyPem: string
  cases: CloudKitVectorCase[]
  negative: CloudKitNegativeCase[]
}
