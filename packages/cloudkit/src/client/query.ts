import { CLOUDKIT_COMPARATORS } from '@sigwire/core/cloudkit'
import { LIMITS } from '../constants.js'
import { type CloudKitError, invalidArgument } from '../errors.js'
import {
  encodeField,
  type FieldInput,
  type Location,
  toFieldValue,
  type WireField,
  type ZoneID,
} from './fields.js'

/** Every comparator of a query filter (DOC `QueryingRecords`; §4.1). */
export const COMPARATORS = CLOUDKIT_COMPARATORS

/** A filter comparator. */
export type Comparator = (typeof COMPARATORS)[number]

/** System fields a query can filter and sort on. */
export type SystemFieldName =
  | 'recordName'
  | 'createdTimestamp'
  | 'modifiedTimestamp'
  | 'createdUserRecordName'
  | 'modifiedUserRecordName'
  | 'share'
  | 'parent'

/** One filter of a query: a field (or system field), a comparator and a typed value. */
export type Filter = {
  /** How the field is compared with `fieldValue`; `IN`, `NOT_IN` and the `*_ALL`/`*_ANY` ones want a list. */
  comparator: Comparator
  /** The value to compare with, typed like a record field (a list for the list comparators, §4.1). */
  fieldValue: FieldInput
  /** Meters, for `NEAR`. */
  distance?: number
} & (
  | {
      /** The record field to filter on. */
      fieldName: string
      /** Leave it out: a filter or sort names `fieldName` or `systemFieldName`, not both. */
      systemFieldName?: undefined
    }
  | {
      /** A system field to filter on instead of a record field. */
      systemFieldName: SystemFieldName
      /** Leave it out: a filter or sort names `fieldName` or `systemFieldName`, not both. */
      fieldName?: undefined
    }
)

/** One sort descriptor. */
export type Sort = {
  /** Ascending order (the default) or, with `false`, descending. */
  ascending?: boolean
  /** Sort a `LOCATION` field by distance from this place instead of by value. */
  relativeLocation?: Location
} & (
  | {
      /** The record field to sort on. */
      fieldName: string
      /** Leave it out: a filter or sort names `fieldName` or `systemFieldName`, not both. */
      systemFieldName?: undefined
    }
  | {
      /** A system field to sort on instead of a record field. */
      systemFieldName: SystemFieldName
      /** Leave it out: a filter or sort names `fieldName` or `systemFieldName`, not both. */
      fieldName?: undefined
    }
)

/** A query (DOC `QueryingRecords`). */
export interface Query {
  /** The record type to search; required. */
  recordType: string
  /** Filters, all of which a record must pass; every record of the type when absent. */
  filterBy?: readonly Filter[]
  /** Sort order, first descriptor first; CloudKit's own order when absent. */
  sortBy?: readonly Sort[]
}

/** Options of `records.query` beyond the query itself. */
export interface QueryOptions {
  /** The zone to search; the default zone when absent. */
  zoneID?: ZoneID
  /** Records per page, 1 to 200. */
  resultsLimit?: number
  /** Only these fields in each record returned; every field when absent. */
  desiredKeys?: readonly string[]
  /** Search every zone of the database instead of one (`zoneWide`). Default false. */
  zoneWide?: boolean
  /**
   * Ask CloudKit to send INT64 and DOUBLE values as strings (`numbersAsStrings`); the client turns them
   * back into numbers, so this gains no precision.
   */
  numbersAsStrings?: boolean
  /** Resume after a previous page. */
  continuationMarker?: string
}

/** Comparators whose value must carry a `_LIST` type tag (else the service answers 400; 3P MistKit#192). */
const LIST_VALUED: ReadonlySet<Comparator> = new Set([
  'IN',
  'NOT_IN',
  'NOT_LIST_CONTAINS_ANY',
  'LIST_CONTAINS_ALL',
  'NOT_LIST_CONTAINS_ALL',
])

/** Validates a query and builds the `records/query` body. Throws `INVALID_ARGUMENT` before anything is sent. */
export function queryBody(query: Query, options: QueryOptions): Record<string, unknown> {
  if (typeof query.recordType !== 'string' || query.recordType === '')
    throw invalid('A query needs a recordType.')
  checkLimit(options.resultsLimit)
  const filterBy = (query.filterBy ?? []).map(encodeFilter)
  const body: Record<string, unknown> = {
    query: {
      recordType: query.recordType,
      ...(filterBy.length > 0 ? { filterBy } : {}),
      ...(query.sortBy && query.sortBy.length > 0 ? { sortBy: query.sortBy.map(encodeSort) } : {}),
    },
  }
  if (options.zoneID) body.zoneID = options.zoneID
  if (options.resultsLimit !== undefined) body.resultsLimit = options.resultsLimit
  if (options.desiredKeys) body.desiredKeys = options.desiredKeys
  if (options.zoneWide !== undefined) body.zoneWide = options.zoneWide
  if (options.numbersAsStrings !== undefined) body.numbersAsStrings = options.numbersAsStrings
  if (options.continuationMarker !== undefined) body.continuationMarker = options.continuationMarker
  return body
}

function encodeFilter(filter: Filter, index: number): Record<string, unknown> {
  if (!(COMPARATORS as readonly string[]).includes(filter.comparator))
    throw invalid(`filterBy[${index}] has the unknown comparator ${JSON.stringify(filter.comparator)}.`)
  const name = filter.fieldName ?? filter.systemFieldName
  if (typeof name !== 'string' || name === '')
    throw invalid(`filterBy[${index}] needs a fieldName or systemFieldName.`)
  const value = toFieldValue(filter.fieldValue, `filterBy[${index}].fieldValue`)
  if (LIST_VALUED.has(filter.comparator) && !value.type.endsWith('_LIST'))
    throw invalid(
      `filterBy[${index}]: ${filter.comparator} needs a list value (e.g. field.stringList([...])); CloudKit answers 400 BAD_REQUEST otherwise.`,
    )
  if (filter.comparator === 'NEAR') {
    if (value.type !== 'LOCATION')
      throw invalid(`filterBy[${index}]: NEAR needs a LOCATION value (field.location()).`)
    if (typeof filter.distance !== 'number' || !(filter.distance >= 0))
      throw invalid(`filterBy[${index}]: NEAR needs a distance in meters.`)
  }
  const wire: WireField = encodeField(value)
  return {
    comparator: filter.comparator,
    ...(filter.fieldName !== undefined
      ? { fieldName: filter.fieldName }
      : { systemFieldName: filter.systemFieldName }),
    fieldValue: wire,
    ...(filter.distance === undefined ? {} : { distance: filter.distance }),
  }
}

function encodeSort(sort: Sort): Record<string, unknown> {
  return {
    ...(sort.fieldName !== undefined
      ? { fieldName: sort.fieldName }
      : { systemFieldName: sort.systemFieldName }),
    ...(sort.ascending === undefined ? {} : { ascending: sort.ascending }),
    ...(sort.relativeLocation
      ? { relativeLocation: encodeField({ type: 'LOCATION', value: sort.relativeLocation }).value }
      : {}),
  }
}

/** Checks a `resultsLimit` (1 to 200; DOC `PropertyMetrics`). */
export function checkLimit(limit: number | undefined): void {
  if (limit === undefined) return
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.recordsPerResponse)
    throw invalid(`resultsLimit must be an integer from 1 to ${LIMITS.recordsPerResponse}, not ${limit}.`)
}

/** `INVALID_ARGUMENT` with `message`. */
export function invalid(message: string): CloudKitError {
  return invalidArgument(message)
}
