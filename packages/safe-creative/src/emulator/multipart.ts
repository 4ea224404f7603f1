/** One part of a multipart/form-data body. */
export interface MultipartPart {
  readonly name: string
  readonly filename?: string
  readonly data: Uint8Array
}

/**
 * Parses a multipart/form-data body held in memory (the emulator's upload servlet; uploads in tests
 * are small). Returns undefined when the body is not valid multipart for `boundary`.
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] | undefined {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: MultipartPart[] = []
  let at = buffer.indexOf(delimiter)
  if (at !== 0) return undefined
  for (;;) {
    at += delimiter.byteLength
    if (buffer.subarray(at, at + 2).toString() === '--') return parts
    if (buffer.subarray(at, at + 2).toString() !== '\r\n') return undefined
    at += 2
    const headerEnd = buffer.indexOf('\r\n\r\n', at)
    if (headerEnd === -1) return undefined
    const headers = buffer.subarray(at, headerEnd).toString('utf8')
    const next = buffer.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next === -1) return undefined
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? ''
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1]
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1]
    if (name === undefined) return undefined
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      data: buffer.subarray(headerEnd + 4, next),
    })
    at = next + 2
  }
}
