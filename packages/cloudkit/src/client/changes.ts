import type { CallOptions } from '@sigwire/core'
import type { CloudKitError } from '../errors.js'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { okRecords, recordResult } from './decode.js'
import type { ZoneID } from './fields.js'
import { checkLimit, invalid } from './query.js'
import { itemError, type ServerErrorBody } from './response-errors.js'
import type { SyncTokenStore } from './stores.js'
import type { CloudKitRecord, RecordResult, WireRecord } from './types.js'

/** Input of `changes/database` (DOC `FetchingDatabaseChanges`). */
export interface DatabaseChangesInput {
  /** Where the previous sync stopped; omit for every zone. */
  syncToken?: string
  /** Most zones per page (1 to 200; CloudKit's default when omitted). */
  resultsLimit?: number
}

/** A zone that changed: fetch its records with `changes.zones` / `changes.zonePages`. */
export interface ChangedZone {
  /** The zone, with its owner in the shared database. */
  readonly zoneID: ZoneID
  /** The zone was deleted (or you left its share): drop what you kept of it. */
  readonly deleted?: boolean
}

/** One page of `changes/database`. */
export interface DatabaseChangesPage {
  /** The zones changed since the token, oldest change first. */
  readonly zones: readonly ChangedZone[]
  /** Where to resume; store it after processing the page. */
  readonly syncToken: string
  /** True when another page follows. */
  readonly moreComing: boolean
}

/** One zone to ask `changes/zone` about (DOC `FetchingRecordZoneChanges`, Zone Changes Request). */
export interface ZoneChangesRequest {
  /** The zone; in the shared database with its `ownerRecordName`. */
  zoneID: ZoneID
  /** Where the previous sync of this zone stopped; omit for every record. */
  syncToken?: string
  /** Most records per page (1 to 200; CloudKit's default when omitted). */
  resultsLimit?: number
  /** Only these fields of each record (all when omitted). */
  desiredKeys?: readonly string[]
  /** Only records of these types. */
  desiredRecordTypes?: readonly string[]
}

/** One page of one zone's record changes (`changes/zone`). */
export interface ZoneRecordChangesPage {
  /** The zone the page is about. */
  readonly zoneID: ZoneID
  /** Every item of the page, in change order: records (`deleted: true` for deletions) or their errors. */
  readonly results: readonly RecordResult[]
  /** The records of `results` that are not errors (deletions included, with `deleted: true`). */
  readonly records: readonly CloudKitRecord[]
  /** Where to resume this zone; store it after processing the page. */
  readonly syncToken: string
  /** True when another page of this zone follows. */
  readonly moreComing: boolean
}

/** The outcome for one zone of a `changes/zone` request: its page, or its own error (ZONE_NOT_FOUND). */
export type ZoneChangesResult =
  | ({
      /** The zone's page follows. */
      readonly ok: true
    } & ZoneRecordChangesPage)
  | {
      /** The zone failed. */
      readonly ok: false
      /** The zone, as CloudKit named it in the error. */
      readonly zoneID: ZoneID | undefined
      /** Why the zone failed (ZONE_NOT_FOUND...). */
      readonly error: CloudKitError
    }

/** Options of the change-feed iterators. */
export interface ChangeFeedOptions extends CallOptions {
  /**
   * Where the sync token is loaded from and saved to: the feed starts from the stored token (unless
   * the input names one) and saves each page's token once you ask for the next page (or the loop
   * ends), that is, after you processed it.
   */
  store?: SyncTokenStore
}

/**
 * The change feeds of the private and shared databases (DOC `FetchingDatabaseChanges`,
 * `FetchingRecordZoneChanges`; docs/protocols/cloudkit.md §9): which zones changed since a token, then
 * which records of each zone. The caller persists the tokens (or passes a `store`).
 */
export interface ChangesApi {
  /** One page of changed zones (`changes/database`). */
  database(input?: DatabaseChangesInput, options?: CallOptions): Promise<DatabaseChangesPage>
  /** Every page of changed zones, following `syncToken` while `moreComing`. */
  databasePages(
    input?: DatabaseChangesInput,
    options?: ChangeFeedOptions,
  ): AsyncGenerator<DatabaseChangesPage>
  /** One page of record changes for each zone asked (`changes/zone`); each item is the page or the zone's error. */
  zones(requests: readonly ZoneChangesRequest[], options?: CallOptions): Promise<ZoneChangesResult[]>
  /** Every page of one zone's record changes, following its `syncToken` while `moreComing`; a zone error is thrown. */
  zonePages(request: ZoneChangesRequest, options?: ChangeFeedOptions): AsyncGenerator<ZoneRecordChangesPage>
}

