/**
 * The client's string-to-sign read from a file, byte for byte: a multipart body ends in CRLF and may
 * hold any byte, so nothing is decoded or trimmed, except the line break an editor adds after a string
 * without a body (which ends with the date).
 */
export function signedStringFromFile(bytes: Uint8Array, requestHasBody: boolean): Uint8Array {
  if (requestHasBody) return bytes
  let end = bytes.byteLength
  if (bytes[end - 1] === 0x0a) end--
  if (end < bytes.byteLength && bytes[end - 1] === 0x0d) end--
  return bytes.subarray(0, end)
}
