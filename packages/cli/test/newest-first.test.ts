import type { PhotoAsset } from '@sigwire/icloud'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newestFirst } from '../src/photos/newest-first.js'

/** A listing newest first that counts how far it was read and whether it was closed. */
function listing(times: readonly number[]) {
  const seen = { pulled: 0, closed: false }
  const assets = [...times].sort((a, b) => b - a).map((t, i) => ({ id: `${t}-${i}`, created: new Date(t) }))
  async function* generate() {
    try {
      for (const asset of assets) {
        seen.pulled++
        yield asset as unknown as PhotoAsset
      }
    } finally {
      seen.closed = true
    }
  }
  return { source: generate(), seen }
}

describe('newestFirst', () => {
  it('merges listings newest first, reads each only as far as needed, and closes them all when the reader stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 8 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat({ max: 40 }),
        async (lists, limit) => {
          const sources = lists.map(listing)
          const got: number[] = []
          for await (const asset of newestFirst(sources.map((s) => s.source))) {
            if (got.length >= limit) break
            got.push(asset.created.getTime())
          }
          const all = lists.flat().sort((a, b) => b - a)
          expect(got).toEqual(all.slice(0, limit))
          for (const { seen } of sources) expect(seen.closed).toBe(true)
          // Each listing is read at most one asset past what was taken from it.
          const pulled = sources.reduce((n, { seen }) => n + seen.pulled, 0)
          expect(pulled).toBeLessThanOrEqual(Math.min(all.length, got.length + sources.length))
        },
      ),
    )
  })
})
