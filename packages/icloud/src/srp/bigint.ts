/** Big-endian unsigned bytes of `value` with no leading zero bytes (zero is one 0x00 byte). */
export function bytesFromBigint(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative values have no unsigned encoding')
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** `value` as big-endian bytes left-padded with zeros to `length` (RFC 5054 PAD()). */
export function padBigint(value: bigint, length: number): Uint8Array {
  const bytes = bytesFromBigint(value)
  if (bytes.byteLength >= length) return bytes
  const out = new Uint8Array(length)
  out.set(bytes, length - bytes.byteLength)
  return out
}

/** The unsigned big-endian integer in `bytes` (empty is zero). */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.byteLength === 0) return 0n
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`)
}

/** `bytes` with leading zero bytes removed (at least one byte is kept). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0
  while (i < bytes.byteLength - 1 && bytes[i] === 0) i++
  return bytes.subarray(i)
}

/** Concatenation of byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

/** Non-negative `value mod modulus`. */
export function mod(value: bigint, modulus: bigint): bigint {
  const r = value % modulus
  return r < 0n ? r + modulus : r
}
