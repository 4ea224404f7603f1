/** The body of `webgetassets`: an album and a window of its assets. */
export interface AssetsWindow {
  /** The album's `albumguid`. */
  readonly albumguid: string
  /** The index of the first asset. */
  readonly offset: number
  /** The index after the last asset (an end index, not a count, docs/protocols/icloud.md §22.2). */
  readonly limit: number
}

/** The largest `offset`/`limit` taken (far beyond any album; keeps the numbers exact). */
const MAX_INDEX = 1_000_000_000

/** An index sent as pyicloud sends it, a decimal string, or as a JSON number; undefined otherwise. */
function indexOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_INDEX ? n : undefined
}

/** The `albumguid` of an album call, or a message saying what is wrong. */
export function albumGuidOf(body: unknown): string | { error: string } {
  const guid = (body as { albumguid?: unknown } | null | undefined)?.albumguid
  if (typeof guid !== 'string' || guid === '' || guid.length > 200)
    return { error: 'The body needs "albumguid": the album\'s id from webgetalbumslist.' }
  return guid
}

/**
 * Reads a `webgetassets` body `{"albumguid","albumctag","limit","offset"}`: `offset` and `limit` are
 * decimal strings (or numbers) with `limit` the end index; a missing `offset` is 0. Answers the
 * window or a message saying what is wrong.
 */
export function assetsWindowOf(body: unknown): AssetsWindow | { error: string } {
  const guid = albumGuidOf(body)
  if (typeof guid !== 'string') return guid
  const b = body as { offset?: unknown; limit?: unknown }
  const offset = b.offset === undefined ? 0 : indexOf(b.offset)
  const limit = indexOf(b.limit)
  if (offset === undefined || limit === undefined)
    return {
      error:
        'The body needs "limit" (the end index) and "offset" as non-negative whole numbers, e.g. {"offset":"0","limit":"200"}.',
    }
  return { albumguid: guid, offset, limit }
}
