import { open } from 'node:fs/promises'

/** One part as received: its raw headers and where its bytes went. */
export interface ReceivedPart {
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string>>
  /** Content-Disposition parameters by lower-case name (quotes removed). */
  readonly disposition: Readonly<Record<string, string>>
  /** The disposition type (`form-data` for a well-formed part). */
  readonly dispositionType: string
  /** Bytes of content received. */
  readonly size: number
  /** The content, when kept in memory. */
  readonly bytes?: Buffer
  /** The file holding the content, when written to disk. */
  readonly file?: string
}

/** A dictionary keyed by what a client sent: no prototype, so `__proto__` is a plain name. */
function dictionary(): Record<string, string> {
  return Object.create(null) as Record<string, string>
}

/** A malformed body (Apple: 400 `INVALID_MIME_MULTIPART`). */
export class MultipartError extends Error {}

/** Where a part's bytes go: memory (small parts, with a byte cap), a file, or a function (hashing in flight). */
export type PartDestination =
  | {
      /** Keep the part in `ReceivedPart.bytes`, refusing it (`MultipartError`) past this many bytes. */
      memory: number
    }
  | {
      /** Write the part to this path, which must not exist yet (created with mode 0600). */
      file: string
    }
  | {
      /** Hand each chunk to this function as it arrives and keep nothing. */
      sink: (chunk: Buffer) => void
    }

/**
 * A streaming multipart/form-data parser. The emulators need the raw part headers (the `size=`
 * parameter, the exact filename) and constant memory for bundles of hundreds of megabytes, which
 * general form parsers do not give; so it scans for `CRLF--boundary` itself, holding back only a
 * delimiter's length between chunks, and writes resource parts straight to disk.
 */
export async function parseMultipart(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  destination: (
    headers: Readonly<Record<string, string>>,
    disposition: Readonly<Record<string, string>>,
    before: readonly ReceivedPart[],
  ) => PartDestination,
): Promise<ReceivedPart[]> {
  const dash = Buffer.from(`--${boundary}`)
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  const parts: ReceivedPart[] = []
  let buf: Buffer = Buffer.alloc(0)
  let state = 'start' as 'start' | 'after-boundary' | 'headers' | 'body' | 'end'
  let current:
    | {
        headers: Record<string, string>
        disposition: Record<string, string>
        dispositionType: string
        size: number
        chunks?: Buffer[]
        cap?: number
        sink?: (chunk: Buffer) => void
        file?: string
        handle?: Awaited<ReturnType<typeof open>>
      }
    | undefined

  const write = async (bytes: Buffer) => {
    if (!current || bytes.length === 0) return
    current.size += bytes.length
    if (current.chunks) {
      if (current.size > current.cap!) throw new MultipartError('part too large to keep in memory')
      current.chunks.push(Buffer.from(bytes))
    } else if (current.sink) current.sink(Buffer.from(bytes))
    else await current.handle!.write(bytes)
  }
  const finish = async () => {
    if (!current) return
    await current.handle?.close()
    parts.push({
      headers: current.headers,
      disposition: current.disposition,
      dispositionType: current.dispositionType,
      size: current.size,
      ...(current.chunks
        ? { bytes: Buffer.concat(current.chunks) }
        : current.file
          ? { file: current.file }
          : {}),
    })
    current = undefined
  }

  try {
    const step = async (): Promise<boolean> => {
      switch (state) {
        case 'start': {
          if (buf.length < dash.length) return false
          if (buf.subarray(0, dash.length).equals(dash)) {
            buf = buf.subarray(dash.length)
            state = 'after-boundary'
            return true
          }
          const at = buf.indexOf(delimiter)
          if (at === -1) {
            buf = buf.subarray(Math.max(0, buf.length - delimiter.length))
            return false
          }
          buf = buf.subarray(at + delimiter.length)
          state = 'after-boundary'
          return true
        }
        case 'after-boundary': {
          if (buf.length < 2) return false
          const two = buf.subarray(0, 2).toString('latin1')
          if (two === '--') {
            state = 'end'
            return false
          }
          if (two !== '\r\n') throw new MultipartError('a boundary line is not followed by CRLF')
          buf = buf.subarray(2)
          state = 'headers'
          return true
        }
        case 'headers': {
          const end = buf.subarray(0, 2).toString('latin1') === '\r\n' ? 0 : buf.indexOf('\r\n\r\n')
          if (end === -1) {
            if (buf.length > 16 * 1024) throw new MultipartError('part headers longer than 16 KiB')
            return false
          }
          const headers = parseHeaders(buf.subarray(0, end).toString('latin1'))
          buf = buf.subarray(end === 0 ? 2 : end + 4)
          const [dispositionType, disposition] = parseDisposition(headers['content-disposition'] ?? '')
          const where = destination(headers, disposition, parts)
          current = { headers, disposition, dispositionType, size: 0 }
          if ('memory' in where) {
            current.chunks = []
            current.cap = where.memory
          } else if ('sink' in where) current.sink = where.sink
          else {
            current.file = where.file
            current.handle = await open(where.file, 'wx', 0o600)
          }
          state = 'body'
          return true
        }
        case 'body': {
          const at = buf.indexOf(delimiter)
          if (at !== -1) {
            await write(buf.subarray(0, at))
            await finish()
            buf = buf.subarray(at + delimiter.length)
            state = 'after-boundary'
            return true
          }
          const safe = buf.length - (delimiter.length - 1)
          if (safe > 0) {
            await write(buf.subarray(0, safe))
            buf = buf.subarray(safe)
          }
          return false
        }
        case 'end':
          return false
      }
    }
    for await (const chunk of source) {
      if (state === 'end') continue
      buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk])
      while (await step()) {}
    }
    if (state !== 'end') throw new MultipartError('the body ends before the closing boundary')
    return parts
  } finally {
    await current?.handle?.close()
  }
}

function parseHeaders(block: string): Record<string, string> {
  const headers = dictionary()
  for (const line of block.split('\r\n')) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) throw new MultipartError(`malformed part header ${JSON.stringify(line.slice(0, 60))}`)
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/** `form-data; name=x; filename="a b.png"; size=3` -> ['form-data', { name, filename, size }]. */
export function parseDisposition(value: string): [string, Record<string, string>] {
  const params = dictionary()
  const semicolon = value.indexOf(';')
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase()
  const pattern = /;\s*([^=;\s]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)/g
  for (const match of value.matchAll(pattern)) {
    const name = match[1]!.toLowerCase()
    params[name] = match[3] !== undefined ? match[3].replace(/\\(.)/g, '$1') : match[2]!.trim()
  }
  return [type, params]
}
