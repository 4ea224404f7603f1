import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** One case of tooling/vectors/icloud-bridge.json (hex lowercase, points uncompressed SEC1). */
export interface BridgeVectorCase {
  name: string
  code: string
  saltB64: string
  scryptHex: string
  w0Hex: string
  w1Hex: string
  w0TranscriptHex: string
  xHex: string
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
  step4DataB64: string
  aesGcm: { ivHex: string; plaintext: string; payloadB64: string }
  wrongCode: { code: string; proverShareHex: string; verifierConfirmationExpectedByProverHex: string }
}

/** tooling/vectors/icloud-bridge.json: Python hashlib + cryptography (generator committed beside it). */
export const bridgeVectors = loadVectorFile('icloud-bridge.json') as {
  generator: string
  cases: BridgeVectorCase[]
}
