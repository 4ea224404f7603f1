import { sha256, toBase64 } from '@sigwire/core'

/** base64 (standard alphabet, `=` padded) of SHA-256 over `body`: the message's body-hash field (§2.1). */
export function cloudKitBodyHash(body: Uint8Array | string): string {
  return toBase64(sha256(body))
}
