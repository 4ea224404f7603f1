/**
 * ECDSA signature encodings. CloudKit accepts only DER (`SEQUENCE { INTEGER r, INTEGER s }`, 70-72
 * bytes for P-256); raw `r || s` (64 bytes, what WebCrypto and CryptoKit's `rawRepresentation`
 * produce) is rejected (docs/protocols/cloudkit.md §2.2).
 */

/** What {@link inspectEcdsaSignature} found. */
export type SignatureShape =
  | {
      /** Strict DER, the only encoding CloudKit accepts. */
      readonly kind: 'der'
    }
  | {
      /** Raw `r || s` (WebCrypto's and CryptoKit's `rawRepresentation` output): convert it to DER. */
      readonly kind: 'raw'
      /** Always 64 (two 32-byte P-256 scalars). */
      readonly byteLength: number
    }
  | {
      /** Neither DER nor a raw P-256 signature. */
      readonly kind: 'invalid'
      /** Why it is not DER, in words (`it does not start with a DER SEQUENCE (0x30)`). */
      readonly problem: string
    }

/** Size of one P-256 scalar in bytes. */
const SCALAR_BYTES = 32

/**
 * Classifies signature bytes: strict DER (minimal INTEGERs, exact lengths), raw `r || s` of a P-256
 * signature, or neither (with the problem in words).
 */
export function inspectEcdsaSignature(bytes: Uint8Array): SignatureShape {
  const der = derProblem(bytes)
  if (der === undefined) return { kind: 'der' }
  if (bytes.byteLength === 2 * SCALAR_BYTES) return { kind: 'raw', byteLength: 64 }
  return { kind: 'invalid', problem: der }
}

function derProblem(bytes: Uint8Array): string | undefined {
  if (bytes.byteLength < 8) return `it is only ${bytes.byteLength} bytes long`
  if (bytes[0] !== 0x30) return 'it does not start with a DER SEQUENCE (0x30)'
  if (bytes[1]! & 0x80) return 'its SEQUENCE length is not in short form'
  if (bytes[1] !== bytes.byteLength - 2)
    return `its SEQUENCE length ${bytes[1]} does not match the ${bytes.byteLength - 2} bytes that follow`
  let offset = 2
  for (const name of ['r', 's']) {
    if (bytes[offset] !== 0x02) return `${name} is not a DER INTEGER`
    const length = bytes[offset + 1]!
    if (length === 0 || length > SCALAR_BYTES + 1) return `${name} has an impossible length ${length}`
    const start = offset + 2
    if (start + length > bytes.byteLength) return `${name} runs past the end`
    if (bytes[start]! & 0x80) return `${name} is negative (a missing 0x00 pad byte)`
    if (length > 1 && bytes[start] === 0 && !(bytes[start + 1]! & 0x80))
      return `${name} has a superfluous leading zero (not minimal DER)`
    offset = start + length
  }
  return offset === bytes.byteLength ? undefined : 'bytes follow the two INTEGERs'
}