type WireZonePage = ServerErrorBody & {
  zoneID?: ZoneID
  records?: Array<WireRecord & ServerErrorBody>
  syncToken?: string
  moreComing?: boolean
}

/** The {@link ChangesApi} of one database. */
export class Changes implements ChangesApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  #check(): void {
    if (this.#database === 'public')
      throw invalid('Change feeds (changes/database, changes/zone) work on the private and shared databases.')
  }

  async database(input: DatabaseChangesInput = {}, options: CallOptions = {}): Promise<DatabaseChangesPage> {
    this.#check()
    checkLimit(input.resultsLimit)
    const response = await this.#connection.call<{
      zones?: Array<{ zoneID: ZoneID; deleted?: boolean }>
      syncToken?: string
      moreComing?: boolean
    }>(
      {
        database: this.#database,
        operation: 'changes/database',
        method: 'POST',
        body: {
          ...(input.syncToken === undefined ? {} : { syncToken: input.syncToken }),
          ...(input.resultsLimit === undefined ? {} : { resultsLimit: input.resultsLimit }),
        },
        readOnly: true,
      },
      options,
    )
    return {
      zones: (response.zones ?? []).map((z) => ({
        zoneID: z.zoneID,
        ...(z.deleted ? { deleted: true } : {}),
      })),
      syncToken: response.syncToken ?? input.syncToken ?? '',
      moreComing: response.moreComing === true,
    }
  }

  async *databasePages(
    input: DatabaseChangesInput = {},
    options: ChangeFeedOptions = {},
  ): AsyncGenerator<DatabaseChangesPage> {
    let syncToken = input.syncToken ?? (await options.store?.load())
    for (;;) {
      const page = await this.database(
        { ...input, ...(syncToken === undefined ? {} : { syncToken }) },
        options,
      )
      yield page
      // The consumer asked for more (or finished the loop body): the page is processed.
      if (page.syncToken) await options.store?.save(page.syncToken)
      if (!page.moreComing) return
      syncToken = page.syncToken
    }
  }

  async zones(
    requests: readonly ZoneChangesRequest[],
    options: CallOptions = {},
  ): Promise<ZoneChangesResult[]> {
    this.#check()
    if (requests.length === 0) return []
    requests.forEach((r, i) => {
      if (!r?.zoneID?.zoneName) throw invalid(`zones[${i}] needs the zoneID of a custom zone.`)
      checkLimit(r.resultsLimit)
    })
    const response = await this.#connection.call<{ zones?: WireZonePage[] }>(
      {
        database: this.#database,
        operation: 'changes/zone',
        method: 'POST',
        body: { zones: requests },
        readOnly: true,
      },
      options,
    )
    return (response.zones ?? []).map((z, i) => zoneResult(z, requests[i]))
  }

  async *zonePages(
    request: ZoneChangesRequest,
    options: ChangeFeedOptions = {},
  ): AsyncGenerator<ZoneRecordChangesPage> {
    let syncToken = request.syncToken ?? (await options.store?.load())
    for (;;) {
      const [result] = await this.zones(
        [{ ...request, ...(syncToken === undefined ? {} : { syncToken }) }],
        options,
      )
      if (!result) throw invalid('changes/zone answered no result for the zone asked.')
      if (!result.ok) throw result.error
      const { ok: _ok, ...page } = result
      yield page
      if (page.syncToken) await options.store?.save(page.syncToken)
      if (!page.moreComing) return
      syncToken = page.syncToken
    }
  }
}

function zoneResult(wire: WireZonePage, asked: ZoneChangesRequest | undefined): ZoneChangesResult {
  if (wire.serverErrorCode !== undefined)
    return {
      ok: false,
      zoneID: wire.zoneID ?? asked?.zoneID,
      error: itemError(wire, `Zone ${JSON.stringify(wire.zoneID?.zoneName ?? asked?.zoneID.zoneName ?? '')}`),
    }
  const results = (wire.records ?? []).map(recordResult)
  return {
    ok: true,
    zoneID: wire.zoneID ?? asked!.zoneID,
    results,
    records: okRecords(results),
    syncToken: wire.syncToken ?? asked?.syncToken ?? '',
    moreComing: wire.moreComing === true,
  }
}
