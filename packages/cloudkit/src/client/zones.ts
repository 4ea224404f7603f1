import type { CallOptions } from '@sigwire/core'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import type { ZoneID } from './fields.js'
import { checkLimit, invalid } from './query.js'
import { itemError, type ServerErrorBody } from './response-errors.js'
import type { Zone, ZoneChangesPage, ZoneResult } from './types.js'

type WireZone = Zone & ServerErrorBody & { zoneID?: ZoneID }

/** One operation of `zones/modify`. */
export interface ZoneOperation {
  /** Create the zone, or delete it with every record in it. */
  operationType: 'create' | 'delete'
  /** The zone to create or delete. */
  zone: {
    /** Its name (and owner). */
    zoneID: ZoneID
  }
}

/** Record zones of one database (DOC `GettingAllZones`, `ModifyZones`, `GetZoneChanges`). */
export interface ZonesApi {
  /** Every zone of the database. */
  list(options?: CallOptions): Promise<Zone[]>
  /** Fetches zones by ID; each item is the zone or its own error (ZONE_NOT_FOUND). */
  lookup(zoneIDs: readonly ZoneID[], options?: CallOptions): Promise<ZoneResult[]>
  /** Creates or deletes zones; one result per operation, in order. */
  modify(operations: readonly ZoneOperation[], options?: CallOptions): Promise<ZoneResult[]>
  /**
   * One page of zone changes since `metaSyncToken`. CloudKit reads `metaSyncToken` here and silently
   * ignores `syncToken` (§2.4; 3P MistKit#430).
   */
  changes(
    input?: { metaSyncToken?: string; resultsLimit?: number },
    options?: CallOptions,
  ): Promise<ZoneChangesPage>
  /** Every page of zone changes, following `metaSyncToken` while `moreComing`. */
  changesPages(
    input?: { metaSyncToken?: string; resultsLimit?: number },
    options?: CallOptions,
  ): AsyncGenerator<ZoneChangesPage>
}

/** The {@link ZonesApi} of one database. */
export class Zones implements ZonesApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  async list(options: CallOptions = {}): Promise<Zone[]> {
    const response = await this.#connection.call<{ zones?: WireZone[] }>(
      { database: this.#database, operation: 'zones/list', method: 'GET', readOnly: true },
      options,
    )
    return (response.zones ?? []).map((z) => zone(z))
  }

  async lookup(zoneIDs: readonly ZoneID[], options: CallOptions = {}): Promise<ZoneResult[]> {
    if (zoneIDs.length === 0) return []
    const response = await this.#connection.call<{ zones?: WireZone[] }>(
      {
        database: this.#database,
        operation: 'zones/lookup',
        method: 'POST',
        body: { zones: zoneIDs },
        readOnly: true,
      },
      options,
    )
    return (response.zones ?? []).map(zoneResult)
  }

  async modify(operations: readonly ZoneOperation[], options: CallOptions = {}): Promise<ZoneResult[]> {
    if (operations.length === 0) return []
    operations.forEach((op, i) => {
      if (op.operationType !== 'create' && op.operationType !== 'delete')
        throw invalid(`operations[${i}]: zone operations are create or delete.`)
      if (!op.zone?.zoneID?.zoneName) throw invalid(`operations[${i}] needs zone.zoneID.zoneName.`)
    })
    const response = await this.#connection.call<{ zones?: WireZone[] }>(
      { database: this.#database, operation: 'zones/modify', method: 'POST', body: { operations } },
      options,
    )
    return (response.zones ?? []).map(zoneResult)
  }

  /**
   * One page of zone changes since `metaSyncToken`, the field name Apple's reference gives here; MistKit
   * suspects a `syncToken` would be ignored without an error (§2.4; 3P MistKit#430, not confirmed live).
   */
  async changes(
    input: { metaSyncToken?: string; resultsLimit?: number } = {},
    options: CallOptions = {},
  ): Promise<ZoneChangesPage> {
    checkLimit(input.resultsLimit)
    const response = await this.#connection.call<{
      zones?: WireZone[]
      metaSyncToken?: string
      moreComing?: boolean
    }>(
      { database: this.#database, operation: 'zones/changes', method: 'POST', body: input, readOnly: true },
      options,
    )
    return {
      zones: (response.zones ?? []).map((z) => zone(z)),
      metaSyncToken: response.metaSyncToken ?? input.metaSyncToken ?? '',
      moreComing: response.moreComing === true,
    }
  }

  async *changesPages(
    input: { metaSyncToken?: string; resultsLimit?: number } = {},
    options: CallOptions = {},
  ): AsyncGenerator<ZoneChangesPage> {
    let token = input.metaSyncToken
    for (;;) {
      const page = await this.changes(
        { ...input, ...(token === undefined ? {} : { metaSyncToken: token }) },
        options,
      )
      yield page
      if (!page.moreComing) return
      token = page.metaSyncToken
    }
  }
}

function zone(wire: WireZone): Zone {
  return {
    zoneID: wire.zoneID,
    ...(wire.syncToken === undefined ? {} : { syncToken: wire.syncToken }),
    ...(wire.atomic === undefined ? {} : { atomic: wire.atomic }),
    ...(wire.deleted ? { deleted: true } : {}),
  }
}

function zoneResult(wire: WireZone): ZoneResult {
  if (wire.serverErrorCode !== undefined)
    return {
      ok: false,
      zoneName: wire.zoneID?.zoneName,
      error: itemError(wire, `Zone ${JSON.stringify(wire.zoneID?.zoneName ?? '')}`),
    }
  return { ok: true, zone: zone(wire) }
}
