/**
 * The few protobuf wire forms the push websocket uses (varints and length-delimited fields; messages
 * are small), docs/protocols/icloud.md §17.2.
 */

/** Decoded fields by number: varints as bigint-free numbers, length-delimited fields as bytes. */
export type ProtoFields = Map<number, Array<number | Uint8Array>>

/** A protobuf field: a number (varint) or bytes/string (length-delimited). */
export type ProtoValue = number | Uint8Array | string

/** Encodes fields in the order given. */
export function encodeFields(fields: ReadonlyArray<readonly [number, ProtoValue]>): Uint8Array {
  const out: number[] = []
  for (const [number, value] of fields) {
    if (typeof value === 'number') {
      pushVarint(out, number * 8)
      pushVarint(out, value)
    } else {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
      pushVarint(out, number * 8 + 2)
      pushVarint(out, bytes.byteLength)
      for (const b of bytes) out.push(b)
    }
  }
  return Uint8Array.from(out)
}

/** Decodes a message; throws a RangeError on a truncated field, an overlong varint or an unknown wire type. */
export function decodeFields(data: Uint8Array): ProtoFields {
  const fields: ProtoFields = new Map()
  let offset = 0
  while (offset < data.byteLength) {
    const [key, afterKey] = readVarint(data, offset)
    const number = Math.floor(key / 8)
    const wire = key % 8
    let value: number | Uint8Array
    if (wire === 0) [value, offset] = readVarint(data, afterKey)
    else if (wire === 2) {
      const [length, start] = readVarint(data, afterKey)
      if (start + length > data.byteLength) throw new RangeError('Truncated protobuf field.')
      value = data.subarray(start, start + length)
      offset = start + length
    } else throw new RangeError(`Unsupported protobuf wire type ${wire}.`)
    const list = fields.get(number) ?? []
    list.push(value)
    fields.set(number, list)
  }
  return fields
}

/** The first bytes value of field `n`. */
export function bytesField(fields: ProtoFields, n: number): Uint8Array | undefined {
  const value = fields.get(n)?.[0]
  return value instanceof Uint8Array ? value : undefined
}

/** The first varint of field `n`. */
export function numberField(fields: ProtoFields, n: number): number | undefined {
  const value = fields.get(n)?.[0]
  return typeof value === 'number' ? value : undefined
}

function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('Varints are non-negative safe integers.')
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

function readVarint(data: Uint8Array, start: number): [number, number] {
  let value = 0
  let scale = 1
  for (let offset = start; offset < data.byteLength && offset - start < 8; offset++) {
    const byte = data[offset]!
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) return [value, offset + 1]
    scale *= 0x80
  }
  throw new RangeError('Truncated or overlong protobuf varint.')
}
