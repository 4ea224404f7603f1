import { fromBase64, toBase64 } from '@sigwire/core'
import { FIELD_TYPES } from '../constants.js'
import { CloudKitError, invalidArgument } from '../errors.js'

/** A zone's identity (DOC `Types`, Zone ID Dictionary). */
export interface ZoneID {
  /** The zone's name (`_defaultZone` for the default zone). */
  readonly zoneName: string
  /** The user record name of the zone's owner: give it for another user's zone (shared database). */
  readonly ownerRecordName?: string
}

/** A reference to another record (DOC `Types`, Reference Dictionary). */
export interface Reference {
  /** The name of the record referred to. */
  readonly recordName: string
  /** The zone of the record referred to (optional on the wire). */
  readonly zoneID?: ZoneID
  /** `NONE` (default), `DELETE_SELF` (deleted with its target) or `VALIDATE` (target must exist). */
  readonly action?: 'NONE' | 'DELETE_SELF' | 'VALIDATE'
}

/** A location (DOC `Types`, Location Dictionary). */
export interface Location {
  /** Degrees north of the equator (negative for south). */
  readonly latitude: number
  /** Degrees east of Greenwich (negative for west). */
  readonly longitude: number
  /** Radius of uncertainty of latitude and longitude, in meters. */
  readonly horizontalAccuracy?: number
  /** Uncertainty of the altitude, in meters. */
  readonly verticalAccuracy?: number
  /** Meters above sea level. */
  readonly altitude?: number
  /** Meters per second. */
  readonly speed?: number
  /** Direction of travel in degrees clockwise from true north. */
  readonly course?: number
  /** Milliseconds since the epoch on the wire; a Date here. */
  readonly timestamp?: Date
}

/** The receipt of an uploaded asset (`singleFile` of the upload response; DOC `UploadAssets`). */
export interface AssetReceipt {
  /** The key CloudKit wrapped the file with; keep it with the receipt, as returned. */
  readonly wrappingKey?: string
  /** CloudKit's checksum of the uploaded file. */
  readonly fileChecksum: string
  /** Proof of the upload, which `records/modify` exchanges for the asset (step 3, §4.2). */
  readonly receipt: string
  /** CloudKit's checksum for the asset's reference; keep it with the receipt, as returned. */
  readonly referenceChecksum?: string
  /** Bytes uploaded. */
  readonly size: number
}

/** An asset as a record returns it: checksum, size and where to download it. */
export interface Asset {
  /** CloudKit's checksum of the file. */
  readonly fileChecksum?: string
  /** The file's size in bytes. */
  readonly size?: number
  /** CloudKit's checksum for the asset's reference. */
  readonly referenceChecksum?: string
  /** The key the file is wrapped with. */
  readonly wrappingKey?: string
  /** The upload receipt, when CloudKit returns one with the record. */
  readonly receipt?: string
  /** Download URL; may contain the `${f}` file-name placeholder. */
  readonly downloadURL?: string
}

