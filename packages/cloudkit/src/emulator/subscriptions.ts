import { randomUUID } from 'node:crypto'
import {
  databaseOf,
  itemError,
  listOf,
  type OperationContext,
  zoneName,
} from '@sigwire/emulator-kit/cloudkit'

/** `subscriptions/list` (DOC `FetchSubscriptions`). */
export function listSubscriptions(ctx: OperationContext): Record<string, unknown> {
  return { subscriptions: [...databaseOf(ctx).subscriptions.values()] }
}

/** `subscriptions/lookup`: each subscription or a NOT_FOUND item. */
export function lookupSubscriptions(ctx: OperationContext): Record<string, unknown> {
  const all = databaseOf(ctx).subscriptions
  return {
    subscriptions: listOf(ctx.body, 'subscriptions').map((entry) => {
      const id = (entry as { subscriptionID?: string })?.subscriptionID ?? ''
      return (
        all.get(id) ??
        itemError('NOT_FOUND', `Subscription ${JSON.stringify(id)} does not exist.`, { subscriptionID: id })
      )
    }),
  }
}

/** `subscriptions/modify`: create, update, delete (DOC `ModifySubscriptions`). */
export function modifySubscriptions(ctx: OperationContext): Record<string, unknown> {
  const db = databaseOf(ctx)
  const subscriptions = listOf(ctx.body, 'operations').map((entry) => {
    const op = entry as { operationType?: string; subscription?: Record<string, unknown> }
    const sub = op.subscription ?? {}
    const id = typeof sub.subscriptionID === 'string' ? sub.subscriptionID : undefined
    const fail = (code: Parameters<typeof itemError>[0], reason: string) =>
      itemError(code, reason, id === undefined ? {} : { subscriptionID: id })
    if (op.operationType === 'delete') {
      if (!id || !db.subscriptions.has(id))
        return fail('NOT_FOUND', `Subscription ${JSON.stringify(id)} does not exist.`)
      ctx.data.deleteSubscription(ctx.tx, db, id)
      return { subscriptionID: id, deleted: true }
    }
    if (op.operationType !== 'create' && op.operationType !== 'update')
      return fail('BAD_REQUEST', `Unknown subscription operationType ${JSON.stringify(op.operationType)}.`)
    if (sub.subscriptionType !== 'zone' && sub.subscriptionType !== 'query')
      return fail('BAD_REQUEST', 'subscriptionType must be "zone" or "query".')
    if (
      sub.subscriptionType === 'query' &&
      typeof (sub.query as { recordType?: unknown })?.recordType !== 'string'
    )
      return fail('BAD_REQUEST', 'A query subscription needs query.recordType.')
    if (sub.subscriptionType === 'zone') {
      const zone = db.zones.get(zoneName(sub.zoneID))
      if (!zone || zone.deleted)
        return fail('ZONE_NOT_FOUND', 'The subscription names a zone that does not exist.')
    }
    if (op.operationType === 'create' && id && db.subscriptions.has(id))
      return fail('EXISTS', `Subscription ${JSON.stringify(id)} already exists.`)
    if (op.operationType === 'update' && (!id || !db.subscriptions.has(id)))
      return fail('NOT_FOUND', `Subscription ${JSON.stringify(id)} does not exist.`)
    const stored = { ...sub, subscriptionID: id ?? randomUUID().toUpperCase() }
    ctx.data.putSubscription(ctx.tx, db, stored.subscriptionID, stored)
    return stored
  })
  return { subscriptions }
}
