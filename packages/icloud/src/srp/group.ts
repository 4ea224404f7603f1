import { sha256 } from '@sigwire/core'
import { bigintFromBytes, bytesFromBigint, padBigint } from './bigint.js'

/** An SRP group with the values every party derives from it once. */
export interface SrpGroup {
  /** The safe prime N. */
  readonly N: bigint
  /** The generator g. */
  readonly g: bigint
  /** Length of N in bytes: the width of PAD(). */
  readonly byteLength: number
  /** N as big-endian bytes. */
  readonly NBytes: Uint8Array
  /** k = H(N | PAD(g)) (RFC 5054 §2.5.3). */
  readonly k: bigint
  /** H(N) xor H(PAD(g)), the first input of M1 (the GSA variant pads g; docs/protocols/icloud.md §3.3). */
  readonly hNxorHg: Uint8Array
}

// RFC 5054 Appendix A, 2048-bit group (the group idmsa uses; docs/protocols/icloud.md §3.3).
const N_2048 = BigInt(
  '0xAC6BDB41324A9A9BF166DE5E1389582FAF72B6651987EE07FC3192943DB56050A37329CBB4A099ED8193E0757767A13DD52312AB4B03310DCD7F48A9' +
    'DA04FD50E8083969EDB767B0CF6095179A163AB3661A05FBD5FAAAE82918A9962F0B93B855F97993EC975EEAA80D740ADBF4FF747359D041D5C33EA7' +
    '1D281E446B14773BCA97B43A23FB801676BD207A436C6481F1D2B9078717461A5B9D32E688F87748544523B524B0D57D5EA77A2775D2ECFA032CFBDB' +
    'F52FB3786160279004E57AE6AF874E7303CE53299CCC041C7BC308D82A5698F3A8D0C38271AE35F8E9DBFBB694B5C803D89F7AE435DE236D525F5475' +
    '9B65E372FCD68EF20FA7111F9E4AFF73',
)

function makeGroup(N: bigint, g: bigint): SrpGroup {
  const NBytes = bytesFromBigint(N)
  const byteLength = NBytes.byteLength
  const paddedG = padBigint(g, byteLength)
  const hN = sha256(NBytes)
  const hG = sha256(paddedG)
  const hNxorHg = new Uint8Array(hN.byteLength)
  for (let i = 0; i < hN.byteLength; i++) hNxorHg[i] = hN[i]! ^ hG[i]!
  return {
    N,
    g,
    byteLength,
    NBytes,
    k: bigintFromBytes(sha256(Buffer.concat([NBytes, paddedG]))),
    hNxorHg,
  }
}

/** The RFC 5054 2048-bit group with g = 2 and SHA-256, as Apple's idmsa uses it. */
export const SRP_GROUP_2048: SrpGroup = makeGroup(N_2048, 2n)
