import {
  badRequest,
  limitOf,
  type OperationContext,
  renderRecord,
  type StoredRecord,
  type StoredZone,
} from '@sigwire/emulator-kit/cloudkit'

// A server-side query's `continuationMarker`: opaque to clients, here the next offset tied to the
// query it belongs to (`tag`), so a marker from another query is refused rather than misread.

/** The `continuationMarker` of the page after `offset` of the query `tag`. */
export function offsetMarker(tag: string, offset: number): string {
  return Buffer.from(JSON.stringify({ f: tag, o: offset })).toString('base64url')
}

/** The offset a `continuationMarker` of the query `tag` points at; 0 without a marker. */
export function readOffsetMarker(marker: unknown, tag: string): number {
  if (marker === undefined || marker === null || marker === '') return 0
  try {
    const parsed = JSON.parse(Buffer.from(String(marker), 'base64url').toString('utf8')) as {
      f?: unknown
      o?: unknown
    }
    if (parsed.f === tag && Number.isInteger(parsed.o) && (parsed.o as number) >= 0) return parsed.o as number
  } catch {
    // fall through
  }
  throw badRequest('The continuationMarker does not belong to this query; run the query again without one.')
}

/**
 * One page of the records a server-side query matched (`matches`, in answer order): `resultsLimit`
 * of them from the offset of the request's `continuationMarker`, rendered with `desiredKeys`, and a
 * marker for the next page while there is one.
 */
export function offsetPage(
  ctx: OperationContext,
  zone: StoredZone,
  matches: readonly StoredRecord[],
  tag: string,
): Record<string, unknown> {
  const limit = limitOf(ctx.body.resultsLimit)
  const offset = readOffsetMarker(ctx.body.continuationMarker, tag)
  const page = matches.slice(offset, offset + limit)
  const next = offset + page.length
  return {
    records: page.map((r) => renderRecord(ctx, r, zone, ctx.body.desiredKeys)),
    ...(next < matches.length ? { continuationMarker: offsetMarker(tag, next) } : {}),
  }
}
