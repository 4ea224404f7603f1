import type { CallOptions } from '@sigwire/core'
import { LIMITS } from '../constants.js'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { encodeRecord, okRecords, recordResult } from './decode.js'
import type { ZoneID } from './fields.js'
import { checkLimit, invalid, type Query, type QueryOptions, queryBody } from './query.js'
import type { ServerErrorBody } from './response-errors.js'
import type {
  CloudKitRecord,
  QueryPage,
  RecordChangesPage,
  RecordOperation,
  RecordResult,
  WireRecord,
} from './types.js'

type WireItems = { records?: Array<WireRecord & ServerErrorBody> }

/** Options of `records.lookup`. */
export interface LookupOptions extends CallOptions {
  /** The zone of the records; the default zone when absent. */
  zoneID?: ZoneID
  /** Only these fields in each record returned; every field when absent. */
  desiredKeys?: readonly string[]
  /** Numbers sent as strings by CloudKit (see {@link QueryOptions.numbersAsStrings}). */
  numbersAsStrings?: boolean
}

/** Options of `records.modify`. */
export interface ModifyOptions extends CallOptions {
  /** The zone of the records; the default zone when absent. */
  zoneID?: ZoneID
  /** All or nothing (custom zones only; CloudKit's default is true there). */
  atomic?: boolean
  /** Only these fields in each record returned; every field when absent. */
  desiredKeys?: readonly string[]
  /** Numbers sent as strings by CloudKit (see {@link QueryOptions.numbersAsStrings}). */
  numbersAsStrings?: boolean
}

/** Input of `records.changes`. */
export interface RecordChangesInput {
  /** A custom zone of the private or shared database. */
  zoneID: ZoneID
  /** Where the previous sync stopped; omit for everything. */
  syncToken?: string
  /** Most records per page, up to 200 (`LIMITS.recordsPerResponse`). */
  resultsLimit?: number
  /** Only these fields in each record returned; every field when absent. */
  desiredKeys?: readonly string[]
}

const OPERATION_TYPES = new Set([
  'create',
  'update',
  'forceUpdate',
  'replace',
  'forceReplace',
  'delete',
  'forceDelete',
])

/** Records of one database: query, lookup, modify, changes (DOC `QueryingRecords`, `LookupRecords`, `ModifyRecords`, `ChangeRecords`). */
export interface RecordsApi {
  /** One page of a query. Pass `continuationMarker` from the previous page to get the next one. */
  query(query: Query, options?: QueryOptions & CallOptions): Promise<QueryPage>
  /** Every page of a query, following `continuationMarker` until CloudKit stops returning one. */
  queryPages(query: Query, options?: QueryOptions & CallOptions): AsyncGenerator<QueryPage>
  /** Every record a query matches, page after page. A per-record error is thrown, never skipped. */
  queryAll(query: Query, options?: QueryOptions & CallOptions): AsyncGenerator<CloudKitRecord>
  /** Fetches records by name; each item is the record or its own error (e.g. NOT_FOUND). */
  lookup(
    records: readonly (string | { recordName: string; desiredKeys?: readonly string[] })[],
    options?: LookupOptions,
  ): Promise<RecordResult[]>
  /**
   * Creates, updates, replaces and deletes records; one result per operation, in order. Failed items
   * (EXISTS, CONFLICT on a stale recordChangeTag, NOT_FOUND, VALIDATING_REFERENCE_ERROR, ...) come back
   * as errors in their slot. A lost answer is `OUTCOME_UNKNOWN` (never repeated blindly): look the
   * records up and compare their `recordChangeTag`.
   */
  modify(operations: readonly RecordOperation[], options?: ModifyOptions): Promise<RecordResult[]>
  /** One page of the changes in a custom zone since `syncToken` (private and shared databases). */
  changes(input: RecordChangesInput, options?: CallOptions): Promise<RecordChangesPage>
  /** Every page of changes, following `syncToken` while `moreComing`; the last page's token is where to resume. */
  changesPages(input: RecordChangesInput, options?: CallOptions): AsyncGenerator<RecordChangesPage>
}

