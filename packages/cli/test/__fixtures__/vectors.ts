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

/** One positive case of ../shared/vectors/cloudkit.json (Apple's CloudKit JS 2.6.4). */
export interface CloudKitCase {
  id: string
  method: string
  requestTarget: string
  body: string | null
  headers: Record<string, string>
  date: string
  keyID: string
  signature: string
  message: string
}

/** One published or reconstructed failure of ../shared/vectors/cloudkit.json. */
export interface CloudKitNegative {
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

interface CloudKitFile {
  keyID: string
  publicKeyPem: string
  privateKeyPem: string
  cases: CloudKitCase[]
  negative: CloudKitNegative[]
}

/** The CloudKit vector file. */
export const cloudkit = loadVectorFile('cloudkit.json') as CloudKitFile

/** One positive case of ../shared/vectors/apple-news.json (Python hmac, OpenSSL, the apple-news npm package). */
export interface AppleNewsCase {
  id: string
  method: string
  url: string
  date: string
  contentType: string | null
  bodyBase64: string | null
  canonicalRequestBase64: string
  signature: string
  authorizationHeader: string
  authorizationHeaderUnquoted: string
}

/** One hand-built mistake of ../shared/vectors/apple-news.json. */
export interface AppleNewsNegative {
  id: string
  method: string
  url: string
  date: string
  contentType: string | null
  bodyBase64: string | null
  authorizationHeader: string
  providedSignature?: string
  canonicalRequestText?: string
  signedDate?: string
  expectedVerdict: 'accept' | 'reject'
  expectedDiagnosis: string
}

interface AppleNewsFile {
  apiKeyId: string
  apiSecret: string
  apiSecretDecodedHex: string
  cases: AppleNewsCase[]
  negative: AppleNewsNegative[]
}

/** The Apple News vector file. */
export const appleNews = loadVectorFile('apple-news.json') as AppleNewsFile