/** A field value with its CloudKit type tag, as JavaScript values (Date for TIMESTAMP, bytes for BYTES). */
export type FieldValue =
  | {
      /** `STRING`: text. */
      readonly type: 'STRING'
      /** The text. */
      readonly value: string
    }
  | {
      /** `INT64`: an integer (booleans are stored as INT64 0 and 1, §4.1). */
      readonly type: 'INT64'
      /** A safe integer (|n| < 2^53); larger INT64 values cannot travel exactly in JSON. */
      readonly value: number
    }
  | {
      /** `DOUBLE`: a floating-point number; a whole number needs this tag to stay DOUBLE. */
      readonly type: 'DOUBLE'
      /** A finite number. */
      readonly value: number
    }
  | {
      /** `TIMESTAMP`: an instant. */
      readonly type: 'TIMESTAMP'
      /** The instant; it travels as whole milliseconds since the epoch. */
      readonly value: Date
    }
  | {
      /** `BYTES`: binary data. */
      readonly type: 'BYTES'
      /** The bytes; they travel as standard base64. */
      readonly value: Uint8Array
    }
  | {
      /** `REFERENCE`: a link to another record. */
      readonly type: 'REFERENCE'
      /** The record referred to, and what deleting it does. */
      readonly value: Reference
    }
  | {
      /** `LOCATION`: a geographic position. */
      readonly type: 'LOCATION'
      /** The position; its `timestamp` travels as epoch milliseconds. */
      readonly value: Location
    }
  | {
      /** `ASSETID`: a file stored beside the record (§4.2). */
      readonly type: 'ASSETID'
      /** An asset as a record returns it, or the receipt of a new upload to attach. */
      readonly value: Asset | AssetReceipt
    }
  | {
      /** `STRING_LIST`: a list of texts (`IN` and `NOT_IN` filters need a list tag, §4.1). */
      readonly type: 'STRING_LIST'
      /** The texts, in order. */
      readonly value: readonly string[]
    }
  | {
      /** `INT64_LIST`: a list of integers. */
      readonly type: 'INT64_LIST'
      /** Safe integers, in order. */
      readonly value: readonly number[]
    }
  | {
      /** `DOUBLE_LIST`: a list of floating-point numbers. */
      readonly type: 'DOUBLE_LIST'
      /** Finite numbers, in order. */
      readonly value: readonly number[]
    }
  | {
      /** `TIMESTAMP_LIST`: a list of instants. */
      readonly type: 'TIMESTAMP_LIST'
      /** The instants, in order; each travels as epoch milliseconds. */
      readonly value: readonly Date[]
    }
  | {
      /** `BYTES_LIST`: a list of binary values. */
      readonly type: 'BYTES_LIST'
      /** The byte arrays, in order; each travels as base64. */
      readonly value: readonly Uint8Array[]
    }
  | {
      /** `REFERENCE_LIST`: a list of links to other records. */
      readonly type: 'REFERENCE_LIST'
      /** The records referred to, in order. */
      readonly value: readonly Reference[]
    }
  | {
      /** `LOCATION_LIST`: a list of positions. */
      readonly type: 'LOCATION_LIST'
      /** The positions, in order. */
      readonly value: readonly Location[]
    }
  | {
      /** `ASSETID_LIST`: a list of files. */
      readonly type: 'ASSETID_LIST'
      /** The assets or upload receipts, in order. */
      readonly value: readonly (Asset | AssetReceipt)[]
    }

/** Every field type tag. */
export type FieldType = FieldValue['type']

/** A field value as it travels: `{ value, type }` (DOC `Types`, Record Field Dictionary). */
export interface WireField {
  /** The value in its JSON form (epoch milliseconds for TIMESTAMP, base64 for BYTES). */
  readonly value: unknown
  /** The type tag (`STRING`, `INT64_LIST`...); when an answer leaves it out, the value's shape decides. */
  readonly type?: string
}

/**
 * What a record field may be given as: a typed {@link FieldValue} (always safe), or a plain value whose
 * type is inferred: string → STRING, integer → INT64, other number → DOUBLE, boolean → INT64 0/1 (how
 * CloudKit stores booleans), Date → TIMESTAMP, Uint8Array → BYTES, arrays → the `_LIST` form. Use
 * `field.double(2)` for a whole number that must be a DOUBLE.
 */
export type FieldInput =
  | FieldValue
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | readonly string[]
  | readonly number[]
  | readonly Date[]
  | readonly Uint8Array[]

