import { createHash } from 'node:crypto'
import { compareCodePoints } from '@sigwire/core'
import { type OperationContext, zoneOf } from './context.js'
import { badRequest } from './errors.js'
import { limitOf, renderRecord } from './records.js'
import type { StoredRecord } from './state.js'
import type { EngineField as WireField } from './vocabulary.js'
import { ENGINE_COMPARATORS as COMPARATORS } from './vocabulary.js'

interface Filter {
  comparator: string
  fieldName?: string
  systemFieldName?: string
  fieldValue: WireField
  distance?: number
}

interface Sort {
  fieldName?: string
  systemFieldName?: string
  ascending?: boolean
  relativeLocation?: { latitude: number; longitude: number }
}

/** Comparators whose value must be a list (a scalar value answers 400; 3P MistKit#192). */
const LIST_VALUED = new Set([
  'IN',
  'NOT_IN',
  'NOT_LIST_CONTAINS_ANY',
  'LIST_CONTAINS_ALL',
  'NOT_LIST_CONTAINS_ALL',
])

/**
 * `records/query`: filters (every documented comparator), sort order, `desiredKeys`, `resultsLimit` and
 * continuation markers (DOC `QueryingRecords`). Unlike the live service, results are immediately
 * consistent.
 */
export function queryRecords(ctx: OperationContext): Record<string, unknown> {
  const query = ctx.body.query as { recordType?: unknown; filterBy?: unknown; sortBy?: unknown } | undefined
  if (!query || typeof query.recordType !== 'string' || query.recordType === '')
    throw badRequest('The query needs a recordType.')
  const filters = (query.filterBy ?? []) as Filter[]
  const sorts = (query.sortBy ?? []) as Sort[]
  if (!Array.isArray(filters) || !Array.isArray(sorts))
    throw badRequest('filterBy and sortBy must be arrays.')
  filters.forEach(checkFilter)
  const zone = zoneOf(ctx, ctx.body.zoneID)
  const limit = limitOf(ctx.body.resultsLimit)
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([query, ctx.body.zoneID ?? null, ctx.scope, ctx.database]))
    .digest('base64url')
    .slice(0, 16)
  const offset = readMarker(ctx.body.continuationMarker, fingerprint)

  const matches = [...zone.records.values()]
    .filter((r) => r.recordType === query.recordType && filters.every((f) => matchesFilter(r, f)))
    .sort((a, b) => compareRecords(a, b, sorts))
  const page = matches.slice(offset, offset + limit)
  const next = offset + page.length
  return {
    records: page.map((r) => renderRecord(ctx, r, zone, ctx.body.desiredKeys)),
    ...(next < matches.length ? { continuationMarker: marker(fingerprint, next) } : {}),
  }
}

function checkFilter(filter: Filter, index: number): void {
  if (!(COMPARATORS as readonly string[]).includes(filter?.comparator))
    throw badRequest(`filterBy[${index}] has the unknown comparator ${JSON.stringify(filter?.comparator)}.`)
  if (typeof filter.fieldName !== 'string' && typeof filter.systemFieldName !== 'string')
    throw badRequest(`filterBy[${index}] needs fieldName or systemFieldName.`)
  if (!filter.fieldValue || !('value' in filter.fieldValue))
    throw badRequest(`filterBy[${index}] needs fieldValue.`)
  const isList = Array.isArray(filter.fieldValue.value) && (filter.fieldValue.type ?? '').endsWith('_LIST')
  if (LIST_VALUED.has(filter.comparator) && !isList)
    throw badRequest(`filterBy[${index}]: ${filter.comparator} needs a fieldValue with a _LIST type.`)
  if (filter.comparator === 'NEAR' && typeof filter.distance !== 'number')
    throw badRequest(`filterBy[${index}]: NEAR needs a distance in meters.`)
}

/** The value of a field or system field, as comparable JavaScript values (undefined when absent). */
function fieldValueOf(record: StoredRecord, fieldName?: string, systemFieldName?: string): unknown {
  const system = systemFieldName ?? SYSTEM_ALIASES[fieldName ?? '']
  if (system !== undefined) {
    switch (system) {
      case 'recordName':
        return record.recordName
      case 'createdTimestamp':
        return record.created.timestamp
      case 'modifiedTimestamp':
        return record.modified.timestamp
      case 'createdUserRecordName':
        return record.created.userRecordName
      case 'modifiedUserRecordName':
        return record.modified.userRecordName
      default:
        return undefined
    }
  }
  const field = record.fields[fieldName ?? '']
  if (!field) return undefined
  return comparable(field.value)
}

/** CloudKit's query names for system fields. */
const SYSTEM_ALIASES: Record<string, string> = {
  ___recordID: 'recordName',
  ___createTime: 'createdTimestamp',
  ___modTime: 'modifiedTimestamp',
  ___createdBy: 'createdUserRecordName',
  ___modifiedBy: 'modifiedUserRecordName',
}

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable)
  if (value !== null && typeof value === 'object' && 'recordName' in value)
    return (value as { recordName: string }).recordName
  return value
}