/** The {@link RecordsApi} of one database. */
export class Records implements RecordsApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  async query(query: Query, options: QueryOptions & CallOptions = {}): Promise<QueryPage> {
    const body = queryBody(query, options)
    const response = await this.#connection.call<WireItems & { continuationMarker?: string }>(
      { database: this.#database, operation: 'records/query', method: 'POST', body, readOnly: true },
      options,
    )
    const results = (response.records ?? []).map(recordResult)
    return {
      results,
      records: okRecords(results),
      ...(response.continuationMarker ? { continuationMarker: response.continuationMarker } : {}),
    }
  }

  async *queryPages(query: Query, options: QueryOptions & CallOptions = {}): AsyncGenerator<QueryPage> {
    let marker = options.continuationMarker
    do {
      const page = await this.query(query, {
        ...options,
        ...(marker === undefined ? {} : { continuationMarker: marker }),
      })
      yield page
      marker = page.continuationMarker
    } while (marker !== undefined)
  }

  async *queryAll(query: Query, options: QueryOptions & CallOptions = {}): AsyncGenerator<CloudKitRecord> {
    for await (const page of this.queryPages(query, options))
      for (const result of page.results) {
        if (!result.ok) throw result.error
        yield result.record
      }
  }

  async lookup(
    records: readonly (string | { recordName: string; desiredKeys?: readonly string[] })[],
    options: LookupOptions = {},
  ): Promise<RecordResult[]> {
    if (records.length === 0) return []
    if (records.length > LIMITS.recordsPerResponse)
      throw invalid(
        `records.lookup takes at most ${LIMITS.recordsPerResponse} records per call, not ${records.length}.`,
      )
    const body: Record<string, unknown> = {
      records: records.map((r) => (typeof r === 'string' ? { recordName: r } : r)),
    }
    if (options.zoneID) body.zoneID = options.zoneID
    if (options.desiredKeys) body.desiredKeys = options.desiredKeys
    if (options.numbersAsStrings !== undefined) body.numbersAsStrings = options.numbersAsStrings
    const response = await this.#connection.call<WireItems>(
      { database: this.#database, operation: 'records/lookup', method: 'POST', body, readOnly: true },
      options,
    )
    return (response.records ?? []).map(recordResult)
  }

  async modify(operations: readonly RecordOperation[], options: ModifyOptions = {}): Promise<RecordResult[]> {
    if (operations.length === 0) return []
    if (operations.length > LIMITS.operationsPerRequest)
      throw invalid(
        `records.modify takes at most ${LIMITS.operationsPerRequest} operations per call, not ${operations.length}.`,
      )
    operations.forEach(checkOperation)
    const body: Record<string, unknown> = {
      operations: operations.map((op) => ({
        operationType: op.operationType,
        record: encodeRecord(op.record),
        ...(op.desiredKeys ? { desiredKeys: op.desiredKeys } : {}),
      })),
    }
    if (options.zoneID) body.zoneID = options.zoneID
    if (options.atomic !== undefined) body.atomic = options.atomic
    if (options.desiredKeys) body.desiredKeys = options.desiredKeys
    if (options.numbersAsStrings !== undefined) body.numbersAsStrings = options.numbersAsStrings
    const response = await this.#connection.call<WireItems>(
      { database: this.#database, operation: 'records/modify', method: 'POST', body },
      options,
    )
    return (response.records ?? []).map(recordResult)
  }

  async changes(input: RecordChangesInput, options: CallOptions = {}): Promise<RecordChangesPage> {
    if (!input.zoneID?.zoneName) throw invalid('records.changes needs the zoneID of a custom zone.')
    checkLimit(input.resultsLimit)
    const response = await this.#connection.call<WireItems & { syncToken?: string; moreComing?: boolean }>(
      { database: this.#database, operation: 'records/changes', method: 'POST', body: input, readOnly: true },
      options,
    )
    const results = (response.records ?? []).map(recordResult)
    return {
      results,
      records: okRecords(results),
      syncToken: response.syncToken ?? input.syncToken ?? '',
      moreComing: response.moreComing === true,
    }
  }

  async *changesPages(
    input: RecordChangesInput,
    options: CallOptions = {},
  ): AsyncGenerator<RecordChangesPage> {
    let syncToken = input.syncToken
    for (;;) {
      const page = await this.changes(
        { ...input, ...(syncToken === undefined ? {} : { syncToken }) },
        options,
      )
      yield page
      if (!page.moreComing) return
      syncToken = page.syncToken
    }
  }
}

function checkOperation(op: RecordOperation, index: number): void {
  const where = `operations[${index}] (${op.operationType})`
  if (!OPERATION_TYPES.has(op.operationType)) throw invalid(`${where}: unknown operationType.`)
  const r = op.record
  if (op.operationType === 'create' && !r.recordType) throw invalid(`${where} needs record.recordType.`)
  if (op.operationType !== 'create' && !r.recordName) throw invalid(`${where} needs record.recordName.`)
  if (
    (op.operationType === 'update' || op.operationType === 'replace' || op.operationType === 'delete') &&
    !r.recordChangeTag
  )
    throw invalid(
      `${where} needs record.recordChangeTag (from the last fetch), or use force${op.operationType[0]!.toUpperCase()}${op.operationType.slice(1)} to skip the conflict check.`,
    )
  if ((op.operationType === 'forceUpdate' || op.operationType === 'forceReplace') && !r.recordType)
    throw invalid(`${where} needs record.recordType.`)
}
