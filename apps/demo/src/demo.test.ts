import { describe, expect, it } from 'vitest'
import { runSteps } from './report.js'
import { allSteps } from './steps/index.js'

describe('demo', () => {
  it('runs every step successfully', { timeout: 120_000 }, async () => {
    const lines: string[] = []
    const results = await runSteps(allSteps(), (line) => lines.push(line))
    expect(
      results.filter((r) => !r.ok),
      lines.join('\n'),
    ).toEqual([])
  })
})