function matchesFilter(record: StoredRecord, filter: Filter): boolean {
  const actual =
    filter.fieldName === '___all'
      ? allText(record)
      : fieldValueOf(record, filter.fieldName, filter.systemFieldName)
  if (actual === undefined || actual === null) return false
  const expected = comparable(filter.fieldValue.value)
  switch (filter.comparator) {
    case 'EQUALS':
      return equal(actual, expected)
    case 'NOT_EQUALS':
      return !equal(actual, expected)
    case 'LESS_THAN':
      return compare(actual, expected) < 0
    case 'LESS_THAN_OR_EQUALS':
      return compare(actual, expected) <= 0
    case 'GREATER_THAN':
      return compare(actual, expected) > 0
    case 'GREATER_THAN_OR_EQUALS':
      return compare(actual, expected) >= 0
    case 'NEAR':
      return distanceMeters(actual, expected) <= (filter.distance ?? 0)
    case 'CONTAINS_ALL_TOKENS': {
      const have = tokens(actual)
      return [...tokens(expected)].every((t) => have.has(t))
    }
    case 'CONTAINS_ANY_TOKENS': {
      const have = tokens(actual)
      return [...tokens(expected)].some((t) => have.has(t))
    }
    case 'IN':
      return (expected as unknown[]).some((v) => equal(actual, v))
    case 'NOT_IN':
      return !(expected as unknown[]).some((v) => equal(actual, v))
    case 'LIST_CONTAINS':
      return asList(actual).some((v) => equal(v, expected))
    case 'NOT_LIST_CONTAINS':
      return !asList(actual).some((v) => equal(v, expected))
    case 'NOT_LIST_CONTAINS_ANY':
      return !(expected as unknown[]).some((e) => asList(actual).some((v) => equal(v, e)))
    case 'LIST_CONTAINS_ALL':
      return (expected as unknown[]).every((e) => asList(actual).some((v) => equal(v, e)))
    case 'NOT_LIST_CONTAINS_ALL':
      return !(expected as unknown[]).every((e) => asList(actual).some((v) => equal(v, e)))
    case 'BEGINS_WITH':
      return typeof actual === 'string' && actual.startsWith(String(expected))
    case 'NOT_BEGINS_WITH':
      return typeof actual === 'string' && !actual.startsWith(String(expected))
    case 'LIST_MEMBER_BEGINS_WITH':
      return asList(actual).some((v) => typeof v === 'string' && v.startsWith(String(expected)))
    case 'NOT_LIST_MEMBER_BEGINS_WITH':
      return !asList(actual).some((v) => typeof v === 'string' && v.startsWith(String(expected)))
    default:
      return false
  }
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b)
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b)
  return a === b
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b)
  const x = Number(a)
  const y = Number(b)
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN
  return x - y
}

function tokens(value: unknown): Set<string> {
  const text = Array.isArray(value) ? value.join(' ') : String(value)
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
}

function allText(record: StoredRecord): string {
  return Object.values(record.fields)
    .filter((f) => f.type === 'STRING' || f.type === 'STRING_LIST')
    .map((f) => (Array.isArray(f.value) ? f.value.join(' ') : String(f.value)))
    .join(' ')
}

/** Great-circle distance in meters (haversine). */
function distanceMeters(a: unknown, b: unknown): number {
  const p = a as { latitude?: number; longitude?: number }
  const q = b as { latitude?: number; longitude?: number }
  if (typeof p?.latitude !== 'number' || typeof q?.latitude !== 'number') return Number.POSITIVE_INFINITY
  const rad = Math.PI / 180
  const dLat = (q.latitude - p.latitude) * rad
  const dLon = ((q.longitude ?? 0) - (p.longitude ?? 0)) * rad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(p.latitude * rad) * Math.cos(q.latitude * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)))
}

function compareRecords(a: StoredRecord, b: StoredRecord, sorts: readonly Sort[]): number {
  for (const sort of sorts) {
    let x = fieldValueOf(a, sort.fieldName, sort.systemFieldName)
    let y = fieldValueOf(b, sort.fieldName, sort.systemFieldName)
    if (sort.relativeLocation) {
      x = x === undefined ? undefined : distanceMeters(x, sort.relativeLocation)
      y = y === undefined ? undefined : distanceMeters(y, sort.relativeLocation)
    }
    // Records without the field sort last in either direction.
    if (x === undefined && y === undefined) continue
    if (x === undefined) return 1
    if (y === undefined) return -1
    const order = compare(x, y)
    if (order !== 0 && !Number.isNaN(order)) return sort.ascending === false ? -order : order
  }
  return a.order - b.order
}

function marker(fingerprint: string, offset: number): string {
  return Buffer.from(JSON.stringify({ q: fingerprint, o: offset })).toString('base64url')
}

function readMarker(value: unknown, fingerprint: string): number {
  if (value === undefined || value === null) return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as {
      q: string
      o: number
    }
    if (parsed.q === fingerprint && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o
  } catch {
    // fall through
  }
  throw badRequest(
    'The continuationMarker does not belong to this query; resend the same query it came with.',
  )
}
