import { describe, expect, it } from 'vitest'
import { clean, runUnderFaults } from './fault-run.js'
import { SERVICES_UNDER_FAULTS } from './services/index.js'

// The small run of the reliability suite (`pnpm bench --only=reliability` runs 2,000 writes each).
const SETTINGS = {
  writes: 200,
  concurrency: 16,
  faultRate: 0.1,
  seed: 14,
  retryAfterSeconds: 1,
  latencyMs: 100,
}

describe('200 writes per service at concurrency 16 with 10% injected faults', () => {
  for (const { name, start } of SERVICES_UNDER_FAULTS) {
    it(`${name}: nothing lost, nothing duplicated, every failure typed and resolved by the read-back`, {
      timeout: 120_000,
    }, async () => {
      const service = await start(SETTINGS.concurrency)
      try {
        const result = await runUnderFaults(service, SETTINGS)
        expect(result.untypedSamples).toEqual([])
        expect({
          lost: result.lost,
          duplicated: result.duplicated,
          untyped: result.untyped,
          phantom: result.phantom,
          strangers: result.strangers,
          unknownWithoutHint: result.unknownWithoutHint,
        }).toEqual({ lost: 0, duplicated: 0, untyped: 0, phantom: 0, strangers: 0, unknownWithoutHint: 0 })
        expect(clean(result)).toBe(true)
        // The faults really happened, and every write is accounted for.
        expect(Object.values(result.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
        const failed = Object.values(result.failures).reduce((a, b) => a + b, 0)
        expect(result.acknowledged + failed).toBe(SETTINGS.writes)
        console.log(JSON.stringify({ ...result, untypedSamples: undefined }))
      } finally {
        await service.close()
      }
    })
  }
})