/** Encoders for every field type (the values a record's `fields` take). */
export const field = {
  /** A `STRING` value. */
  string: (value: string): FieldValue => ({ type: 'STRING', value }),
  /** An `INT64` value; throws `INVALID_ARGUMENT` unless it is a safe integer (bigints in range are taken). */
  int64: (value: number | bigint): FieldValue => ({ type: 'INT64', value: checkInt64(value) }),
  /** A `DOUBLE` value, even for a whole number; throws `INVALID_ARGUMENT` for NaN or an infinity. */
  double: (value: number): FieldValue => ({ type: 'DOUBLE', value: checkFinite(value) }),
  /** CloudKit stores booleans as INT64 0/1. */
  boolean: (value: boolean): FieldValue => ({ type: 'INT64', value: value ? 1 : 0 }),
  /** A `TIMESTAMP` from a Date or epoch milliseconds, rounded to whole milliseconds; invalid dates throw. */
  timestamp: (value: Date | number): FieldValue => ({ type: 'TIMESTAMP', value: checkDate(value) }),
  /** A `BYTES` value (the array is not copied). */
  bytes: (value: Uint8Array): FieldValue => ({ type: 'BYTES', value }),
  /** A `REFERENCE`; a bare record name becomes `{ recordName, action: 'NONE' }`. */
  reference: (value: Reference | string): FieldValue => ({
    type: 'REFERENCE',
    value: typeof value === 'string' ? { recordName: value, action: 'NONE' } : value,
  }),
  /** A `LOCATION` value. */
  location: (value: Location): FieldValue => ({ type: 'LOCATION', value }),
  /** An uploaded asset's receipt (step 3 of the upload), or an existing asset. */
  asset: (value: AssetReceipt | Asset): FieldValue => ({ type: 'ASSETID', value }),
  /** A `STRING_LIST` (also what an `IN` filter on a STRING field compares with). */
  stringList: (value: readonly string[]): FieldValue => ({ type: 'STRING_LIST', value }),
  /** An `INT64_LIST`; every item must be a safe integer. */
  int64List: (value: readonly (number | bigint)[]): FieldValue => ({
    type: 'INT64_LIST',
    value: value.map(checkInt64),
  }),
  /** A `DOUBLE_LIST`; every item must be finite. */
  doubleList: (value: readonly number[]): FieldValue => ({
    type: 'DOUBLE_LIST',
    value: value.map(checkFinite),
  }),
  /** A `TIMESTAMP_LIST` from Dates or epoch milliseconds. */
  timestampList: (value: readonly (Date | number)[]): FieldValue => ({
    type: 'TIMESTAMP_LIST',
    value: value.map(checkDate),
  }),
  /** A `BYTES_LIST`. */
  bytesList: (value: readonly Uint8Array[]): FieldValue => ({ type: 'BYTES_LIST', value }),
  /** A `REFERENCE_LIST`; bare record names become references with `action: 'NONE'`. */
  referenceList: (value: readonly (Reference | string)[]): FieldValue => ({
    type: 'REFERENCE_LIST',
    value: value.map((r) => (typeof r === 'string' ? { recordName: r, action: 'NONE' as const } : r)),
  }),
  /** A `LOCATION_LIST`. */
  locationList: (value: readonly Location[]): FieldValue => ({ type: 'LOCATION_LIST', value }),
  /** An `ASSETID_LIST` of upload receipts or existing assets. */
  assetList: (value: readonly (AssetReceipt | Asset)[]): FieldValue => ({ type: 'ASSETID_LIST', value }),
} as const

const TYPES: ReadonlySet<string> = new Set(FIELD_TYPES)

/** True when `value` is already a typed {@link FieldValue}. */
export function isFieldValue(value: unknown): value is FieldValue {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array)
    return false
  const type = (value as { type?: unknown }).type
  return typeof type === 'string' && TYPES.has(type.replace(/_LIST$/, '')) && 'value' in value
}

/** Turns a {@link FieldInput} into a typed value (inferring the type of plain values). */
export function toFieldValue(input: FieldInput, name = 'field'): FieldValue {
  if (isFieldValue(input)) return input
  if (typeof input === 'string') return field.string(input)
  if (typeof input === 'boolean') return field.boolean(input)
  if (typeof input === 'number') return Number.isInteger(input) ? field.int64(input) : field.double(input)
  if (input instanceof Date) return field.timestamp(input)
  if (input instanceof Uint8Array) return field.bytes(input)
  if (Array.isArray(input)) {
    const list = input as readonly unknown[]
    if (list.every((v) => typeof v === 'string')) return field.stringList(list as string[])
    if (list.every((v) => typeof v === 'number'))
      return list.every(Number.isInteger)
        ? field.int64List(list as number[])
        : field.doubleList(list as number[])
    if (list.every((v) => v instanceof Date)) return field.timestampList(list as Date[])
    if (list.every((v) => v instanceof Uint8Array)) return field.bytesList(list as Uint8Array[])
  }
  throw invalid(`The value of ${name} cannot be sent as a CloudKit field; use one of the field.* encoders.`)
}

