// The shapes of the vendor vector files (tooling/vectors), typed once for every package's tests and
// the benchmarks. tooling/vectors/README.md says how each file's values were produced.

/** The directory holding the vector files: `tooling/vectors` of this repository. */
export function vectorsDir(): string

/** Parses one vector file, typed by its name. */
export function loadVectorFile(name: 'cloudkit.json'): CloudKitVectorFile
export function loadVectorFile(name: 'apple-news.json'): AppleNewsVectorFile
export function loadVectorFile(name: 'safe-creative.json'): SafeCreativeVectorFile
export function loadVectorFile(name: 'icloud-srp.json'): SrpVectorFile
export function loadVectorFile(name: 'icloud-bridge.json'): BridgeVectorFile
export function loadVectorFile(name: string): unknown

// cloudkit.json: positives from Apple's CloudKit JS 2.6.4, negatives from published failures.

/** A request CloudKit JS 2.6.4 sent, exactly as it handed it to fetch. */
export interface CloudKitVectorCase {
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
export interface CloudKitNegativeCase {
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
export interface CloudKitVectorFile {
  container: string
  environment: string
  clientID: string
  keyID: string
  publicKeyPem: string
  privateKeyPem: string
  cases: CloudKitVectorCase[]
  negative: CloudKitNegativeCase[]
}

// apple-news.json: Python's hmac, OpenSSL and the apple-news npm package.

/** One positive case. */
export interface AppleNewsVectorCase {
  id: string
  description: string
  method: string
  url: string
  date: string
  contentType: string | null
  bodyBase64: string | null
  bodyLength: number
  canonicalRequestBase64: string
  canonicalRequestLength: number
  canonicalRequestText?: string
  signature: string
  authorizationHeader: string
  authorizationHeaderUnquoted: string
  multipartParts?: Array<{ headers: string[]; length: number; sha256: string }>
}

/** One negative case: a request a correct verifier must reject (or accept) for a named reason. */
export interface AppleNewsNegativeCase {
  id: string
  description: string
  method: string
  url: string
  date: string
  contentType: string | null
  bodyBase64: string | null
  authorizationHeader: string
  providedSignature: string
  correctSignature: string
  expectedVerdict: 'accept' | 'reject'
  expectedDiagnosis: string
  apiKeyId: string
  canonicalRequestText?: string
  signedCanonicalText?: string
  signedDate?: string
}

/** The whole Apple News vector file. */
export interface AppleNewsVectorFile {
  apiKeyId: string
  apiSecret: string
  apiSecretDecodedHex: string
  baseUrl: string
  cases: AppleNewsVectorCase[]
  negative: AppleNewsNegativeCase[]
}

// safe-creative.json: Python's hashlib, cross-checked with OpenSSL.

/** One token of a Safe Creative signature analysis. */
export interface SafeCreativeVectorToken {
  order: number
  value: string
  hexvalue: string
  secret?: boolean
  line?: string
}

/** One case. */
export interface SafeCreativeVectorCase {
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
  tokens?: SafeCreativeVectorToken[]
  requestQuery?: string
  publishedSignatureProvided?: string
  publishedSignatureWanted?: string
  signatureAnalysisTokens?: SafeCreativeVectorToken[]
}

/** The whole Safe Creative vector file. */
export interface SafeCreativeVectorFile {
  cases: SafeCreativeVectorCase[]
}

// icloud-srp.json: python-srp with RFC 5054 padding and no username in x.

/** One SRP case. */
export interface SrpVectorCase {
  id: string
  title: string
  accountNameAsTyped: string
  accountName: string
  password: string
  protocol: 's2k' | 's2k_fo'
  salt: string
  saltHex: string
  iterations: number
  p: string
  a: string
  A: string
  AByteLength: number
  AHexPadded: string
  b: string
  B: string
  BByteLength: number
  BHexPadded: string
  x: string
  v: string
  u: string
  S: string
  SByteLength: number
  K: string
  M1: string
  M2: string
  alternatives?: { paddedAandBInM1M2?: { note: string; M1: string; M2: string } }
}

/** The whole SRP vector file. */
export interface SrpVectorFile {
  group: { N: string; g: number; hash: string; k: string; HNxorHPADg: string }
  cases: SrpVectorCase[]
}

// icloud-bridge.json: the trusted-device bridge PAKE by an independent Python implementation
// (tooling/vectors/generators/icloud-bridge.py). Hex is lowercase; points are uncompressed SEC1.

/** One code and salt through the whole key exchange. */
export interface BridgeVectorCase {
  name: string
  code: string
  saltB64: string
  scryptHex: string
  w0Hex: string
  w1Hex: string
  /** w0 as the transcript carries it: minimal big-endian bytes. */
  w0TranscriptHex: string
  /** The browser's (prover's) scalar. */
  xHex: string
  /** The device's (verifier's) scalar. */
  yHex: string
  proverShareHex: string
  verifierShareHex: string
  verifierPointLHex: string
  zHex: string
  vHex: string
  transcriptHex: string
  transcriptHashHex: string
  confirmationKeysHex: string
  sharedKeyHex: string
  proverConfirmationHex: string
  verifierConfirmationHex: string
  verifierKeyHex: string
  proverKeyHex: string
  /** The device's step-4 push `data`. */
  step4DataB64: string
  aesGcm: { ivHex: string; plaintext: string; payloadB64: string }
  /** A code the user might type instead: its share and the device confirmation it would expect. */
  wrongCode: { code: string; proverShareHex: string; verifierConfirmationExpectedByProverHex: string }
}

/** The whole bridge vector file. */
export interface BridgeVectorFile {
  generator: string
  notes: string
  constants: { M: string; N: string }
  cases: BridgeVectorCase[]
}
