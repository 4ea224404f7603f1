import type { PhotoAsset } from '@sigwire/icloud'

/**
 * Merges listings that are each newest first (the libraries' All Photos, or one smart album in each
 * library) into one listing newest first, so `ls --limit 10` shows the ten most recent assets of all of
 * them, not the ten of whichever library is read first. Each listing is read only as far as the merge
 * gets (a page at a time), and all are closed when the reader stops.
 */
export async function* newestFirst(
  sources: readonly AsyncIterable<PhotoAsset>[],
): AsyncGenerator<PhotoAsset> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]())
  try {
    const heads = await Promise.all(iterators.map((iterator) => iterator.next()))
    for (;;) {
      let best = -1
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!
        if (head.done) continue
        if (
          best === -1 ||
          head.value.created.getTime() > (heads[best]!.value as PhotoAsset).created.getTime()
        )
          best = i
      }
      if (best === -1) return
      yield heads[best]!.value as PhotoAsset
      heads[best] = await iterators[best]!.next()
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()))
  }
}
