import type { CallOptions } from '@sigwire/core'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { invalid } from './query.js'
import { itemError, type ServerErrorBody } from './response-errors.js'
import type { Subscription, SubscriptionResult } from './types.js'

type WireSubscription = Subscription & ServerErrorBody

/** One operation of `subscriptions/modify`. */
export interface SubscriptionOperation {
  /** What to do with the subscription. */
  operationType: 'create' | 'update' | 'delete'
  /** The subscription; for `update` and `delete`, `subscriptionID` names it. */
  subscription: Subscription
}

/** Push subscriptions of one database (DOC `ModifySubscriptions`, `FetchSubscriptions`). */
export interface SubscriptionsApi {
  /** Every subscription of the database. */
  list(options?: CallOptions): Promise<
    Array<
      Subscription & {
        /** The subscription's id. */
        subscriptionID: string
      }
    >
  >
  /** Fetches subscriptions by ID; each item is the subscription or its own error. */
  lookup(subscriptionIDs: readonly string[], options?: CallOptions): Promise<SubscriptionResult[]>
  /** Creates, updates or deletes subscriptions; one result per operation, in order. */
  modify(operations: readonly SubscriptionOperation[], options?: CallOptions): Promise<SubscriptionResult[]>
}

/** The {@link SubscriptionsApi} of one database. */
export class Subscriptions implements SubscriptionsApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  async list(options: CallOptions = {}): Promise<Array<Subscription & { subscriptionID: string }>> {
    const response = await this.#connection.call<{ subscriptions?: WireSubscription[] }>(
      { database: this.#database, operation: 'subscriptions/list', method: 'GET', readOnly: true },
      options,
    )
    return (response.subscriptions ?? []) as Array<Subscription & { subscriptionID: string }>
  }

  async lookup(subscriptionIDs: readonly string[], options: CallOptions = {}): Promise<SubscriptionResult[]> {
    if (subscriptionIDs.length === 0) return []
    const response = await this.#connection.call<{ subscriptions?: WireSubscription[] }>(
      {
        database: this.#database,
        operation: 'subscriptions/lookup',
        method: 'POST',
        body: { subscriptions: subscriptionIDs.map((subscriptionID) => ({ subscriptionID })) },
        readOnly: true,
      },
      options,
    )
    return (response.subscriptions ?? []).map(subscriptionResult)
  }

  async modify(
    operations: readonly SubscriptionOperation[],
    options: CallOptions = {},
  ): Promise<SubscriptionResult[]> {
    if (operations.length === 0) return []
    operations.forEach((op, i) => {
      if (!['create', 'update', 'delete'].includes(op.operationType))
        throw invalid(`operations[${i}]: subscription operations are create, update or delete.`)
      const s = op.subscription
      if (op.operationType !== 'create' && !s.subscriptionID)
        throw invalid(`operations[${i}] needs subscription.subscriptionID.`)
      if (op.operationType !== 'delete' && s.subscriptionType === 'query' && !s.query?.recordType)
        throw invalid(`operations[${i}]: a query subscription needs query.recordType.`)
      if (op.operationType !== 'delete' && s.subscriptionType === 'zone' && !s.zoneID?.zoneName)
        throw invalid(`operations[${i}]: a zone subscription needs zoneID.`)
    })
    const response = await this.#connection.call<{ subscriptions?: WireSubscription[] }>(
      { database: this.#database, operation: 'subscriptions/modify', method: 'POST', body: { operations } },
      options,
    )
    return (response.subscriptions ?? []).map(subscriptionResult)
  }
}

function subscriptionResult(wire: WireSubscription): SubscriptionResult {
  if (wire.serverErrorCode !== undefined)
    return {
      ok: false,
      subscriptionID: wire.subscriptionID,
      error: itemError(wire, `Subscription ${JSON.stringify(wire.subscriptionID ?? '')}`),
    }
  const { serverErrorCode: _code, reason: _reason, uuid: _uuid, ...subscription } = wire
  return { ok: true, subscription: subscription as Subscription & { subscriptionID: string } }
}