/**
 * Encodes a field for the wire, always with its type tag (the live service needs it for TIMESTAMP,
 * BYTES, DOUBLE and lists; §4.1): Date → milliseconds since the epoch, bytes → base64.
 */
export function encodeField(input: FieldInput, name = 'field'): WireField {
  const fv = toFieldValue(input, name)
  return { value: encodeValue(fv.type, fv.value), type: fv.type }
}

/** Decodes a wire field into a typed value (Date for TIMESTAMP, Uint8Array for BYTES, ...). */
export function decodeField(wire: WireField, name = 'field'): FieldValue {
  const type = wire.type ?? inferWireType(wire.value)
  const base = type.replace(/_LIST$/, '')
  if (!TYPES.has(base)) return { type: 'STRING', value: String(wire.value) } // unknown future types kept as text
  if (type.endsWith('_LIST')) {
    if (!Array.isArray(wire.value)) throw unexpected(`${name} is tagged ${type} but its value is not a list`)
    return { type, value: wire.value.map((v) => decodeScalar(base, v, name)) } as FieldValue
  }
  return { type, value: decodeScalar(base, wire.value, name) } as FieldValue
}

function encodeValue(type: FieldType, value: unknown): unknown {
  if (type.endsWith('_LIST')) {
    const base = type.replace(/_LIST$/, '')
    return (value as readonly unknown[]).map((v) => encodeScalar(base, v))
  }
  return encodeScalar(type, value)
}

function encodeScalar(type: string, value: unknown): unknown {
  switch (type) {
    case 'TIMESTAMP':
      return (value as Date).getTime()
    case 'BYTES':
      return toBase64(value as Uint8Array)
    case 'LOCATION': {
      const location = value as Location
      return location.timestamp ? { ...location, timestamp: location.timestamp.getTime() } : location
    }
    default:
      return value
  }
}

function decodeScalar(type: string, value: unknown, name: string): unknown {
  switch (type) {
    case 'STRING':
      return String(value)
    case 'INT64':
    case 'DOUBLE':
      // numbersAsStrings returns numbers as text.
      return typeof value === 'string' ? Number(value) : value
    case 'TIMESTAMP':
      return new Date(Number(value))
    case 'BYTES':
      return fromBase64(String(value), `${name} (BYTES)`)
    case 'LOCATION': {
      const location = value as Location & { timestamp?: number }
      return location.timestamp === undefined
        ? location
        : { ...location, timestamp: new Date(location.timestamp) }
    }
    default:
      return value
  }
}

function inferWireType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'DOUBLE'
  if (Array.isArray(value))
    return value.length > 0 && typeof value[0] === 'number' ? 'INT64_LIST' : 'STRING_LIST'
  if (value !== null && typeof value === 'object') {
    if ('recordName' in value) return 'REFERENCE'
    if ('latitude' in value) return 'LOCATION'
    if ('fileChecksum' in value || 'downloadURL' in value) return 'ASSETID'
  }
  return 'STRING'
}

function checkInt64(value: number | bigint): number {
  const n = typeof value === 'bigint' ? Number(value) : value
  if (!Number.isSafeInteger(n))
    throw invalid(`INT64 fields take safe integers (|n| < 2^53) in JSON; ${String(value)} is not one.`)
  return n
}

function checkFinite(value: number): number {
  if (!Number.isFinite(value)) throw invalid(`DOUBLE fields take finite numbers, not ${value}.`)
  return value
}

function checkDate(value: Date | number): Date {
  const date = typeof value === 'number' ? new Date(value) : value
  if (!(date instanceof Date) || !Number.isFinite(date.getTime()))
    throw invalid('TIMESTAMP fields take a valid Date.')
  // CloudKit timestamps are whole milliseconds.
  return new Date(Math.round(date.getTime()))
}

function invalid(message: string): CloudKitError {
  return invalidArgument(message)
}

function unexpected(message: string): CloudKitError {
  return new CloudKitError({ code: 'INVALID_RESPONSE', message })
}
