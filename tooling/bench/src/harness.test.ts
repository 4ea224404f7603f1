import { describe, expect, it } from 'vitest'
import { compareLoad } from './load.js'
import { compare } from './measure.js'
import { median, percentile } from './stats.js'
import { formatRatio, tableToMarkdown } from './table.js'

describe('bench harness', () => {
  it('computes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3)
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99)
  })

  it('reports the baseline at 1.00x and a slower subject below it', async () => {
    let sink = 0
    const result = await compare(
      [
        { name: 'fast', run: () => (sink += 1) },
        {
          name: 'slow',
          run: () => {
            for (let i = 0; i < 2000; i++) sink += i
          },
        },
      ],
      { rounds: 3, roundMs: 20, warmupMs: 10 },
    )
    expect(result.ratios[0]).toBe(1)
    expect(result.ratios[1]).toBeLessThan(1)
    expect(sink).toBeGreaterThan(0)
  })

  it('runs load comparisons as A B B A per round after alternating warm-ups', async () => {
    const phases: string[] = []
    const subject = (name: string) => async () => {
      if (phases.at(-1) !== name) phases.push(name)
      await new Promise((resolve) => setImmediate(resolve))
    }
    const result = await compareLoad(subject('a'), subject('b'), 2, 2, 20)
    // Warm-ups a b a b, then rounds a b b a, a b b a; consecutive runs of one subject read as one phase.
    expect(phases.join('')).toBe('abab' + 'aba' + 'ba')
    expect(result.a.requestsPerSec).toBeGreaterThan(0)
    expect(Number.isFinite(result.ratio)).toBe(true)
  })

  it('renders markdown tables', () => {
    expect(tableToMarkdown({ title: 'T', columns: ['a', 'b'], rows: [['x', formatRatio(0.912)]] })).toBe(
      '### T\n\n| a | b |\n| --- | --- |\n| x | 0.91x |',
    )
  })
})
